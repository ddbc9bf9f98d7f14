"""Replay and backfill: raw is the system of record, so any range of it can be converted
again. Replaying queues the raw objects of the range for conversion; the next run converts
them (deterministic names replace the earlier output exactly) and rebuilds the models."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from strata.ingest.raw import queue_for_conversion
from strata.lake.keys import RawKey
from strata.runtime import Context


def queue_replay(ctx: Context, source: str, start: date, end: date) -> list[str]:
    """Queue every raw object of ``source`` that landed between the dates (inclusive)."""
    ctx.project.contract(source)
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    queued = []
    day = start
    while day <= end:
        for info in ctx.ports.raw.list(f"{source}/ingest_date={day.isoformat()}/"):
            parsed = RawKey.parse(info.key)
            queue_for_conversion(
                ctx.ports.state, source, info.key, _landed(ctx, info.key, parsed), info.size
            )
            queued.append(info.key)
        day += timedelta(days=1)
    return queued


def _landed(ctx: Context, key: str, parsed: RawKey) -> datetime:
    received = ctx.ports.raw.head(key).metadata.get("strata-received-at")
    if received:
        return datetime.fromisoformat(received)
    return datetime.fromisoformat(parsed.ingest_date).replace(tzinfo=UTC)
