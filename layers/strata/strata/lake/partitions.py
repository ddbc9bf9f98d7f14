"""Where each cleansed partition's live files are, and the lock its writers take.

A partition starts in its Hive folder (``<source>/event_date=2026-11-01/``). Compaction writes
the partition's rows again, in a few large files, into a new **version** folder
(``<source>/_compacted/event_date=2026-11-01/v<version>/``) and then points the catalog's
partition at it in one call: S3 has no atomic rename, but a catalog partition has one location,
so a reader (Spectrum, Athena, awswrangler, the local views) sees the old version or the new
one, never both and never neither. The old version's files are deleted only after a grace
period, when no query planned against it can still be reading them.

The state store keeps, per partition (``partition#<source>``), the folder new files go to (the
live version), and the retired versions waiting for deletion (``retired#<source>``); every
writer of a partition (a
conversion adding its file, a compaction swapping the version) holds the partition's lock
(``lock#partition#<source>``) while it reads that folder and writes, so a file can never be
added to a version that is being replaced.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from strata.catalog.base import partition_folder
from strata.errors import TransientError
from strata.lake import claims, state_keys
from strata.liveness.base import Liveness
from strata.state.base import StateStore

# Longer than a Lambda may run: a live holder never loses the lock.
LOCK_LEASE = timedelta(minutes=15)
LOCK_WAIT_SECONDS = 120.0


@dataclass
class PartitionState:
    """A partition's live folder (a key prefix in the cleansed store, ending in ``/``) and its
    version (``None``: its Hive folder, never compacted)."""

    source: str
    folder: str  # ``event_date=2026-11-01/``
    prefix: str
    version: str | None = None


def hive_prefix(source: str, folder: str) -> str:
    return f"{source}/{folder}"


def version_prefix(source: str, folder: str, version: str) -> str:
    """A compacted version's folder. Its name holds no ``=``: the partition's Hive key appears
    once in the path, as in the Hive folder, so a reader parsing Hive paths finds the same key."""
    return f"{source}/_compacted/{folder}v{version}/"


def staged_prefix(source: str, folder: str) -> str:
    """Where a replayed object's new files wait, invisible, for the compaction that swaps
    them in with its earlier rows taken out (those rows are inside compacted files)."""
    return f"{source}/_staged/{folder}"


def current(state: StateStore, source: str, partition: dict[str, str]) -> PartitionState:
    folder = partition_folder(partition)
    item = state.get(state_keys.partition(source), folder)
    if item is None:
        return PartitionState(source, folder, hive_prefix(source, folder))
    return PartitionState(source, folder, item["prefix"], item.get("version"))


def save(state: StateStore, partition: PartitionState) -> None:
    state.put(
        state_keys.partition(partition.source),
        partition.folder,
        {"prefix": partition.prefix, "version": partition.version},
    )


def mark_touched(
    state: StateStore, source: str, partition: dict[str, str], replaced: str | None = None
) -> None:
    """The partition got new files: the next compaction looks at it. ``replaced``: a raw key
    whose earlier rows, inside compacted files, the compaction must take out (its new rows
    wait in the staged folder). Called with the partition's lock held."""
    folder = partition_folder(partition)
    item = state.get(state_keys.compaction_queue(source), folder) or {}
    listed = sorted({*item.get("replaced", []), *([replaced] if replaced else [])})
    state.put(
        state_keys.compaction_queue(source),
        folder,
        {"partition": partition, "replaced": listed, "at": datetime.now(UTC).isoformat()},
    )


def touched(state: StateStore, source: str) -> list[dict[str, str]]:
    return [item["partition"] for item in state.query(state_keys.compaction_queue(source))]


def replaced(state: StateStore, source: str, partition: dict[str, str]) -> list[str]:
    item = state.get(state_keys.compaction_queue(source), partition_folder(partition)) or {}
    return list(item.get("replaced", []))


def untouch(state: StateStore, source: str, partition: dict[str, str]) -> None:
    """The compaction is done with the partition (called with its lock held)."""
    state.delete(state_keys.compaction_queue(source), partition_folder(partition))


@contextmanager
def locked(
    state: StateStore,
    liveness: Liveness,
    source: str,
    partition: dict[str, str],
    run_id: str,
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Iterator[PartitionState]:
    """Hold the partition's lock (waiting for another writer to finish) and yield where its
    live files are. A lock held past ``wait_seconds`` raises :class:`TransientError`."""
    folder = partition_folder(partition)
    pk = state_keys.partition_lock(source)
    # One claimant per holder: two batches of the same run must exclude each other too.
    claimant = claims.Claimant(f"{run_id}#{uuid.uuid4().hex[:8]}", liveness.owner(), liveness)
    deadline = time.monotonic() + wait_seconds
    pause = 0.005
    while True:
        taken = claims.take(
            state, pk, folder, claimant, now=datetime.now(UTC), lease=LOCK_LEASE, reentrant=False
        )
        if isinstance(taken, claims.Claim):
            break
        if time.monotonic() > deadline:
            raise TransientError(
                f"partition {source}/{folder} is locked by "
                f"{claims.describe(taken, liveness)}; try again"
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.5)
    try:
        yield current(state, source, partition)
    finally:
        claims.release(state, taken)
