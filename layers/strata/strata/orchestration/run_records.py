"""A run's record in the state store (``run``/<run id>), from its start to its computed status,
and each source's last ingestion attempt (``ingest#<source>``/``last``).

A run is recorded ``running`` when it starts, with its owner (a process locally, the execution
on AWS), so a run that is killed still appears in ``strata runs``: once its owner is dead it is
shown, and then recorded, as ``abandoned``. The Report step replaces the record by the run's
summary and computed status (:mod:`strata.orchestration.status`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from strata.errors import ConditionFailedError
from strata.lake import state_keys
from strata.lake.claims import holder_alive
from strata.liveness.base import Liveness
from strata.state.base import Item, StateStore

RUNNING = "running"
ABANDONED = "abandoned"
# Where the owner's liveness cannot be told: longer than the state machine's timeout.
RUN_LEASE = timedelta(hours=3)


def record_start(
    state: StateStore,
    run_id: str,
    owner: str,
    started_at: datetime,
    sources: list[str] | None = None,
    options: Item | None = None,
) -> Item:
    """Record the run as running, once: a later step of the same run keeps the first record.
    ``options`` are the run's own (``allow_deferred``), read again by its Report step."""
    record = {
        "run_id": run_id,
        "status": RUNNING,
        "owner": owner,
        "started_at": started_at.isoformat(timespec="seconds"),
        "lease_until": (started_at + RUN_LEASE).isoformat(),
        "selected_sources": sources or [],
        "options": options or {},
    }
    try:
        state.put(state_keys.RUN, run_id, record, if_absent=True)
    except ConditionFailedError:
        return state.get(state_keys.RUN, run_id) or record
    return record


def get(state: StateStore, run_id: str) -> Item | None:
    return state.get(state_keys.RUN, run_id)


def finish(state: StateStore, run_id: str, summary: Item) -> None:
    state.put(state_keys.RUN, run_id, summary)


def list_runs(state: StateStore, liveness: Liveness, now: datetime) -> list[Item]:
    """Every run, newest first; a running run whose owner is dead is recorded as abandoned."""
    runs = sorted(state.query(state_keys.RUN), key=lambda run: str(run["run_id"]), reverse=True)
    return [_settled(state, run, liveness, now) for run in runs]


def abandon_dead(state: StateStore, liveness: Liveness, now: datetime) -> list[str]:
    """Record every running run whose owner is dead as abandoned; returns their ids."""
    return [
        run["run_id"]
        for run in state.query(state_keys.RUN)
        if run.get("status") == RUNNING and _settled(state, run, liveness, now) is not run
    ]


def _settled(state: StateStore, run: Item, liveness: Liveness, now: datetime) -> Item:
    if run.get("status") != RUNNING or holder_alive(run, liveness, now):
        return run
    abandoned = {**run, "status": ABANDONED, "abandoned_at": now.isoformat(timespec="seconds")}
    state.put(state_keys.RUN, run["run_id"], abandoned)
    return abandoned
