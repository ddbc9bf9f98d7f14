"""The warehouse models: a dbt-compatible project compiled, planned and run by Strata."""

from typing import Any

from strata.models.plan import RunOptions, build_manifest, compile_for
from strata.models.service import continue_run, start_run
from strata.project import Project
from strata.settings import Settings


def plan_run(
    project: Project, settings: Settings, run_id: str, target: str | None = None
) -> dict[str, Any]:
    """Compile and plan every model (the manifest): raises ModelError on any problem. Kept for
    the callers that only check a project (``strata publish``)."""
    return build_manifest(project, settings, run_id, RunOptions(target=target))


__all__ = [
    "RunOptions",
    "build_manifest",
    "compile_for",
    "continue_run",
    "plan_run",
    "start_run",
]
