"""First step of a run: which raw objects are new. Reads only the queue of landed objects
(``pending#<source>``), so a run costs what the new data costs, not what the lake holds.

Each object is claimed for the run (``claim#<source>``): two overlapping runs never convert
the same raw object; the loser simply leaves it to the winner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from strata.catalog.tables import table_for
from strata.runtime import Context, cleansed_location
from strata.state.claims import claim

DEFAULT_CONCURRENCY = 4
# Longer than the state machine's timeout: a live run never loses its claims.
CLAIM_TTL = timedelta(hours=3)


def claim_key(source: str) -> str:
    return f"claim#{source}"


def discover(ctx: Context, run_id: str, sources: list[str] | None = None) -> list[dict[str, str]]:
    names = sorted(sources or ctx.project.contracts)
    for name in names:
        ctx.project.contract(name)  # unknown names fail here, by name
    # Every source has its table from the start, so models over a source without data yet
    # build (empty) instead of failing: all of them, also in a run limited to some sources,
    # because the warehouse build reads every source.
    for name in sorted(ctx.project.contracts):
        contract = ctx.project.contract(name)
        ctx.ports.catalog.ensure_table(table_for(contract, cleansed_location(ctx.ports, name)))
    now = datetime.now(UTC)
    return [
        {"source": name, "raw_key": item["raw_key"]}
        for name in names
        for item in ctx.ports.state.query(f"pending#{name}")
        if claim(
            ctx.ports.state, claim_key(name), item["raw_key"], owner=run_id, now=now, ttl=CLAIM_TTL
        )
    ]


def discovery_output(ctx: Context, event: dict[str, Any]) -> dict[str, Any]:
    run_id = str(event.get("execution_name") or event.get("run_id"))
    options = event.get("input") or {}
    try:
        concurrency = max(1, int(event.get("convert_concurrency", DEFAULT_CONCURRENCY)))
    except (TypeError, ValueError):
        concurrency = DEFAULT_CONCURRENCY
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    items = discover(ctx, run_id, options.get("sources"))
    return {
        "run_id": run_id,
        "started_at": started_at,
        "items": items,
        "convert_concurrency": concurrency,
    }
