"""Every object key layout of the lake, defined once.

| store | key | what |
| --- | --- | --- |
| raw | ``<source>/ingest_date=YYYY-MM-DD/run_id=<run id>/<original name>`` | bytes as received |
| cleansed | ``<source>/<partition>=<value>/<object id>.parquet`` | typed rows of one raw object |
| quarantine | ``<source>/rows/ingest_date=…/<object id>.ndjson`` | rejected rows, with reasons |
| quarantine | ``<source>/files/ingest_date=…/<object id>/`` | a rejected file and ``reason.json`` |
| artifacts | ``runs/<run id>/…`` | a run's items, conversion manifests, failures, report |
| artifacts | ``environments/<environment>/models.json`` | the models an environment was last built with |

A raw object's **object id** (a hash of its raw key) names everything derived from it, so
converting it again replaces its earlier outputs instead of adding to them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

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


def cleansed_key(source: str, partition_dir: str, file_name: str) -> str:
    """``partition_dir`` is the Hive folder the converter wrote, e.g. ``event_date=2026-11-01``."""
    return f"{source}/{partition_dir}/{file_name}"


def quarantined_rows_key(source: str, ingest_date: str, object_id: str) -> str:
    return f"{source}/rows/ingest_date={ingest_date}/{object_id}.ndjson"


def quarantined_file_prefix(source: str, ingest_date: str, object_id: str) -> str:
    return f"{source}/files/ingest_date={ingest_date}/{object_id}/"


def run_prefix(run_id: str) -> str:
    return f"runs/{run_id}/"


def items_key(run_id: str) -> str:
    """The items Discover found: the distributed Map reads them from here."""
    return f"runs/{run_id}/items.json"


def map_results_prefix(run_id: str) -> str:
    """Where the distributed Map writes its ResultWriter output."""
    return f"runs/{run_id}/map"


def conversion_manifest_key(run_id: str, raw_key: str) -> str:
    return f"runs/{run_id}/conversions/{raw_object_id(raw_key)}.json"


def failure_key(run_id: str, raw_key: str) -> str:
    return f"runs/{run_id}/failures/{raw_object_id(raw_key)}.json"


def warehouse_prefix(run_id: str) -> str:
    return f"runs/{run_id}/warehouse/"


def report_key(run_id: str) -> str:
    return f"runs/{run_id}/report.json"


def environment_state_key(environment: str) -> str:
    """The models an environment's schemas hold (checksums, relations, last build), rewritten
    by each of its builds: what ``state:modified``, ``--defer`` and ``promote`` compare with."""
    return f"environments/{environment}/models.json"
