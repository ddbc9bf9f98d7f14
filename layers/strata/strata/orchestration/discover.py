"""First step of a run: which raw objects are new. Reads only the queue of landed objects
(``pending#<source>``), so a run costs what the new data costs, not what the lake holds.

Each object is claimed for the run (``claim#<source>``): two overlapping runs never convert
the same raw object; the loser simply leaves it to the winner. A claim whose run died (a killed
process, an execution no longer RUNNING) is taken over at once.

The objects are put in batches, each converted by one invocation (:mod:`.batches`). The full
item list always goes to the artifacts store (``runs/<run>/items.json``), and so do the batches
(``runs/<run>/batches.json``); the output carries the batches themselves only for an inline
Map. Above the inline limit the state machine takes the distributed Map, which reads the
batches' file itself, so the execution state stays small whatever the number of new objects
(its payload limit is 256 KB)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Literal

from strata.catalog.tables import table_for
from strata.lake import claims, state_keys
from strata.lake.keys import batches_key, items_key, map_results_prefix
from strata.lake.payloads import DiscoveredItem, DiscoverInput, DiscoverOutput
from strata.observability import logger
from strata.orchestration import run_records
from strata.orchestration.batches import (
    DEFAULT_BATCH_BYTES,
    DEFAULT_BATCH_OBJECTS,
    batch_size,
    batched,
)
from strata.runtime import Context, cleansed_location

DEFAULT_CONCURRENCY = 4
# The template's InlineMapLimit default. An inline item stays in the state for the whole run and
# its trimmed conversion result joins it (~300 bytes together for a typical raw key): 500 of
# them keep the state near 160 KB, with room for the warehouse summary.
DEFAULT_INLINE_LIMIT = 500
# Whatever the count, items whose JSON passes this many bytes go distributed (long raw keys).
INLINE_ITEMS_BYTES = 64 * 1024
# Longer than the state machine's timeout: a live run never loses its claims. Only an owner
# whose liveness cannot be told waits for it; a dead one is seen at once.
CLAIM_TTL = timedelta(hours=3)


def discover(
    ctx: Context,
    run_id: str,
    sources: list[str] | None = None,
    execution_arn: str | None = None,
) -> list[DiscoveredItem]:
    return [item for item, _ in discover_sized(ctx, run_id, sources, execution_arn)]


def discover_sized(
    ctx: Context,
    run_id: str,
    sources: list[str] | None = None,
    execution_arn: str | None = None,
) -> list[tuple[DiscoveredItem, int]]:
    """The objects claimed for the run, each with its size as queued (0 when unknown)."""
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
    claimant = claims.Claimant.of(ctx.ports.liveness, run_id, execution_arn)
    return [
        (DiscoveredItem(source=name, raw_key=item["raw_key"]), int(item.get("size") or 0))
        for name in names
        for item in ctx.ports.state.query(state_keys.pending(name))
        if isinstance(
            claims.take(
                ctx.ports.state,
                state_keys.conversion_claim(name),
                item["raw_key"],
                claimant,
                now=now,
                lease=CLAIM_TTL,
            ),
            claims.Claim,
        )
    ]


def discovery_output(ctx: Context, event: DiscoverInput) -> DiscoverOutput:
    run_id = event.execution_name
    options = event.run_input
    concurrency = _number(event.convert_concurrency, DEFAULT_CONCURRENCY, minimum=1)
    inline_limit = _number(event.inline_map_limit, DEFAULT_INLINE_LIMIT, minimum=0)
    owner = ctx.ports.liveness.owner(event.execution_arn)
    record = run_records.record_start(
        ctx.ports.state,
        run_id,
        owner,
        datetime.now(UTC),
        options.sources,
        {"allow_deferred": options.allow_deferred},
    )
    sized = discover_sized(ctx, run_id, options.sources, event.execution_arn)
    items = [item for item, _ in sized]
    most = _number(event.batch_objects, DEFAULT_BATCH_OBJECTS, minimum=1)
    batches = batched(
        sized,
        batch_size(len(sized), most, concurrency),
        _number(event.batch_bytes, DEFAULT_BATCH_BYTES, minimum=1),
    )
    # The same text as before the payload models (its size decides the Map).
    listing = json.dumps([item.dump() for item in items]).encode("utf-8")
    ctx.ports.artifacts.put_bytes(items_key(run_id), listing)
    batch_listing = json.dumps([batch.dump() for batch in batches]).encode("utf-8")
    ctx.ports.artifacts.put_bytes(batches_key(run_id), batch_listing)
    inline = len(items) <= inline_limit and len(batch_listing) <= INLINE_ITEMS_BYTES
    logger.info(
        "discovered",
        extra={
            "run_id": run_id,
            "objects": len(items),
            "batches": len(batches),
            "map_mode": _mode(inline),
        },
    )
    return DiscoverOutput(
        run_id=run_id,
        started_at=record["started_at"],
        convert_concurrency=concurrency,
        item_count=len(items),
        batch_count=len(batches),
        map_mode=_mode(inline),
        batches=batches if inline else [],
        artifacts_bucket=ctx.ports.artifacts.bucket,
        items_key=items_key(run_id),
        batches_key=batches_key(run_id),
        results_prefix=map_results_prefix(run_id),
    )


def _mode(inline: bool) -> Literal["inline", "distributed"]:
    return "inline" if inline else "distributed"


def _number(value: str | int | None, default: int, minimum: int) -> int:
    """A substituted template parameter (a string in the payload); the default when unusable."""
    try:
        return max(minimum, int(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
