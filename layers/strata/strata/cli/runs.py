"""``strata runs``, ``strata runs show ID`` and ``strata replay``: what happened, and again."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import date
from typing import Any

from strata.cli.console import Console
from strata.errors import ConfigError


def register(sub: Any) -> None:
    from strata.cli import commands

    runs = sub.add_parser("runs", help="list recent runs, or show one")
    runs.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    runs.add_argument("run_id", nargs="?", help="with `show`: the run to show")
    runs.add_argument("--limit", type=int, default=20)
    runs.set_defaults(
        command=lambda args, console: show_runs(commands.context_for(args), args, console)
    )

    replay = sub.add_parser("replay", help="convert a range of raw again and rebuild the models")
    replay.add_argument("--source", required=True)
    replay.add_argument("--from", dest="start", required=True, type=date.fromisoformat)
    replay.add_argument("--to", dest="end", required=True, type=date.fromisoformat)
    replay.set_defaults(command=commands.replay)


def show_runs(ctx: Any, args: argparse.Namespace, console: Console) -> int:
    if args.action == "show":
        if not args.run_id:
            raise ConfigError("`strata runs show` needs a run id (see `strata runs`)")
        return _show(ctx, args.run_id, console)
    runs = sorted(ctx.ports.state.query("run"), key=lambda run: run["run_id"], reverse=True)
    rows = []
    for run in runs[: args.limit]:
        totals = _totals(run.get("sources", {}))
        rows.append(
            (
                run["run_id"],
                run["status"],
                totals["files"],
                totals["rows_in"],
                totals["rows_out"],
                totals["rows_quarantined"],
                _duration(run.get("duration_seconds")),
            )
        )
    console.table(("run", "status", "files", "rows in", "rows out", "quarantined", "took"), rows)
    return 0


def _show(ctx: Any, run_id: str, console: Console) -> int:
    from strata.errors import ObjectNotFoundError
    from strata.orchestration.report import report_key

    try:
        report = json.loads(ctx.ports.artifacts.get_bytes(report_key(run_id)))
    except ObjectNotFoundError:
        raise ConfigError(f"no run {run_id!r} (see `strata runs`)") from None
    console.line(
        f"run {report['run_id']}: {report['status']}, started {report.get('started_at')}, "
        f"took {_duration(report.get('duration_seconds'))}"
    )
    print_summary(console, report)
    console.line()
    console.table(
        ("file", "status", "rows in", "rows out", "quarantined", "reason"),
        [
            (
                f["raw_key"],
                f["status"],
                f.get("rows_in", ""),
                f.get("rows_out", ""),
                f.get("rows_quarantined", ""),
                f.get("reason") or f.get("error") or "",
            )
            for f in report.get("files", [])
        ],
    )
    if report.get("error"):
        console.warn(f"run error: {report['error'].get('Error')}: {report['error'].get('Cause')}")
    return 0 if report["status"] == "succeeded" else 1


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
    console.table(
        ("source", "files", "rows in", "rows out", "quarantined", "files rejected", "drift"), rows
    )
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


def _totals(sources: dict[str, dict[str, int]]) -> dict[str, int]:
    keys = ("files", "rows_in", "rows_out", "rows_quarantined")
    return {key: sum(int(source.get(key, 0)) for source in sources.values()) for key in keys}


def _duration(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f}s"
