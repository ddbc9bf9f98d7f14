"""Runs the ``strata`` CLI in this process with a fault: the process kills itself (SIGKILL, as
``kill -9`` or an out-of-memory kill would) on the Nth call of one function.

    python crashing_cli.py MODULE:ATTRIBUTE N -- strata arguments...

ATTRIBUTE may be ``Class.method``. With ``after`` as the first argument the process dies just
after the call returns (the work was done, its bookkeeping was not)."""

from __future__ import annotations

import importlib
import os
import signal
import sys
from typing import Any


def main(argv: list[str]) -> int:
    after = argv[0] == "after"
    if after:
        argv = argv[1:]
    target, count, _, *cli = argv
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    real = getattr(owner, name)
    calls = {"n": 0}

    def dying(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == int(count) and not after:
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*args, **kwargs)
        if calls["n"] == int(count):
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, name, dying)
    from strata_dev.cli.main import main as strata

    return strata(cli)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
