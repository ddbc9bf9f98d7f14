"""Fetches one REST API source's new pages into raw (EventBridge Scheduler; one function per
source, its source in STRATA_SOURCE)."""

from strata.ingest.api import ingest_api
from strata.ingest.handler import scheduled_handler

lambda_handler = scheduled_handler(ingest_api, files_key="pages_landed")
