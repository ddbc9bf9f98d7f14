"""What ``strata run`` and ``strata replay`` print at their end: the run's summary, its problems,
and the exit code that agrees with the run's status."""

from __future__ import annotations

from collections import Counter
from typing import Any

from strata.runtime import Context
from strata_dev.cli.context import log_path
from strata_dev.console import Console


def conclude(ctx: Context, outcome: Any, console: Console) -> int:
    print_summary(console, outcome.report)
    status = outcome.report.get("status", "failed")
    if outcome.succeeded:
        console.success(f"run {outcome.run_id} {status}")
        return 0
    for problem in outcome.report.get("problems", []):
        console.error(problem)
    error = outcome.report.get("error") or {}
    if error:
        console.error(f"{error.get('Error')}: {error.get('Cause')}")
    elif outcome.execution.status != "SUCCEEDED" and status == "succeeded":
        # The report says succeeded but the execution did not: never print success then.
        status = "failed"
        console.error(f"execution {outcome.execution.error}: {outcome.execution.cause}")
    hint = " (pass --allow-deferred to accept that)" if status == "deferred" else ""
    console.error(f"run {outcome.run_id} {status}{hint}: see `strata runs show {outcome.run_id}`")
    console.warn(f"the functions' log lines are in {log_path(ctx.settings)}")
    return 1


def print_summary(console: Console, report: dict[str, Any]) -> None:
    rows = [
        (
            name,
            s["files"],
            s["rows_in"],
            s["rows_out"],
            s["rows_quarantined"],
            s["files_quarantined"] + s["files_failed"],
            ", ".join(s.get("drift", [])) or "-",
        )
        for name, s in report.get("sources", {}).items()
    ]
    console.line()
    if rows:
        console.table(
            ("source", "files", "rows in", "rows out", "quarantined", "files rejected", "drift"),
            rows,
        )
    else:
        console.line("nothing new: no raw object waited for conversion")
    tests = report.get("tests", [])
    count = Counter(test.get("status") for test in tests)
    others = ", ".join(
        f"{label}: {count[status]}"
        for status, label in (
            ("warn", "warned"),
            ("fail", "failed"),
            ("error", "errored"),
            ("skipped", "skipped"),
        )
        if count[status]
    )
    console.line()
    built = len(report.get("models", []))
    console.line(
        f"models built: {built}   tests passed: {count['pass']}/{len(tests)}"
        + (f" ({others})" if others else "")
    )
    if report.get("warehouse_status") == "deferred":
        console.warn(f"models deferred: {report.get('warehouse_message')}")
    for name, source in report.get("sources", {}).items():
        if source.get("files_rows_unknown"):
            console.warn(
                f"{name}: {source['files_rows_unknown']} file(s) quarantined whole before any "
                "row could be read: their rows are not in the counts above"
            )
    # A distributed Map's iterations are child executions, absent from the run's progress:
    # the summary names every failed file, whichever Map converted it.
    for file in report.get("files", []):
        if file.get("status") == "failed":
            console.warn(
                f"file {file.get('raw_key')} failed: {file.get('error')}: {file.get('cause')}"
            )
    for model in report.get("models_failed", []):
        console.warn(f"model {model['name']} {model['status']}: {model.get('message')}")
    for test in tests:
        if test.get("status") in ("warn", "fail", "error"):
            detail = f"{test['failures']} failing rows" if test.get("failures") else test["status"]
            console.warn(f"test {test['test']} ({test['severity']}): {detail}")
    print_freshness(console, report.get("freshness", {}))


def print_freshness(console: Console, freshness: dict[str, dict[str, Any]]) -> None:
    """One line per late source, then how many are on time."""
    late = {name: row for name, row in freshness.items() if row.get("status") in ("warn", "error")}
    for name, row in late.items():
        say = console.error if row["status"] == "error" else console.warn
        say(f"freshness {name}: {row['status']}, {row['reason']}")
    judged = sum(row.get("status") != "unchecked" for row in freshness.values())
    if judged:
        console.line(f"freshness: {judged - len(late)}/{judged} sources on time")
