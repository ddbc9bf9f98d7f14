"""A source's last delivery: the newest raw object it landed, which its freshness is judged by.

Every landing records it in one state item (``ingest#<source>`` / ``delivered``), so reading it
costs one lookup however long the source's history. A replay queues old objects again: the item
only ever moves forward in time. A lake whose sources landed before the item existed falls back
to a listing of the source's raw prefix until its next delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from strata.errors import ConditionFailedError
from strata.lake import state_keys
from strata.state.base import StateStore
from strata.storage.base import ObjectStore

# Two landings of one source racing: the loser reads the winner's item and tries once more.
ATTEMPTS = 3


@dataclass(frozen=True)
class Delivery:
    raw_key: str
    received_at: datetime


def record_delivery(state: StateStore, source: str, raw_key: str, received_at: datetime) -> None:
    """Remember ``raw_key`` as the source's last delivery unless a newer one is recorded."""
    pk, sk = state_keys.ingest(source), state_keys.INGEST_DELIVERED
    item = {"raw_key": raw_key, "received_at": received_at.isoformat()}
    for _ in range(ATTEMPTS):
        current = state.get(pk, sk)
        if current is not None and _received(current) >= received_at:
            return
        match = None if current is None else ("received_at", current["received_at"])
        try:
            state.put(pk, sk, item, if_absent=current is None, if_match=match)
            return
        except ConditionFailedError:
            continue


def last_delivery(state: StateStore, raw: ObjectStore, source: str) -> Delivery | None:
    """The source's newest landed raw object, or None when it never delivered."""
    item = state.get(state_keys.ingest(source), state_keys.INGEST_DELIVERED)
    if item is not None:
        return Delivery(str(item["raw_key"]), _received(item))
    newest = max(raw.list(f"{source}/"), key=lambda info: info.last_modified, default=None)
    return None if newest is None else Delivery(newest.key, newest.last_modified)


def _received(item: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(item["received_at"]))
