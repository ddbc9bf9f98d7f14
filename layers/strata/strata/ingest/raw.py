"""Landing in raw: the one way bytes enter the lake, whatever the kind of source.

Raw keys: ``<source>/ingest_date=YYYY-MM-DD/run_id=<run id>/<original name>``; the bytes are
never changed; metadata records where they came from. Every landed object is queued in state
(``pending#<source>``) so discovery reads only new objects, not the whole lake.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from strata.state import keys
from strata.state.base import StateStore

RAW_KEY = re.compile(
    r"^(?P<source>[a-z][a-z0-9_]*)/ingest_date=(?P<date>\d{4}-\d{2}-\d{2})/"
    r"run_id=(?P<run_id>[0-9TZ]+-[0-9a-f]{8})/(?P<name>[^/]+)$"
)


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def raw_key(source: str, received_at: datetime, run_id: str, original_name: str) -> str:
    name = PurePosixPath(original_name).name or "object"
    return f"{source}/ingest_date={received_at:%Y-%m-%d}/run_id={run_id}/{name}"


def raw_object_id(key: str) -> str:
    """Deterministic id of a raw object: its cleansed files and manifests are named by it."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class RawKey:
    source: str
    ingest_date: str
    run_id: str
    name: str

    @classmethod
    def parse(cls, key: str) -> RawKey:
        match = RAW_KEY.match(key)
        if not match:
            raise ValueError(f"not a raw key: {key!r}")
        return cls(match["source"], match["date"], match["run_id"], match["name"])


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


def queue_for_conversion(state: StateStore, source: str, key: str, received_at: datetime) -> None:
    state.put(keys.pending(source), key, {"raw_key": key, "received_at": received_at.isoformat()})
