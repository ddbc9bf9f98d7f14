"""The Convert step of the pipeline: a batch of raw objects (:mod:`.batches`), converted one
after the other in one invocation, each object's failure recorded for the Report
(:mod:`strata.orchestration.failures`) and isolated to it: the others of the batch convert."""

from __future__ import annotations

from strata import convert
from strata.lake.payloads import (
    BatchResult,
    ConversionResult,
    ConvertBatch,
    ConvertedFile,
    ConvertItem,
    FailedFile,
    FileOutcome,
)
from strata.observability import logger, measure
from strata.orchestration.failures import failures_recorded
from strata.runtime import Context

# The fields the state carries per converted object (its manifest has the rest).
TRIMMED = tuple(ConvertedFile.model_fields)


def convert_batch(ctx: Context, batch: ConvertBatch) -> BatchResult:
    return BatchResult(files=[_outcome(ctx, item) for item in batch.objects()])


def _outcome(ctx: Context, item: ConvertItem) -> FileOutcome:
    try:
        result = convert_step(ctx, item)
    except Exception as exc:  # recorded in full by failures_recorded; the batch goes on
        logger.exception("conversion failed", extra={"raw_key": item.raw_key})
        return FailedFile(
            source=item.source, raw_key=item.raw_key, status="failed", error=type(exc).__name__
        )
    return ConvertedFile(**result.model_dump(include=set(TRIMMED)))


def convert_step(ctx: Context, item: ConvertItem) -> ConversionResult:
    with failures_recorded(ctx.ports.artifacts, item.run_id, item.source, item.raw_key):
        result = convert.convert_object(ctx, item.run_id, item.source, item.raw_key)
    measure(
        result.source,
        rows_in=result.rows_in,
        rows_out=result.rows_out,
        rows_quarantined=result.rows_quarantined,
    )
    logger.info(
        "converted",
        extra={
            "source": result.source,
            "raw_key": result.raw_key,
            "status": result.status,
            "rows_in": result.rows_in,
        },
    )
    return result
