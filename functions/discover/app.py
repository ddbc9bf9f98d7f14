"""First pipeline step: the new raw objects of every source, from the conversion queue."""

from typing import Any

from strata.lake.payloads import DiscoverInput, DiscoverOutput
from strata.observability import lambda_entry
from strata.orchestration import discover
from strata.runtime import current


@lambda_entry(DiscoverInput, correlation_id_path="execution_name")
def lambda_handler(event: DiscoverInput, context: Any) -> DiscoverOutput:
    return discover.discovery_output(current(), event)
