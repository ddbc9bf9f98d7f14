"""The local context every ``strata`` command builds: settings from the environment, the
project folder's lake, and the log file the handlers' lines go to."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from strata.errors import ConfigError
from strata.runtime import Context, build_context, use
from strata.settings import Settings


def context_for(args: argparse.Namespace) -> Context:
    project_dir: Path = args.project_dir.resolve()
    env = dict(os.environ)
    env.setdefault("STRATA_PROJECT_DIR", str(project_dir))
    env.setdefault("STRATA_LAKE_DIR", str(project_dir / "lake"))
    settings = Settings.from_env(env)
    if settings.runtime != "local":
        raise ConfigError(
            "runs locally only; in AWS the schedule starts the state machine",
            field="STRATA_RUNTIME",
        )
    ctx = build_context(settings)
    use(ctx)
    from strata.observability import log_to_file

    log_to_file(log_path(settings))
    return ctx


def log_path(settings: Settings) -> Path:
    """Where the handlers' log lines go during local commands."""
    return settings.lake_dir / "logs" / "strata.log"
