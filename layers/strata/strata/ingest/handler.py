"""What every ingestion handler does around the library call: find its source, size its time
budget from the Lambda's, and publish the per-source metrics (files, bytes, records, duration).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from strata.errors import IngestError
from strata.ingest.exceptions import RunInProgressError
from strata.ingest.ledger import record_attempt
from strata.observability import Handler, count, lambda_entry, logger
from strata.runtime import Context, current

# Left to the function after the run's budget: writing the manifest, flushing metrics.
SAFETY_MARGIN_SECONDS = 30.0


def source_of(ctx: Context, event: dict[str, Any]) -> str:
    """The function's own source (``STRATA_SOURCE``); an event may name it, never another."""
    pinned, asked = ctx.settings.source, (event or {}).get("source")
    if pinned and asked and asked != pinned:
        raise IngestError(f"this function ingests {pinned!r}, not {asked!r}")
    source = pinned or asked
    if not source:
        raise IngestError("no source: set STRATA_SOURCE or pass {'source': <name>}")
    return str(source)


def budget_from(context: Any) -> float | None:
    remaining: Callable[[], int] | None = getattr(context, "get_remaining_time_in_millis", None)
    return None if remaining is None else max(1.0, remaining() / 1000 - SAFETY_MARGIN_SECONDS)


@contextmanager
def measured(source: str) -> Iterator[None]:
    """Duration and failures of a run, as metrics of its source."""
    started = time.monotonic()
    try:
        yield
    except Exception as exc:
        count("IngestFailures", 1, source)
        logger.error("ingestion failed", extra={"source": source, "error": str(exc)})
        raise
    finally:
        count("IngestDuration", time.monotonic() - started, source, MetricUnit.Seconds)


@contextmanager
def attempt_recorded(ctx: Context, source: str) -> Iterator[dict[str, Any]]:
    """The attempt's outcome in the state store, where the next run's status reads it: failed
    when it raised or when its summary (yielded, for the caller to fill) says ``failed`` (an
    SFTP file that could not be stored). A run refused because another holds the source is no
    attempt: the holder records its own."""
    summary: dict[str, Any] = {}
    try:
        yield summary
    except RunInProgressError:
        raise
    except Exception as exc:
        record_attempt(ctx.ports.state, source, datetime.now(UTC), f"{type(exc).__name__}: {exc}")
        raise
    error = summary.get("error") if summary.get("status") == "failed" else None
    if error:
        count("IngestFailures", 1, source)
    record_attempt(ctx.ports.state, source, datetime.now(UTC), error)


def publish(summary: dict[str, Any], files_key: str) -> dict[str, Any]:
    """Log a run's summary and count what it landed."""
    source = summary["source"]
    logger.info("ingestion finished", extra=summary)
    count("FilesLanded", summary.get(files_key, 0), source)
    count("BytesLanded", summary.get("bytes", 0), source, MetricUnit.Bytes)
    if summary.get("records") is not None:
        count("RecordsLanded", summary["records"], source)
    return summary


def scheduled_handler(ingest: Callable[..., Any], files_key: str) -> Handler:
    """The Lambda handler of a scheduled ingestion: ``ingest(ctx, source, budget_seconds=…)``
    for the function's source, measured, its summary logged and counted."""

    @lambda_entry(correlation_id_path="source")
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        ctx = current()
        source = source_of(ctx, event)
        with measured(source), attempt_recorded(ctx, source) as summary:
            summary.update(ingest(ctx, source, budget_seconds=budget_from(context)).summary())
        return publish(summary, files_key=files_key)

    return lambda_handler
