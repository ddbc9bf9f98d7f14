"""Claims: conditional writes that let exactly one worker own a piece of work.

Two overlapping runs (or two deliveries of one event) race to write the same item; the
conditional write lets one win. A claim left by a worker that died is taken over once it is
older than its time-to-live; the owner itself may claim again (a retried step).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from strata.errors import ConditionFailedError
from strata.state.base import StateStore

CLAIMED = "claimed"


def claim(
    state: StateStore, pk: str, sk: str, *, owner: str, now: datetime, ttl: timedelta
) -> bool:
    """True when ``owner`` holds the claim after this call."""
    item = {"status": CLAIMED, "owner": owner, "at": now.isoformat()}
    try:
        state.put(pk, sk, item, if_absent=True)
        return True
    except ConditionFailedError:
        existing = state.get(pk, sk) or {}
    if existing.get("status") != CLAIMED:
        return False  # the work is done (e.g. a landing ledger entry)
    stale = datetime.fromisoformat(existing["at"]) < now - ttl
    if existing.get("owner") == owner or stale:
        state.put(pk, sk, item)
        return True
    return False


def release(state: StateStore, pk: str, sk: str, *, owner: str) -> None:
    """Give a claim back (its work failed and may be retried by the next run)."""
    existing = state.get(pk, sk) or {}
    if existing.get("status") == CLAIMED and existing.get("owner") == owner:
        state.delete(pk, sk)
