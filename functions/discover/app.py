"""First pipeline step: the new raw objects of every source, from the conversion queue."""

from typing import Any

from strata.observability import lambda_entry, logger
from strata.orchestration.discover import discovery_output
from strata.runtime import current


@lambda_entry(correlation_id_path="execution_name")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    output = discovery_output(current(), event)
    logger.info(
        "discovered",
        extra={
            "run_id": output["run_id"],
            "objects": output["item_count"],
            "map_mode": output["map_mode"],
        },
    )
    return output
