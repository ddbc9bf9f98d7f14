"""Runs a warehouse run from this process through the warehouse port, for ``strata models``.

It does, item by item, what the state machine's BuildModels item processor does (submit,
poll with a bound, cancel on timeout, fetch the result when asked) and produces the same
outcomes, so the scheduler behind both is one and the same. Never used in a Lambda: it waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from strata.errors import WarehouseError
from strata.lake.payloads import StatementOutcome
from strata.models.plan import RunOptions
from strata.models.service import continue_run, release_build_lock, start_run
from strata.runtime import Context
from strata.warehouse.base import TERMINAL, Warehouse, data_api_result

Outcome = dict[str, Any]
LOCAL_POLL_SECONDS = 0.2


def execute(
    ctx: Context,
    run_id: str,
    options: RunOptions,
    on_outcome: Callable[[dict[str, Any], Outcome], None] | None = None,
) -> dict[str, Any]:
    """Run every wave; returns the summary (as the Report step would receive it)."""
    try:
        # Inside the try: whatever fails after the lock is taken gives it back.
        step = start_run(ctx, run_id, options)
        while not step.done:
            outcomes = []
            for item in (wave_item.dump() for wave_item in step.wave):
                outcome = run_item(ctx.ports.warehouse, item)
                if on_outcome is not None:
                    on_outcome(item, outcome)
                outcomes.append(StatementOutcome.model_validate(outcome))
            step = continue_run(ctx, run_id, outcomes)
    finally:
        release_build_lock(ctx, run_id)
    return step.summary.dump() if step.summary else {}


def run_item(
    warehouse: Warehouse, item: dict[str, Any], sleep: Callable[[float], None] = time.sleep
) -> Outcome:
    started = _now()
    outcome: Outcome = {"id": item["id"], "kind": item["kind"], "started_at": started}
    try:
        statement_id = warehouse.submit(item["sqls"], client_token=item["client_token"])
    except WarehouseError as exc:
        return {**outcome, "status": "FAILED", "error": str(exc), "finished_at": _now()}
    outcome["statement_id"] = statement_id
    status = warehouse.describe(statement_id)
    polls = 0
    while status.status not in TERMINAL:
        if polls >= item["max_polls"]:
            warehouse.cancel(statement_id)
            error = f"timed out after {polls} polls: cancelled"
            return {**outcome, "status": "ABORTED", "error": error, "finished_at": _now()}
        sleep(item["poll_seconds"] or LOCAL_POLL_SECONDS)
        polls += 1
        status = warehouse.describe(statement_id)
    if status.status != "FINISHED":
        return {**outcome, "status": status.status, "error": status.error, "finished_at": _now()}
    if item["fetch"]:
        result = warehouse.result(statement_id + item["fetch_suffix"])
        outcome["result"] = data_api_result(result)
    return {**outcome, "status": "FINISHED", "finished_at": _now()}


def _now() -> str:
    return datetime.now(UTC).isoformat()
