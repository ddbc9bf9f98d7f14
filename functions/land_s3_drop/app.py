"""Lands a file dropped in the landing bucket into raw, byte-for-byte (EventBridge event; one
function for every drop source, which finds the source owning the key: the longest prefix)."""

from typing import Any

from aws_lambda_powertools.utilities.parser.models import S3EventNotificationEventBridgeModel

from strata.ingest.handler import land_drop
from strata.observability import lambda_entry
from strata.runtime import current


@lambda_entry(S3EventNotificationEventBridgeModel, correlation_id_path="id")
def lambda_handler(event: S3EventNotificationEventBridgeModel, context: Any) -> dict[str, Any]:
    return land_drop(current(), event).to_dict()
