"""Converts a batch of raw objects to typed, partitioned Parquet in cleansed (rejects to
quarantine); an object that fails is reported as failed, the others convert."""

from typing import Any

from strata.lake.payloads import BatchResult, ConvertBatch
from strata.observability import lambda_entry
from strata.orchestration.convert_step import convert_batch
from strata.runtime import current


@lambda_entry(ConvertBatch, correlation_id_path="run_id")
def lambda_handler(event: ConvertBatch, context: Any) -> BatchResult:
    return convert_batch(current(), event)
