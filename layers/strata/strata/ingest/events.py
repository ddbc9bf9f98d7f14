"""Event shapes Strata receives, built for local runs and tests the way AWS sends them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any


def s3_object_created(bucket: str, key: str, size: int, etag: str) -> dict[str, Any]:
    """An EventBridge "Object Created" event from S3."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {"key": key, "size": size, "etag": etag},
            "request-id": uuid.uuid4().hex[:16].upper(),
            "requester": "123456789012",
            "reason": "PutObject",
        },
    }
