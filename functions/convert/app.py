"""Converts one raw object to typed, partitioned Parquet in cleansed (rejects to quarantine)."""

from typing import Any

from strata.convert import convert_object
from strata.observability import count, lambda_entry, logger
from strata.orchestration.failures import failures_recorded
from strata.runtime import current


@lambda_entry(correlation_id_path="run_id")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ctx, run_id, source, raw_key = current(), event["run_id"], event["source"], event["raw_key"]
    with failures_recorded(ctx.ports.artifacts, run_id, source, raw_key):
        result = convert_object(ctx, run_id, source, raw_key)
    for name in ("rows_in", "rows_out", "rows_quarantined"):
        count(name.title().replace("_", ""), getattr(result, name), result.source)
    logger.info(
        "converted",
        extra={
            "source": result.source,
            "raw_key": result.raw_key,
            "status": result.status,
            "rows_in": result.rows_in,
        },
    )
    return result.to_dict()
