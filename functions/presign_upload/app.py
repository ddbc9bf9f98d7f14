"""Returns a presigned POST for one file of an S3 drop (or manual) source: short-lived, for
one landing key, with a size bound. Invoke it with {"source", "file_name", "max_bytes"?}."""

from typing import Any

from strata.ingest.handler import presign
from strata.lake.payloads import PresignInput
from strata.observability import lambda_entry
from strata.runtime import current


@lambda_entry(PresignInput, correlation_id_path="source")
def lambda_handler(event: PresignInput, context: Any) -> dict[str, Any]:
    return presign(current(), event).to_dict()
