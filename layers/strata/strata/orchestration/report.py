"""Last step of a run: one JSON report per run (every file's fate, every model and test), in
the artifacts store, and the verdict that decides the execution's final status."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from strata.errors import ObjectNotFoundError, StrataError
from strata.ingest.ledger import last_attempts
from strata.lake import state_keys
from strata.lake.claims import release_run
from strata.lake.keys import conversion_manifest_key, report_key
from strata.lake.payloads import (
    CheckNode,
    ConversionResult,
    FailedFile,
    FailureReportInput,
    FileOutcome,
    ModelNode,
    NodeSummary,
    ReportInput,
    ReportOutput,
)
from strata.models.service import release_build_lock
from strata.observability import logger
from strata.orchestration import run_records
from strata.orchestration.freshness import check_freshness
from strata.orchestration.map_results import conversion_results
from strata.runtime import Context

COUNTERS = (
    "files",
    "bytes",
    "rows_in",
    "rows_out",
    "rows_quarantined",
    "files_quarantined",
    "files_failed",
    "files_rows_unknown",
)

# A file's fate in the report: its manifest in full, or its failure as caught.
FileReport = ConversionResult | FailedFile


def build_report(ctx: Context, event: ReportInput | FailureReportInput) -> dict[str, Any]:
    """The run report from the state machine's payload (normal or failure path)."""
    run_id = event.run_id
    record = run_records.get(ctx.ports.state, run_id) or {}
    options = record.get("options") or {}
    results = conversion_results(ctx.ports.artifacts, event.conversions, run_id)
    files = [_conversion(ctx, run_id, item) for item in results]
    summary = event.summary
    statements = summary.nodes if summary else []
    tests = _test_results(statements)
    error = event.error.dump_given() if event.error else None
    models = [node for node in statements if isinstance(node, ModelNode)]
    failed_models = [node for node in models if node.status != "success"]
    warehouse_status = summary.status if summary else None
    selected = record.get("selected_sources") or sorted(ctx.project.contracts)
    ingestion = last_attempts(ctx.ports.state, selected)
    verdict = run_verdict(
        error=error,
        problems=_problems(files, failed_models, tests, warehouse_status, ingestion),
        deferred=warehouse_status == "deferred",
        allow_deferred=bool(options.get("allow_deferred")),
    )
    finished = datetime.now(UTC)
    started = record.get("started_at") or (event.discovery.started_at if event.discovery else None)
    return {
        "run_id": run_id,
        **verdict,
        "started_at": started,
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_seconds": _seconds_since(started, finished),
        "sources": _per_source(files),
        "ingestion": ingestion,
        "freshness": _freshness(ctx, selected, finished),
        "files": [file.dump_given() for file in files],
        "models": [node.name for node in models if node.status == "success"],
        "models_failed": [
            {"name": node.name, "status": node.status, "message": node.message}
            for node in failed_models
        ],
        "tests": tests,
        "warehouse_status": warehouse_status,
        "warehouse_message": summary.message if summary else None,
        "warehouse_results": summary.run_results_key if summary else None,
        "error": error,
    }


def run_verdict(
    *, error: Any, problems: list[str], deferred: bool, allow_deferred: bool
) -> dict[str, Any]:
    """The run's status, computed from what happened, never assumed:

    - ``failed``: the run stopped before its end (a step failed: ``error``);
    - ``partial``: it ran to its end, but a source, a file, a model or an error-severity test
      failed (``problems`` says which);
    - ``deferred``: nothing failed, but another run held the warehouse, so no model was built;
    - ``succeeded``: every selected source ingested, every object converted or quarantined with
      its rows accounted for, every selected model built and tested.

    ``passed`` is what the execution's status, the alert and ``strata run``'s exit code follow:
    only a success passes, and a deferral when the run was started with ``allow_deferred``."""
    if error:
        status = "failed"
    elif problems:
        status = "partial"
    elif deferred:
        status = "deferred"
    else:
        status = "succeeded"
    passed = status == "succeeded" or (status == "deferred" and allow_deferred)
    return {"status": status, "passed": passed, "problems": problems}


def _problems(
    files: list[FileReport],
    failed_models: list[ModelNode],
    tests: list[dict[str, Any]],
    warehouse_status: str | None,
    ingestion: dict[str, dict[str, Any]],
) -> list[str]:
    """One line per thing that failed, for the report and the terminal."""
    problems = [
        f"ingestion of {source} failed at {attempt['at']}: {attempt.get('error')}"
        for source, attempt in ingestion.items()
        if attempt.get("status") == "failed"
    ]
    problems += [
        f"file {file.raw_key} failed: {file.error}"
        for file in files
        if isinstance(file, FailedFile)
    ]
    problems += [f"model {model.name} {model.status}" for model in failed_models]
    problems += [f"test {t['test']} {t['status']}" for t in tests if t["status"] in _FAILED_TEST]
    if warehouse_status == "error":
        problems.append("the warehouse build failed")
    return problems


_FAILED_TEST = ("fail", "error")


def publish_report(ctx: Context, event: ReportInput | FailureReportInput) -> ReportOutput:
    report = build_report(ctx, event)
    key = report_key(report["run_id"])
    ctx.ports.artifacts.put_bytes(key, json.dumps(report, indent=2, default=str).encode())
    summary_fields = (
        "run_id",
        "status",
        "passed",
        "started_at",
        "finished_at",
        "duration_seconds",
        "sources",
    )
    summary = {name: report[name] for name in summary_fields}
    run_records.finish(ctx.ports.state, report["run_id"], {**summary, "report_key": key})
    release_build_lock(ctx, report["run_id"])
    for failed in (f for f in report["files"] if f.get("status") == "failed"):
        # The object stays pending; the next run may claim it and try again.
        release_run(
            ctx.ports.state,
            state_keys.conversion_claim(failed["source"]),
            failed["raw_key"],
            report["run_id"],
        )
    return ReportOutput(status=report["status"], passed=report["passed"], report_key=key)


def _conversion(ctx: Context, run_id: str, item: FileOutcome) -> FileReport:
    """A file's full outcome: its manifest in the artifacts store, or the failure as caught."""
    if isinstance(item, FailedFile):
        return item
    manifest = conversion_manifest_key(run_id, item.raw_key)
    try:
        return ConversionResult.model_validate_json(ctx.ports.artifacts.get_bytes(manifest))
    except ObjectNotFoundError:
        return FailedFile(
            source=item.source,
            raw_key=item.raw_key,
            status="failed",
            error="ManifestMissing",
            cause=manifest,
        )


def _freshness(ctx: Context, sources: list[str], now: datetime) -> dict[str, Any]:
    """Each source's freshness; a lookup that fails leaves the section empty, with the reason
    logged, rather than the run without its report."""
    try:
        return check_freshness(ctx, sources, now)
    except StrataError as exc:
        logger.warning("freshness not judged", extra={"error": str(exc)})
        return {}


def _seconds_since(started: str | None, finished: datetime) -> float | None:
    if not started:
        return None
    return round((finished - datetime.fromisoformat(started)).total_seconds(), 1)


def _per_source(files: list[FileReport]) -> dict[str, dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for file in files:
        row = totals[file.source]
        row["files"] += 1
        if isinstance(file, FailedFile):
            row["files_failed"] += 1
            continue
        row["files_quarantined"] += file.status == "quarantined"
        # Quarantined whole before any row could be read: its rows in are unknown, not 0.
        row["files_rows_unknown"] += file.rows_unknown
        for counter in ("bytes", "rows_in", "rows_out", "rows_quarantined"):
            row[counter] += getattr(file, counter)
        if file.drift:
            row.setdefault("drift", []).extend(file.drift)
    return dict(sorted(totals.items()))


def _test_results(statements: list[NodeSummary]) -> list[dict[str, Any]]:
    """Tests and freshness checks as the warehouse run recorded them."""
    return [
        {
            "test": node.test,
            "severity": node.severity,
            "failures": node.failures,
            "status": node.status,
            "sample": node.sample,
        }
        for node in statements
        if isinstance(node, CheckNode)
    ]
