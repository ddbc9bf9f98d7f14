"""The ingestion functions' own payloads (an S3 drop's EventBridge event is Powertools'
``S3EventNotificationEventBridgeModel``)."""

from __future__ import annotations

from strata.lake.payloads.base import Payload


class ScheduledInput(Payload):
    """What an api or sftp source's schedule sends (the template's ``Input``): the source to
    ingest. A function bound to one source (``STRATA_SOURCE``) accepts only that one."""

    source: str | None = None
    trigger: str | None = None


class PresignInput(Payload):
    """A presigned upload's request: one file of a drop (or manual) source."""

    source: str
    file_name: str
    max_bytes: int | None = None
