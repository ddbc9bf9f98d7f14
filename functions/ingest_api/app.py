"""Fetches one REST API source's new pages into raw (EventBridge Scheduler; one function for
every api source, the source named in its schedule's input)."""

from typing import Any

from strata.ingest.api import ingest_api
from strata.ingest.handler import ingest_scheduled
from strata.lake.payloads import ScheduledInput
from strata.observability import lambda_entry
from strata.runtime import current


@lambda_entry(ScheduledInput, correlation_id_path="source")
def lambda_handler(event: ScheduledInput, context: Any) -> dict[str, Any]:
    return ingest_scheduled(current(), ingest_api, event, context, files_key="pages_landed")
