"""``strata models promote``: build in production only what changed, once the test build passed.

The flow: a change is built in ``test`` (``--select state:modified+ --defer --state prod``),
reviewed with ``strata models diff``, then promoted. Promotion is an ordinary prod build of
``state:modified+`` against prod's own record, so it swaps tables in exactly as every build
does; unchanged models are neither rebuilt nor touched. It refuses when the test build it
relies on failed, or is older than the code (the warehouse project changed since), or did not
build a model it would promote.
"""

from __future__ import annotations

from dataclasses import dataclass

from strata.errors import ModelError
from strata.models import state
from strata.models.plan import RunOptions, compile_and_select
from strata.project import Project
from strata.runtime import warehouse_profile
from strata.settings import Settings
from strata.storage.base import ObjectStore

SELECTOR = "state:modified+"


@dataclass(frozen=True)
class Promotion:
    options: RunOptions  # the prod build to run
    models: list[str]  # what it builds, in dependency order
    tested_by: str  # the test build's run id


def plan_promotion(
    project: Project,
    settings: Settings,
    store: ObjectStore,
    source: str = "test",
    target: str = "prod",
) -> Promotion:
    tested = state.require(store, source, f"promote from {source}")
    last = tested.last_build or {}
    run_id = last.get("run_id", "?")
    if last.get("status") != state.SUCCESS:
        failed = ", ".join(name.split(".")[-1] for name in last.get("failed") or []) or "?"
        raise ModelError(
            f"promote refused: the last {source} build ({run_id}) failed ({failed}); "
            f"fix it and build {source} again"
        )
    if last.get("project_checksum") != state.project_checksum(project.warehouse_files):
        raise ModelError(
            f"promote refused: warehouse/ changed since the last {source} build ({run_id}); "
            f"build {source} again (strata models build --target {source} "
            f'--select "{SELECTOR}" --defer --state {target})'
        )
    options = RunOptions(command="build", select=[SELECTOR], target=target, state=target)
    production = state.load(store, target) or state.EnvironmentState(target)
    compiled, chosen, _, _ = compile_and_select(
        project, settings, options, warehouse_profile(settings), production
    )
    checksums = state.Checksums(project.warehouse_files)
    for name in chosen.models:
        entry = tested.built(name)
        if entry is None or entry["checksum"] != checksums.of(compiled.model(name)):
            raise ModelError(
                f"promote refused: {name} would be built in {target} but the {source} "
                f"environment has not built this version of it; build {source} with "
                f'--select "{SELECTOR}" first',
                file=compiled.model(name).file,
            )
    return Promotion(options=options, models=chosen.models, tested_by=run_id)
