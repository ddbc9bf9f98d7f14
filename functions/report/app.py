"""Last pipeline step: writes the run report and returns the run's verdict (the Report state,
or the failure path's ReportFailure, which sends the whole state)."""

from typing import Any

from strata.lake.payloads import ReportEvent, ReportOutput
from strata.observability import lambda_entry
from strata.orchestration import report
from strata.runtime import current


@lambda_entry(ReportEvent, correlation_id_path="execution_name")
def lambda_handler(event: ReportEvent, context: Any) -> ReportOutput:
    return report.publish_report(current(), event)
