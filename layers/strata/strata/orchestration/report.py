"""Last step of a run: one JSON report per run (every file's fate, every model and test), in
the artifacts store, and the verdict that decides the execution's final status."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from strata.runtime import Context

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
    run_id = str(
        state.get("discovery", {}).get("run_id")
        or event.get("run_id")
        or event.get("execution_name")
    )
    conversions = state.get("conversions") or []
    warehouse = state.get("warehouse") or {}
    # BuildModels hands over {"summary": {"status", "nodes": [...], "run_results_key"}}; a
    # list is the older shape (one entry per statement).
    if isinstance(warehouse, dict):
        warehouse = warehouse.get("summary") or {}
    statements = warehouse.get("nodes", []) if isinstance(warehouse, dict) else warehouse
    tests = _test_results(statements)
    error = state.get("error")
    failed_tests = [t for t in tests if t["failures"] and t["severity"] == "error"]
    failed_files = [c for c in conversions if c.get("status") == "failed"]
    failed_models = [
        s for s in statements if s.get("kind") == "model" and s.get("status") != "success"
    ]
    warehouse_failed = isinstance(warehouse, dict) and warehouse.get("status") == "error"
    failed = bool(error or failed_tests or failed_files or failed_models or warehouse_failed)
    return {
        "run_id": run_id,
        "status": "failed" if failed else "succeeded",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
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
        "warehouse_results": warehouse.get("run_results_key")
        if isinstance(warehouse, dict)
        else None,
        "error": error,
    }


def publish_report(ctx: Context, event: dict[str, Any]) -> dict[str, str]:
    report = build_report(ctx, event)
    key = f"runs/{report['run_id']}/report.json"
    ctx.ports.artifacts.put_bytes(key, json.dumps(report, indent=2, default=str).encode())
    summary = {name: report[name] for name in ("run_id", "status", "finished_at", "sources")}
    ctx.ports.state.put("run", report["run_id"], {**summary, "report_key": key})
    return {"status": report["status"], "report_key": key}


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
    """Test rows as GetStatementResult returned them to the state machine."""
    results = []
    for statement in statements:
        if statement.get("kind") in ("test", "freshness"):
            results.append(
                {
                    key: statement.get(key)
                    for key in ("test", "severity", "failures", "status", "sample")
                }
            )
            continue
        if statement.get("kind") != "tests":
            continue
        payload = statement.get("results") or {}
        # Field names' case differs between the Data API and Step Functions' SDK integrations.
        columns = [_field(column, "name").lower() for column in payload.get("columns", [])]
        for record in payload.get("records", []):
            row = dict(zip(columns, (_value(field) for field in record), strict=True))
            results.append(
                {"test": row["test"], "severity": row["severity"], "failures": int(row["failures"])}
            )
    return results


def _field(mapping: dict[str, Any], name: str) -> Any:
    return next(value for key, value in mapping.items() if key.lower() == name)


def _value(field: dict[str, Any]) -> Any:
    """A Data API field ({"LongValue": 3}, {"StringValue": "x"}, {"IsNull": true}) as a value."""
    for key, value in field.items():
        if key.lower() == "isnull":
            if value:
                return None
            continue
        return value
    return None
