"""``strata runs``, ``strata runs show ID`` and ``strata replay``: what happened, and again."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from typing import Any

from strata.errors import ConfigError
from strata_dev.cli.context import context_for
from strata_dev.cli.outcome import conclude, print_summary
from strata_dev.console import Console


def register(sub: Any) -> None:
    from strata_dev.cli.help import command

    runs = command(
        sub,
        "runs",
        "list recent runs with their status, start and duration, or show one run's report",
        "strata runs\n  strata runs show <run id>",
    )
    runs.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    runs.add_argument("run_id", nargs="?", help="with `show`: the run to show")
    runs.add_argument("--limit", type=int, default=20)
    runs.set_defaults(command=lambda args, console: show_runs(context_for(args), args, console))

    replay = command(
        sub,
        "replay",
        "convert a range of raw again and rebuild the models",
        "strata replay --source orders --from 2026-11-01 --to 2026-11-03",
    )
    replay.add_argument("--source", required=True)
    replay.add_argument("--from", dest="start", required=True, type=date.fromisoformat)
    replay.add_argument("--to", dest="end", required=True, type=date.fromisoformat)
    replay.set_defaults(command=replay_range)


def show_runs(ctx: Any, args: argparse.Namespace, console: Console) -> int:
    if args.action == "show":
        if not args.run_id:
            raise ConfigError("`strata runs show` needs a run id (see `strata runs`)")
        return _show(ctx, args.run_id, console)
    from strata.orchestration.run_records import list_runs

    runs = list_runs(ctx.ports.state, ctx.ports.liveness, datetime.now(UTC))
    rows = []
    for run in runs[: args.limit]:
        totals = _totals(run.get("sources", {}))
        rows.append(
            (
                run["run_id"],
                run["status"],
                _when(run.get("started_at")),
                _duration(run.get("duration_seconds")),
                totals["files"],
                totals["rows_in"],
                totals["rows_out"],
                totals["rows_quarantined"],
            )
        )
    if not rows:
        console.line("no runs yet: `strata run` starts one")
        return 0
    console.table(
        ("run", "status", "started", "took", "files", "rows in", "rows out", "quarantined"), rows
    )
    return 0


def _show(ctx: Any, run_id: str, console: Console) -> int:
    from strata.errors import ObjectNotFoundError
    from strata.lake.keys import report_key

    try:
        report = json.loads(ctx.ports.artifacts.get_bytes(report_key(run_id)))
    except ObjectNotFoundError:
        return _show_unreported(ctx, run_id, console)
    console.line(
        f"run {report['run_id']}: {report['status']}, started {_when(report.get('started_at'))}, "
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
    for problem in report.get("problems", []):  # why the run is not a success
        console.warn(problem)
    return 0 if report.get("passed", report["status"] == "succeeded") else 1


def _show_unreported(ctx: Any, run_id: str, console: Console) -> int:
    """A run without a report: still running, or killed before its end (abandoned)."""
    from strata.orchestration.run_records import list_runs

    runs = list_runs(ctx.ports.state, ctx.ports.liveness, datetime.now(UTC))
    record = next((run for run in runs if run["run_id"] == run_id), None)
    if record is None:
        raise ConfigError(f"no run {run_id!r} (see `strata runs`)")
    console.line(
        f"run {run_id}: {record['status']}, started {_when(record.get('started_at'))}, "
        "no report (a run writes its report at its end)"
    )
    return 1


def _totals(sources: dict[str, dict[str, int]]) -> dict[str, int]:
    keys = ("files", "rows_in", "rows_out", "rows_quarantined")
    return {key: sum(int(source.get(key, 0)) for source in sources.values()) for key in keys}


def _when(timestamp: str | None) -> str:
    """A run's start in the terminal's local time, to the second."""
    if not timestamp:
        return "-"
    return datetime.fromisoformat(timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f}s"


def replay_range(args: argparse.Namespace, console: Console) -> int:
    from strata.orchestration.replay import queue_replay
    from strata_dev.local.run import PipelineOptions, check_sources, run_pipeline

    ctx = context_for(args)
    check_sources(ctx, [args.source])
    try:
        queued = queue_replay(ctx, args.source, args.start, args.end)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    console.step(f"replay: {len(queued)} raw object(s) of {args.source} queued again")
    options = PipelineOptions(sources=[args.source])
    outcome = run_pipeline(ctx, args.project_dir.resolve(), console, options)
    return conclude(ctx, outcome, console)
