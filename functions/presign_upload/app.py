"""Returns a presigned POST for one file of an S3 drop (or manual) source: short-lived, for
one landing key, with a size bound. Invoke it with {"source", "file_name", "max_bytes"?}."""

from typing import Any

from strata.ingest.uploads import presign_upload
from strata.observability import lambda_entry, logger
from strata.runtime import current


@lambda_entry(correlation_id_path="source")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ctx = current()
    upload = presign_upload(
        ctx.project,
        ctx.ports.landing,
        str(event.get("source", "")),
        str(event.get("file_name", "")),
        max_bytes=event.get("max_bytes"),
    )
    logger.info("presigned an upload", extra={"key": upload.key, "max_bytes": upload.max_bytes})
    return upload.to_dict()
