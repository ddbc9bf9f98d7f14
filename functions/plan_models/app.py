"""Plans the warehouse run (PlanModels), then, after each wave the state machine ran through
the Data API, records the outcomes and returns the next wave (BuildModels' NextWave)."""

from typing import Any

from strata.lake.payloads import PlanEvent, PlanOutput
from strata.models import service
from strata.observability import lambda_entry
from strata.runtime import current


@lambda_entry(PlanEvent, correlation_id_path="run_id")
def lambda_handler(event: PlanEvent, context: Any) -> PlanOutput:
    return service.plan_step(current(), event)
