"""Landing in raw: the one way bytes enter the lake, whatever the kind of source.

Raw keys are laid out by :mod:`strata.lake.keys`; the bytes are never changed; metadata records
where they came from. Every landed object is queued in state
(``pending#<source>``) so discovery reads only new objects, not the whole lake.
"""

from __future__ import annotations

from datetime import datetime

from strata.lake import state_keys
from strata.lake.deliveries import record_delivery
from strata.state.base import StateStore


def raw_metadata(
    *, source: str, run_id: str, received_at: datetime, sha256: str, size: int, origin: str
) -> dict[str, str]:
    return {
        "strata-source": source,
        "strata-run-id": run_id,
        "strata-received-at": received_at.isoformat(timespec="microseconds"),
        "strata-sha256": sha256,
        "strata-size": str(size),
        "strata-origin": origin,
    }


def queue_for_conversion(
    state: StateStore, source: str, key: str, received_at: datetime, size: int | None = None
) -> None:
    """``size`` (bytes), when known, lets Discover cut its batches by bytes as well as count."""
    item = {"raw_key": key, "received_at": received_at.isoformat()}
    if size is not None:
        item["size"] = size
    state.put(state_keys.pending(source), key, item)
    record_delivery(state, source, key, received_at)
