"""Compiles the warehouse models into ordered Data API batches; the state machine runs them."""

from typing import Any

from strata.models import plan_run
from strata.observability import lambda_entry
from strata.runtime import current


@lambda_entry(correlation_id_path="run_id")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ctx = current()
    batches = plan_run(ctx.project, ctx.settings, event["run_id"], target=ctx.settings.environment)
    return {"batches": [batch.to_dict() for batch in batches]}
