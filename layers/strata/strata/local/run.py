"""``strata run``: land what waits in the landing folder, then execute the pipeline state
machine locally, with progress, and return the run report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from strata.cli.console import Console
from strata.ingest.events import s3_object_created
from strata.ingest.raw import new_run_id
from strata.local.stepfunctions import Execution, LocalStepFunctions, local_step_functions
from strata.models import build_manifest
from strata.runtime import Context


@dataclass
class RunOutcome:
    run_id: str
    execution: Execution
    report: dict[str, Any]
    landed: int

    @property
    def succeeded(self) -> bool:
        return self.execution.status == "SUCCEEDED"


def validate_project(ctx: Context) -> int:
    """Contracts and models, all checked before anything is written; returns the model count."""
    manifest = build_manifest(ctx.project, ctx.settings, "validate")
    return sum(node["resource_type"] == "model" for node in manifest["nodes"].values())


def run_pipeline(
    ctx: Context, project_dir: Path, console: Console, sources: list[str] | None = None
) -> RunOutcome:
    validate_project(ctx)
    with local_step_functions(ctx, project_dir) as machine:
        landed = land_drops(ctx, machine, console, sources)
        run_id = new_run_id()
        console.step(f"pipeline run {run_id} (statemachines/pipeline.asl.json)")
        arn = machine.start(run_id, {"sources": sources} if sources else {})
        execution = machine.wait(arn, on_event=Progress(console))
    report = _report(ctx, run_id)
    return RunOutcome(run_id=run_id, execution=execution, report=report, landed=landed)


def land_drops(
    ctx: Context, machine: LocalStepFunctions, console: Console, sources: list[str] | None
) -> int:
    """What EventBridge does in AWS: one Object Created event per file in the landing bucket."""
    landed = duplicates = 0
    for contract in ctx.project.contracts.values():
        if contract.s3_drop is None or (sources and contract.name not in sources):
            continue
        for info in ctx.ports.landing.list(contract.s3_drop.prefix):
            event = s3_object_created(ctx.ports.landing.bucket, info.key, info.size, info.etag)
            result = machine.invoke("LandS3DropFunction", event)
            if result["status"] == "landed":
                landed += 1
                console.detail(f"landed {info.key} → raw/{result['raw_key']}")
            elif result["status"] == "duplicate":
                duplicates += 1
    console.step(f"ingest: {landed} new file(s) landed in raw, {duplicates} already landed")
    return landed


class Progress:
    """Turns execution history events into one line per step that matters."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind in ("TaskStateEntered", "MapStateEntered", "ParallelStateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            if name in ("Discover", "ConvertEach", "PlanModels", "BuildModels", "Report"):
                self.console.step(_LABELS.get(name, name))
        elif kind in ("TaskStateExited", "PassStateExited"):
            details = event["stateExitedEventDetails"]
            self._exited(details["name"], json.loads(details.get("output") or "{}"))
        elif kind == "ExecutionFailed":
            details = event.get("executionFailedEventDetails", {})
            self.console.warn(f"execution failed: {details.get('error')}: {details.get('cause')}")

    def _exited(self, name: str, output: dict[str, Any]) -> None:
        if name == "Discover":
            items = output.get("discovery", {}).get("items", [])
            self.console.detail(f"{len(items)} new raw object(s) to convert")
        elif name == "Convert":
            name = PurePosixPath(output.get("raw_key", "")).name
            self.console.detail(
                f"{name}: {output.get('rows_in')} rows in → "
                f"{output.get('rows_out')} out, {output.get('rows_quarantined')} quarantined"
                + (f" (file quarantined: {output['reason']})" if output.get("reason") else "")
            )
        elif name == "ConversionFailed":
            self.console.warn(
                f"{output.get('raw_key')}: {output.get('error')}: {output.get('cause')}"
            )
        elif name in _OUTCOMES and output.get("kind") == "model":
            model = str(output.get("id", "")).rsplit(".", 1)[-1]
            if output.get("status") == "FINISHED":
                self.console.detail(f"built {model}")
            else:
                self.console.warn(f"{model}: {output.get('status')}: {output.get('error')}")


# BuildModels' item processor ends in one of these Pass states, with the statement's outcome.
_OUTCOMES = (
    "ResultFetched",
    "StatementFinished",
    "StatementFailed",
    "StatementAborted",
    "StatementTimedOut",
    "SubmitFailed",
    "PollFailed",
)

_LABELS = {
    "Discover": "discover new raw objects",
    "ConvertEach": "convert raw → cleansed (typed Parquet, quarantine)",
    "PlanModels": "compile warehouse models",
    "BuildModels": "build stage and analytics models, run tests (Data API → DuckDB)",
    "Report": "write the run report",
}


def _report(ctx: Context, run_id: str) -> dict[str, Any]:
    key = f"runs/{run_id}/report.json"
    if not ctx.ports.artifacts.exists(key):
        return {"run_id": run_id, "status": "failed", "sources": {}, "tests": [], "models": []}
    return json.loads(ctx.ports.artifacts.get_bytes(key))
