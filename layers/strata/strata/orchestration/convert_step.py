"""The Convert step of the pipeline: one raw object of the Map, converted with its failure
recorded for the Report (:mod:`strata.orchestration.failures`), its row counts measured."""

from __future__ import annotations

from strata import convert
from strata.lake.payloads import ConversionResult, ConvertItem
from strata.observability import logger, measure
from strata.orchestration.failures import failures_recorded
from strata.runtime import Context


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
