"""Lands a file dropped in the landing bucket into raw, byte-for-byte (EventBridge event; one
function per drop source, its source in STRATA_SOURCE: other sources' keys are ignored)."""

from typing import Any

from strata.ingest.s3_drop import land_from_event
from strata.observability import count, lambda_entry, logger
from strata.runtime import current


@lambda_entry(correlation_id_path="id")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result = land_from_event(current(), event)
    # An ignored key is logged with its reason (another source's key, no longer there, …).
    logger.info("landing", extra=result.to_dict())
    if result.status == "landed" and result.source:
        count("FilesLanded", 1, result.source)
    return result.to_dict()
