"""After the conversions: merges the small files of the partitions they touched into files
near the target size, each partition swapped to its new version in the catalog at once."""

from typing import Any

from strata.lake.payloads import CompactInput, CompactOutput
from strata.observability import lambda_entry
from strata.orchestration.compaction import compaction_output
from strata.runtime import current


@lambda_entry(CompactInput, correlation_id_path="run_id")
def lambda_handler(event: CompactInput, context: Any) -> CompactOutput:
    return compaction_output(current(), event)
