"""The warehouse models: a dbt-compatible project compiled, planned and run by Strata."""

from strata.models.plan import RunOptions, build_manifest, compile_for
from strata.models.service import continue_run, start_run

__all__ = [
    "RunOptions",
    "build_manifest",
    "compile_for",
    "continue_run",
    "start_run",
]
