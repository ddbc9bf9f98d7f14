"""What the ingestion keeps per source (keys in :mod:`strata.lake.state_keys`): the source's lock,
an API source's watermark, its last attempt, and the landing ledger of SFTP files and drops.

Ledger entries and the source lock are claims (:mod:`strata.lake.claims`): the first writer
wins; a claim left by a run that died is taken over (at once when its owner is known dead,
else when its lease runs out), and the takeover reuses the claim's raw key, so a retried landing
overwrites the same raw object instead of adding a second copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from strata.ingest.exceptions import RunInProgressError
from strata.lake import claims, state_keys
from strata.liveness.base import LeaseOnly, Liveness
from strata.state.base import StateStore

_NO_LIVENESS = LeaseOnly()


def ingest_pk(source: str) -> str:
    return state_keys.ingest(source)


def landed_pk(source: str) -> str:
    return state_keys.landed(source)


@contextmanager
def source_lock(
    state: StateStore,
    source: str,
    run_id: str,
    now: datetime,
    hold: timedelta,
    liveness: Liveness = _NO_LIVENESS,
) -> Iterator[None]:
    """One run per source at a time (a schedule firing while a slow run is still going)."""
    claimant = claims.Claimant.of(liveness, run_id)
    taken = claims.take(
        state, state_keys.ingest(source), state_keys.INGEST_LOCK, claimant, now=now, lease=hold
    )
    if isinstance(taken, claims.Held):
        raise RunInProgressError(
            f"{claims.describe(taken, liveness)} is in progress "
            f"(its lease holds until {taken.item.get('lease_until')})",
            source=source,
        )
    try:
        yield
    finally:
        claims.release(state, taken)


@dataclass(frozen=True)
class Claim:
    """A claimed delivery: ``raw_key`` is where it lands (the earlier claim's on a takeover)."""

    pk: str
    sk: str
    raw_key: str
    run_id: str
    held: claims.Claim


def claim(
    state: StateStore,
    pk: str,
    sk: str,
    *,
    raw_key: str,
    run_id: str,
    now: datetime,
    expiry: timedelta,
    extra: dict[str, Any] | None = None,
    liveness: Liveness = _NO_LIVENESS,
) -> Claim | None:
    """Claim a delivery before landing it; None when it is landed or being landed already
    (:func:`holder` says which)."""
    claimant = claims.Claimant.of(liveness, run_id)
    data = {"raw_key": raw_key, **(extra or {})}
    taken = claims.take(
        state,
        pk,
        sk,
        claimant,
        now=now,
        lease=expiry,
        data=data,
        keep=("raw_key",),
        reentrant=False,
    )
    if isinstance(taken, claims.Held):
        return None
    return Claim(pk, sk, taken.data["raw_key"], taken.taken_from or run_id, taken)


def holder(state: StateStore, pk: str, sk: str) -> claims.Held | None:
    """Who holds a delivery's ledger entry: landed (done) or a run landing it now."""
    item = state.get(pk, sk)
    return None if item is None else claims.held_by(item)


def release(state: StateStore, claim_: Claim) -> None:
    """Forget a claim whose landing failed, so the next run lands the delivery whole."""
    claims.release(state, claim_.held)


def mark_landed(state: StateStore, claim_: Claim, now: datetime, **details: Any) -> None:
    record = {"status": "landed", "raw_key": claim_.raw_key, "at": now.isoformat(), **details}
    claims.complete(state, claim_.held, record)


def record_attempt(
    state: StateStore, source: str, now: datetime, error: str | None = None, **details: Any
) -> None:
    """A source's last ingestion attempt, ok or failed: a run's status counts the failed ones."""
    item = {
        "source": source,
        "status": "failed" if error else "ok",
        "at": now.isoformat(timespec="seconds"),
        "error": error,
        **details,
    }
    state.put(state_keys.ingest(source), state_keys.INGEST_LAST, item)


def last_attempts(state: StateStore, sources: list[str]) -> dict[str, dict[str, Any]]:
    found = {
        source: state.get(state_keys.ingest(source), state_keys.INGEST_LAST) for source in sources
    }
    return {source: item for source, item in found.items() if item is not None}
