"""Scratch folders for large temporary files (a download, a conversion's pieces).

Each folder is named ``strata-<kind>-<pid>-<random>`` under the system's temporary directory,
and removed on every way out of its ``with`` block. A process killed with SIGKILL runs no
``finally``, so :func:`sweep` removes the folders of processes that no longer exist; the next
run calls it before it starts work. In Lambda the pid of a new sandbox may repeat an old one,
but a sandbox's ``/tmp`` is its own, so an old folder never outlives the sandbox that made it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "strata-"
_NAME = re.compile(r"^strata-(?P<kind>[a-z]+)-(?P<pid>\d+)-")


@contextmanager
def scratch_dir(kind: str, root: Path | None = None) -> Iterator[Path]:
    """A fresh folder for ``kind`` (``convert``, ``sftp``, …), removed whatever happens."""
    if not kind.isalpha() or not kind.islower():
        raise ValueError(f"scratch kind must be lowercase letters, not {kind!r}")
    path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-{os.getpid()}-", dir=root))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def sweep(root: Path | None = None) -> list[Path]:
    """Remove the scratch folders whose process is gone; returns what was removed."""
    base = Path(root or tempfile.gettempdir())
    removed = []
    for entry in base.glob(f"{PREFIX}*"):
        match = _NAME.match(entry.name)
        if match and entry.is_dir() and not pid_alive(int(match["pid"])):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists on this machine (signal 0 only checks)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True
