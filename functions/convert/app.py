"""Converts one raw object to typed, partitioned Parquet in cleansed (rejects to quarantine)."""

from typing import Any

from strata.lake.payloads import ConversionResult, ConvertItem
from strata.observability import lambda_entry
from strata.orchestration.convert_step import convert_step
from strata.runtime import current


@lambda_entry(ConvertItem, correlation_id_path="run_id")
def lambda_handler(event: ConvertItem, context: Any) -> ConversionResult:
    return convert_step(current(), event)
