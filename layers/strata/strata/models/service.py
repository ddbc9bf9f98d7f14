"""A warehouse run's lifecycle, persisted in the artifacts store between waves.

``runs/<run_id>/warehouse/manifest.json``: the plan (nodes, dependencies, compiled SQL).
``runs/<run_id>/warehouse/run_results.json``: every node's status, timing, rows, test
failures with a sample of failing rows; rewritten after each wave, final when the run is done.
A finished build also updates its environment's record (:mod:`strata.models.state`).

The planner Lambda calls :func:`start_run` (PlanModels) and then :func:`continue_run` after
each wave the state machine ran; the local CLI calls the same two functions.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from strata.lake import claims, state_keys
from strata.lake.keys import warehouse_prefix
from strata.lake.payloads import (
    BuildSummary,
    NextWaveInput,
    PlanInput,
    PlanOutput,
    StatementOutcome,
)
from strata.models import state
from strata.models.plan import RunOptions, build_manifest
from strata.models.scheduler import Clock, WarehouseRun, utc_now
from strata.runtime import Context


def plan_step(ctx: Context, event: PlanInput | NextWaveInput) -> PlanOutput:
    """PlanModels (the run's first wave) or NextWave (the wave's outcomes recorded, the next
    wave), as the planner Lambda is asked."""
    if isinstance(event, NextWaveInput):
        return continue_run(ctx, event.run_id, event.results)
    models = event.run_input.models
    options = RunOptions.from_input(models.dump_given() if models else None)
    return start_run(ctx, event.run_id, options, execution_arn=event.execution_arn)


def start_run(
    ctx: Context,
    run_id: str,
    options: RunOptions | None = None,
    clock: Clock = utc_now,
    execution_arn: str | None = None,
) -> PlanOutput:
    # Compiled before the lock is taken: a selection or target that cannot compile fails here
    # and leaves the lock alone.
    options = options or RunOptions()
    compared = None
    if options.state:
        why = f"--state {options.state}" + (" --defer" if options.defer else "")
        compared = state.require(ctx.ports.artifacts, options.state, why)
    manifest = build_manifest(ctx.project, ctx.settings, run_id, options, compared=compared)
    holder = _take_build_lock(ctx, run_id, clock(), execution_arn)
    if holder is not None:
        return _deferred(holder)
    _put(ctx, run_id, "manifest.json", manifest)
    run = WarehouseRun(manifest, clock=clock)
    return _advance(ctx, run)


def continue_run(
    ctx: Context, run_id: str, outcomes: list[StatementOutcome], clock: Clock = utc_now
) -> PlanOutput:
    prefix = warehouse_prefix(run_id)
    manifest = json.loads(ctx.ports.artifacts.get_bytes(prefix + "manifest.json"))
    state = json.loads(ctx.ports.artifacts.get_bytes(prefix + "run_results.json"))
    results = {result["unique_id"]: result for result in state["results"]}
    run = WarehouseRun(manifest, results, state.get("relations"), clock=clock)
    run.record(outcomes)
    return _advance(ctx, run)


def _advance(ctx: Context, run: WarehouseRun) -> PlanOutput:
    """The next wave (or the end), after saving what is known so far."""
    wave = run.next_wave()
    run_id = run.manifest["metadata"]["run_id"]
    _put(ctx, run_id, "run_results.json", run.run_results())
    summary = None
    if run.done and run.manifest["metadata"]["command"] == "build":
        state.record_build(ctx.ports.artifacts, run.manifest, run.results)
    if run.done:
        summary = run.summary().model_copy(
            update={"run_results_key": warehouse_prefix(run_id) + "run_results.json"}
        )
    return PlanOutput(
        done=run.done,
        wave=wave,
        concurrency=run.manifest["metadata"]["threads"],
        summary=summary,
    )


# One warehouse build at a time: two overlapping runs would swap the same tables under each
# other. The lock is released by the run's Report step; a dead run's lock is taken over at once
# (its lease only matters where the owner's liveness cannot be told).
BUILD_LOCK_TTL = timedelta(hours=3)


def _take_build_lock(
    ctx: Context, run_id: str, now: datetime, execution_arn: str | None
) -> str | None:
    """None when this run may build; otherwise who holds the lock, in words."""
    claimant = claims.Claimant.of(ctx.ports.liveness, run_id, execution_arn)
    taken = claims.take(
        ctx.ports.state, *state_keys.WAREHOUSE_LOCK, claimant, now=now, lease=BUILD_LOCK_TTL
    )
    if isinstance(taken, claims.Claim):
        return None
    return claims.describe(taken, ctx.ports.liveness)


def release_build_lock(ctx: Context, run_id: str) -> None:
    claims.release_run(ctx.ports.state, *state_keys.WAREHOUSE_LOCK, run_id)


def _deferred(holder: str) -> PlanOutput:
    message = (
        f"{holder} is building the warehouse; the models are rebuilt by the next run, "
        "with this run's data"
    )
    summary = BuildSummary(status="deferred", nodes=[], message=message, run_results_key=None)
    return PlanOutput(done=True, wave=[], concurrency=1, summary=summary)


def _put(ctx: Context, run_id: str, name: str, document: dict[str, Any]) -> None:
    body = json.dumps(document, indent=2, default=str).encode()
    ctx.ports.artifacts.put_bytes(warehouse_prefix(run_id) + name, body)
