"""Plans the warehouse run (PlanModels), then, after each wave the state machine ran through
the Data API, records the outcomes and returns the next wave (BuildModels' NextWave)."""

from typing import Any

from strata.models import RunOptions, continue_run, start_run
from strata.observability import lambda_entry
from strata.runtime import current


@lambda_entry(correlation_id_path="run_id")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ctx = current()
    if event.get("action") == "next":
        return continue_run(ctx, event["run_id"], event.get("results") or [])
    options = RunOptions.from_input((event.get("input") or {}).get("models"))
    return start_run(ctx, event["run_id"], options, execution_arn=event.get("execution_arn"))
