"""Which lake to read: the project found from the working directory, the backend from
``STRATA_RUNTIME`` (the runtime's own setting), through one registry: no branch elsewhere."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from strata.settings import LAKE_DIR, PROJECT_DIR, Settings
from strata_read.base import Backend, Lake


def _local(settings: Settings, session: Any) -> Backend:
    from strata_read.local import LocalBackend

    return LocalBackend(settings)


def _aws(settings: Settings, session: Any) -> Backend:
    from strata_read.aws import AwsBackend

    return AwsBackend(settings, session)


BACKENDS: dict[str, Callable[[Settings, Any], Backend]] = {"local": _local, "aws": _aws}


def find_project(start: Path) -> Path:
    """The nearest folder, from ``start`` up, holding a Strata project (``sources/`` and
    ``warehouse/``): a notebook in ``notebooks/`` reads the project's lake."""
    for folder in (start, *start.parents):
        if (folder / "sources").is_dir() and (folder / "warehouse").is_dir():
            return folder
    return start


def connect(
    project_dir: Path | str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    session: Any = None,
) -> Lake:
    """A :class:`Lake` for the project (found from the working directory unless given), with
    the backend ``STRATA_RUNTIME`` names; ``session`` is a boto3 session for AWS."""
    values = dict(os.environ if env is None else env)
    project = Path(project_dir or values.get(PROJECT_DIR) or find_project(Path.cwd())).resolve()
    values[PROJECT_DIR] = str(project)
    values.setdefault(LAKE_DIR, str(project / "lake"))
    settings = Settings.from_env(values)
    return Lake(BACKENDS[settings.runtime](settings, session))
