"""State the ingestion keeps per source, next to the landing ledger of S3 drops:

| ``pk`` | ``sk`` | Meaning |
| --- | --- | --- |
| ``ingest#<source>`` | ``lock`` | the run in progress and until when its lock holds |
| ``ingest#<source>`` | ``watermark`` | an API source's committed cursor and the run that set it |
| ``landed#<source>`` | ``<remote path>#<size>#<mtime>`` (or ``#sha256:…``) | SFTP file landed |

Claims are conditional writes: the first writer wins; a claim left by a run that died is taken
over once it expires, and the takeover reuses the claim's raw key, so a retried landing
overwrites the same raw object instead of adding a second copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from strata.errors import ConditionFailedError
from strata.ingest.exceptions import RunInProgressError
from strata.state.base import StateStore


def ingest_pk(source: str) -> str:
    return f"ingest#{source}"


def landed_pk(source: str) -> str:
    return f"landed#{source}"


@contextmanager
def source_lock(
    state: StateStore, source: str, run_id: str, now: datetime, hold: timedelta
) -> Iterator[None]:
    """One run per source at a time (a schedule firing while a slow run is still going)."""
    pk, item = ingest_pk(source), {"run_id": run_id, "expires_at": (now + hold).isoformat()}
    try:
        state.put(pk, "lock", item, if_absent=True)
    except ConditionFailedError:
        holder = state.get(pk, "lock") or {}
        expires = holder.get("expires_at")
        if expires and datetime.fromisoformat(expires) > now:
            raise RunInProgressError(
                f"run {holder.get('run_id')} is in progress (its lock holds until {expires})",
                source=source,
            ) from None
        state.put(pk, "lock", item)  # the holder died: its lock expired
    try:
        yield
    finally:
        holder = state.get(pk, "lock") or {}
        if holder.get("run_id") == run_id:
            state.delete(pk, "lock")


@dataclass(frozen=True)
class Claim:
    """A claimed delivery: ``raw_key`` is where it lands (the earlier claim's on a takeover)."""

    pk: str
    sk: str
    raw_key: str
    run_id: str


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
) -> Claim | None:
    """Claim a delivery before landing it; None when it is landed or being landed already."""
    item = {"status": "landing", "at": now.isoformat(), "raw_key": raw_key, "run_id": run_id}
    item.update(extra or {})
    try:
        state.put(pk, sk, item, if_absent=True)
        return Claim(pk, sk, raw_key, run_id)
    except ConditionFailedError:
        existing = state.get(pk, sk) or {}
    stale = existing.get("status") == "landing" and (
        datetime.fromisoformat(existing["at"]) < now - expiry
    )
    if not stale:
        return None
    item.update(raw_key=existing.get("raw_key", raw_key), run_id=existing.get("run_id", run_id))
    state.put(pk, sk, item)
    return Claim(pk, sk, item["raw_key"], item["run_id"])


def release(state: StateStore, claim_: Claim) -> None:
    """Forget a claim whose landing failed, so the next run lands the delivery whole."""
    state.delete(claim_.pk, claim_.sk)


def mark_landed(state: StateStore, claim_: Claim, now: datetime, **details: Any) -> None:
    state.put(
        claim_.pk,
        claim_.sk,
        {"status": "landed", "raw_key": claim_.raw_key, "at": now.isoformat(), **details},
    )
