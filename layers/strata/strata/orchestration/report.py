"""Last step of a run: one JSON report per run (every file's fate, every model and test), in
the artifacts store, and the verdict that decides the execution's final status."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from strata.errors import ObjectNotFoundError
from strata.ingest.raw import raw_object_id
from strata.models.service import release_build_lock
from strata.orchestration.map_results import conversion_results
from strata.runtime import Context
from strata.state import keys
from strata.state.claims import release_run

COUNTERS = (
    "files",
    "bytes",
    "rows_in",
    "rows_out",
    "rows_quarantined",
    "files_quarantined",
    "files_failed",
)


def build_report(ctx: Context, event: dict[str, Any]) -> dict[str, Any]:
    """The run report from the state machine's payload (normal or failure path)."""
    state = event.get("input", event)
    discovery = state.get("discovery") or {}
    run_id = str(discovery.get("run_id") or event.get("run_id") or event.get("execution_name"))
    results = conversion_results(ctx.ports.artifacts, state.get("conversions") or [], run_id)
    conversions = [_conversion(ctx, run_id, item) for item in results]
    warehouse = state.get("warehouse") or {}
    # BuildModels hands over {"summary": {"status", "nodes": [...], "run_results_key"}}.
    if isinstance(warehouse, dict):
        warehouse = warehouse.get("summary") or {}
    statements = warehouse.get("nodes", []) if isinstance(warehouse, dict) else warehouse
    tests = _test_results(statements)
    error = state.get("error")
    failed_tests = [t for t in tests if t["status"] in ("fail", "error")]
    failed_files = [c for c in conversions if c.get("status") == "failed"]
    failed_models = [
        s for s in statements if s.get("kind") == "model" and s.get("status") != "success"
    ]
    warehouse_failed = isinstance(warehouse, dict) and warehouse.get("status") == "error"
    failed = bool(error or failed_tests or failed_files or failed_models or warehouse_failed)
    finished = datetime.now(UTC)
    started = discovery.get("started_at")
    return {
        "run_id": run_id,
        "status": "failed" if failed else "succeeded",
        "started_at": started,
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_seconds": _seconds_since(started, finished),
        "sources": _per_source(conversions),
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
        "warehouse_status": warehouse.get("status") if isinstance(warehouse, dict) else None,
        "warehouse_message": warehouse.get("message") if isinstance(warehouse, dict) else None,
        "warehouse_results": warehouse.get("run_results_key")
        if isinstance(warehouse, dict)
        else None,
        "error": error,
    }


def publish_report(ctx: Context, event: dict[str, Any]) -> dict[str, str]:
    report = build_report(ctx, event)
    key = report_key(report["run_id"])
    ctx.ports.artifacts.put_bytes(key, json.dumps(report, indent=2, default=str).encode())
    summary_fields = (
        "run_id",
        "status",
        "started_at",
        "finished_at",
        "duration_seconds",
        "sources",
    )
    summary = {name: report[name] for name in summary_fields}
    ctx.ports.state.put("run", report["run_id"], {**summary, "report_key": key})
    release_build_lock(ctx, report["run_id"])
    for failed in (f for f in report["files"] if f.get("status") == "failed"):
        # The object stays pending; the next run may claim it and try again.
        release_run(
            ctx.ports.state,
            keys.conversion_claim(failed["source"]),
            failed["raw_key"],
            report["run_id"],
        )
    return {"status": report["status"], "report_key": key}


def report_key(run_id: str) -> str:
    return f"runs/{run_id}/report.json"


def _conversion(ctx: Context, run_id: str, item: dict[str, Any]) -> dict[str, Any]:
    """A file's full outcome: its manifest in the artifacts store, or the failure as caught."""
    if item.get("status") == "failed":
        return item
    manifest = f"runs/{run_id}/conversions/{raw_object_id(item['raw_key'])}.json"
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
