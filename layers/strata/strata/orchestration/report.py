"""Last step of a run: one JSON report per run (every file's fate, every model and test), in
the artifacts store, and the verdict that decides the execution's final status."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from strata.errors import ObjectNotFoundError
from strata.ingest.ledger import last_attempts
from strata.lake import state_keys
from strata.lake.claims import release_run
from strata.lake.keys import conversion_manifest_key, report_key
from strata.models.service import release_build_lock
from strata.orchestration import run_records
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


def build_report(ctx: Context, event: dict[str, Any]) -> dict[str, Any]:
    """The run report from the state machine's payload (normal or failure path)."""
    state = event.get("input", event)
    discovery = state.get("discovery") or {}
    run_id = str(discovery.get("run_id") or event.get("run_id") or event.get("execution_name"))
    record = run_records.get(ctx.ports.state, run_id) or {}
    options = event.get("options") or record.get("options") or {}
    results = conversion_results(ctx.ports.artifacts, state.get("conversions") or [], run_id)
    conversions = [_conversion(ctx, run_id, item) for item in results]
    warehouse = state.get("warehouse") or {}
    # BuildModels hands over {"summary": {"status", "nodes": [...], "run_results_key"}}.
    if isinstance(warehouse, dict):
        warehouse = warehouse.get("summary") or {}
    statements = warehouse.get("nodes", []) if isinstance(warehouse, dict) else warehouse
    tests = _test_results(statements)
    error = state.get("error")
    failed_models = [
        s for s in statements if s.get("kind") == "model" and s.get("status") != "success"
    ]
    warehouse_status = warehouse.get("status") if isinstance(warehouse, dict) else None
    selected = record.get("selected_sources") or sorted(ctx.project.contracts)
    ingestion = last_attempts(ctx.ports.state, selected)
    verdict = run_verdict(
        error=error,
        problems=_problems(conversions, failed_models, tests, warehouse_status, ingestion),
        deferred=warehouse_status == "deferred",
        allow_deferred=bool(options.get("allow_deferred")),
    )
    finished = datetime.now(UTC)
    started = record.get("started_at") or discovery.get("started_at")
    return {
        "run_id": run_id,
        **verdict,
        "started_at": started,
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_seconds": _seconds_since(started, finished),
        "sources": _per_source(conversions),
        "ingestion": ingestion,
        "files": conversions,
        "models": [
            s["name"]
            for s in statements
            if s.get("kind") == "model" and s.get("status", "success") == "success"
        ],
        "models_failed": [
            {"name": s["name"], "status": s["status"], "message": s.get("message")}
            for s in failed_models
        ],
        "tests": tests,
        "warehouse_status": warehouse_status,
        "warehouse_message": warehouse.get("message") if isinstance(warehouse, dict) else None,
        "warehouse_results": warehouse.get("run_results_key")
        if isinstance(warehouse, dict)
        else None,
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
    conversions: list[dict[str, Any]],
    failed_models: list[dict[str, Any]],
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
        f"file {c.get('raw_key')} failed: {c.get('error')}"
        for c in conversions
        if c.get("status") == "failed"
    ]
    problems += [f"model {m['name']} {m.get('status')}" for m in failed_models]
    problems += [f"test {t['test']} {t['status']}" for t in tests if t["status"] in _FAILED_TEST]
    if warehouse_status == "error":
        problems.append("the warehouse build failed")
    return problems


_FAILED_TEST = ("fail", "error")


def publish_report(ctx: Context, event: dict[str, Any]) -> dict[str, Any]:
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
    return {"status": report["status"], "passed": report["passed"], "report_key": key}


def _conversion(ctx: Context, run_id: str, item: dict[str, Any]) -> dict[str, Any]:
    """A file's full outcome: its manifest in the artifacts store, or the failure as caught."""
    if item.get("status") == "failed":
        return item
    manifest = conversion_manifest_key(run_id, item["raw_key"])
    try:
        return json.loads(ctx.ports.artifacts.get_bytes(manifest))
    except ObjectNotFoundError:
        return {**item, "status": "failed", "error": "ManifestMissing", "cause": manifest}


def _seconds_since(started: str | None, finished: datetime) -> float | None:
    if not started:
        return None
    return round((finished - datetime.fromisoformat(started)).total_seconds(), 1)


def _per_source(conversions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for conversion in conversions:
        row = totals[conversion["source"]]
        row["files"] += 1
        if conversion.get("status") == "failed":
            row["files_failed"] += 1
            continue
        row["files_quarantined"] += conversion.get("status") == "quarantined"
        # Quarantined whole before any row could be read: its rows in are unknown, not 0.
        row["files_rows_unknown"] += bool(conversion.get("rows_unknown"))
        for counter in ("bytes", "rows_in", "rows_out", "rows_quarantined"):
            row[counter] += int(conversion.get(counter, 0))
        if conversion.get("drift"):
            row.setdefault("drift", []).extend(conversion["drift"])
    return dict(sorted(totals.items()))


def _test_results(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tests and freshness checks as the warehouse run recorded them."""
    keys = ("test", "severity", "failures", "status", "sample")
    return [
        {key: statement.get(key) for key in keys}
        for statement in statements
        if statement.get("kind") in ("test", "freshness")
    ]
