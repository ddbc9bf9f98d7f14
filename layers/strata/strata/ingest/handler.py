"""What every ingestion handler does around the library call: find its source, size its time
budget from the Lambda's, and publish the per-source metrics (files, bytes, records, duration).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from strata.errors import IngestError
from strata.ingest.exceptions import RunInProgressError
from strata.ingest.ledger import record_attempt
from strata.ingest.s3_drop import LandingResult, land_notified
from strata.ingest.uploads import PresignedUpload, presign_upload
from strata.lake.payloads import PresignInput, ScheduledInput
from strata.observability import logger, measure
from strata.runtime import Context

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parser.models import S3EventNotificationEventBridgeModel

# Left to the function after the run's budget: writing the manifest, flushing metrics.
SAFETY_MARGIN_SECONDS = 30.0


class RunResult(Protocol):
    def summary(self) -> dict[str, Any]: ...


# ``ingest(ctx, source, budget_seconds=…)``: an api or sftp source's run.
Ingest = Callable[..., RunResult]


def source_of(ctx: Context, event: ScheduledInput) -> str:
    """The function's own source (``STRATA_SOURCE``); an event may name it, never another."""
    pinned, asked = ctx.settings.source, event.source
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
        measure(source, ingest_failures=1)
        logger.error("ingestion failed", extra={"source": source, "error": str(exc)})
        raise
    finally:
        measure(source, ingest_duration=time.monotonic() - started)


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
        measure(source, ingest_failures=1)
    record_attempt(ctx.ports.state, source, datetime.now(UTC), error)


def publish(summary: dict[str, Any], files_key: str) -> dict[str, Any]:
    """Log a run's summary and count what it landed."""
    logger.info("ingestion finished", extra=summary)
    measure(
        summary["source"],
        files_landed=summary.get(files_key, 0),
        bytes_landed=summary.get("bytes", 0),
        records_landed=summary.get("records"),
    )
    return summary


def ingest_scheduled(
    ctx: Context, ingest: Ingest, event: ScheduledInput, context: Any, *, files_key: str
) -> dict[str, Any]:
    """A scheduled ingestion, as its Lambda runs it: ``ingest(ctx, source, budget_seconds=…)``
    for the function's source, within the Lambda's time left, measured, its summary (the
    function's answer, the schedule ignores it) logged and counted under ``files_key``."""
    source = source_of(ctx, event)
    with measured(source), attempt_recorded(ctx, source) as summary:
        summary.update(ingest(ctx, source, budget_seconds=budget_from(context)).summary())
    return publish(summary, files_key=files_key)


def land_drop(ctx: Context, event: S3EventNotificationEventBridgeModel) -> LandingResult:
    """An S3 drop's Object Created event: its object landed in raw (or why not), counted."""
    result = land_notified(ctx, event.detail.object.key)
    # An ignored key is logged with its reason (another source's key, no longer there, …).
    logger.info("landing", extra=result.to_dict())
    if result.status == "landed" and result.source:
        measure(result.source, files_landed=1)
    return result


def presign(ctx: Context, request: PresignInput) -> PresignedUpload:
    """A presigned POST for one file of a drop source (the presign function's answer)."""
    upload = presign_upload(
        ctx.project,
        ctx.ports.landing,
        request.source,
        request.file_name,
        max_bytes=request.max_bytes,
    )
    logger.info("presigned an upload", extra={"key": upload.key, "max_bytes": upload.max_bytes})
    return upload
