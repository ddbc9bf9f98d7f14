"""Streams one SFTP source's new files into raw (EventBridge Scheduler; one function per
source, its source in STRATA_SOURCE)."""

from strata.ingest.handler import scheduled_handler
from strata.ingest.sftp import ingest_sftp

lambda_handler = scheduled_handler(ingest_sftp, files_key="files_landed")
