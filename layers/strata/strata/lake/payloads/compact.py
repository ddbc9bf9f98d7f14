"""Compact's payloads: what the Compact state sends after the conversions, and its summary."""

from __future__ import annotations

from strata.lake.payloads.base import Payload


class CompactInput(Payload):
    """The Compact state's Payload. ``target_bytes`` is a template parameter substituted into
    the definition, hence text; Compact falls back to its default when it is unusable."""

    run_id: str
    target_bytes: str | int | None = None
    grace_seconds: str | int | None = None


class PartitionCompaction(Payload):
    """One partition's compaction: its files before and after, or why it was left alone."""

    source: str
    partition: dict[str, str]
    status: str  # compacted, compact (nothing to do), failed, left (for the next run: no time)
    files_before: int = 0
    files_after: int = 0
    rows: int = 0
    location: str | None = None
    error: str | None = None


class CompactOutput(Payload):
    """Compact's result, ``$.compaction``: the counts the state keeps; the partitions' details
    go to ``runs/<run>/compaction.json``."""

    partitions: int
    files_before: int
    files_after: int
