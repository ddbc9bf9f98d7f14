"""Streams one SFTP source's new files into raw (EventBridge Scheduler; one function per
source, its source in STRATA_SOURCE)."""

from typing import Any

from strata.ingest.handler import budget_from, measured, publish, source_of
from strata.ingest.sftp import ingest_sftp
from strata.observability import lambda_entry
from strata.runtime import current


@lambda_entry(correlation_id_path="source")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ctx = current()
    source = source_of(ctx, event)
    with measured(source):
        result = ingest_sftp(ctx, source, budget_seconds=budget_from(context))
    return publish(result.summary(), files_key="files_landed")
