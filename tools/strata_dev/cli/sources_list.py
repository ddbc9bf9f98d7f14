"""``strata sources`` and ``strata sources list``: every source with its kind, schedule, last
delivery, the rows of its last run, its quarantine rate and its freshness status; a table on a
terminal, JSON with ``--json``.

``cli/sources.py`` (the command group, with ``new``) registers it through :func:`register`.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from strata.contracts.model import SourceContract
from strata.lake import state_keys
from strata.runtime import Context
from strata_dev.console import Console

# How each kind of source is started, when it has no schedule of its own.
ON_ARRIVAL = {"s3_drop": "on arrival", "manual": "on upload"}
HEADERS = (
    "source",
    "kind",
    "schedule",
    "last delivery",
    "rows last run",
    "quarantined",
    "freshness",
)


def register(actions: Any, group: argparse.ArgumentParser) -> None:
    """``list`` under the group's actions; the group alone lists too."""
    listing = actions.add_parser(
        "list",
        help="every source: kind, schedule, last delivery, last run's rows, freshness",
        description=(
            "Every source with its kind, schedule, last delivery (the newest raw object it "
            "landed), the rows of the last run that converted it, the share of them "
            "quarantined, and its freshness against the contract's SLA."
        ),
        epilog="example:\n  strata sources list\n  strata sources list --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for parser in (group, listing):
        parser.add_argument("--json", action="store_true", help="print JSON, one object each")
        parser.set_defaults(command=list_command)


def list_command(args: argparse.Namespace, console: Console) -> int:
    from strata_dev.cli.context import context_for

    rows = source_rows(context_for(args))
    if getattr(args, "json", False):
        console.line(json.dumps(rows, indent=2))
    else:
        print_rows(console, rows)
    return 0


def source_rows(ctx: Context, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per source, in name order."""
    from strata.orchestration.freshness import check_freshness

    contracts = ctx.project.contracts
    freshness = check_freshness(ctx, now=now or datetime.now(UTC))
    runs = last_runs(ctx, list(contracts))
    return [_row(contracts[name], freshness[name], runs.get(name)) for name in sorted(contracts)]


def last_runs(ctx: Context, sources: list[str]) -> dict[str, dict[str, Any]]:
    """Each source's counts in the newest run that converted some of it."""
    runs = sorted(
        ctx.ports.state.query(state_keys.RUN), key=lambda run: str(run["run_id"]), reverse=True
    )
    found: dict[str, dict[str, Any]] = {}
    for run in runs:
        for name, counts in (run.get("sources") or {}).items():
            if name in sources and name not in found:
                found[name] = {"run_id": run["run_id"], **counts}
    return found


def schedule_of(contract: SourceContract) -> str:
    if contract.kind in ON_ARRIVAL:
        return ON_ARRIVAL[contract.kind]
    from strata_dev.deploy.source_resources import DEFAULT_SCHEDULE

    return contract.schedule or DEFAULT_SCHEDULE


def _row(
    contract: SourceContract, freshness: dict[str, Any], run: dict[str, Any] | None
) -> dict[str, Any]:
    rows_in = run.get("rows_in", 0) if run else None
    quarantined = run.get("rows_quarantined", 0) if run else None
    rate = round(quarantined / rows_in, 4) if rows_in and quarantined is not None else None
    return {
        "source": contract.name,
        "kind": contract.kind,
        "schedule": schedule_of(contract),
        "last_delivery": freshness["last_delivery"],
        "age_hours": freshness["age_hours"],
        "last_run": run["run_id"] if run else None,
        "rows_in_last_run": rows_in,
        "rows_out_last_run": run.get("rows_out", 0) if run else None,
        "rows_quarantined_last_run": quarantined,
        "quarantine_rate": rate,
        "freshness": freshness["status"],
        "freshness_reason": freshness["reason"],
        "expected_every": freshness["expected_every"],
        "warn_after": freshness["warn_after"],
        "error_after": freshness["error_after"],
    }


def print_rows(console: Console, rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.line("no sources yet: add a contract to sources/ (`strata sources new`)")
        return
    console.table(HEADERS, [_cells(row) for row in rows])
    late = [row for row in rows if row["freshness"] in ("warn", "error")]
    for row in late:
        say = console.error if row["freshness"] == "error" else console.warn
        say(f"{row['source']}: {row['freshness']}, {row['freshness_reason']}")


def _cells(row: dict[str, Any]) -> tuple[Any, ...]:
    delivered = row["last_delivery"]
    when = "never" if delivered is None else f"{delivered[:16].replace('T', ' ')} UTC"
    rate = row["quarantine_rate"]
    return (
        row["source"],
        row["kind"],
        row["schedule"],
        when,
        "-" if row["rows_in_last_run"] is None else f"{row['rows_in_last_run']:,}",
        "-" if rate is None else f"{rate:.1%}",
        row["freshness"],
    )
