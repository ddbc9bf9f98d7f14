"""Last pipeline step: writes the run report and returns the run's verdict."""

from typing import Any

from strata.observability import lambda_entry
from strata.orchestration.report import publish_report
from strata.runtime import current


@lambda_entry(correlation_id_path="execution_name")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    return publish_report(current(), event)
