"""Claims and the per-source lock, on the local state store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from strata.ingest.exceptions import RunInProgressError
from strata.ingest.ledger import claim, mark_landed, release, source_lock

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
EXPIRY = timedelta(minutes=20)


def take(state, now, raw_key="src/ingest_date=2026-11-24/run_id=new/a.csv", run_id="new"):
    return claim(
        state, "landed#src", "/a.csv#3#1", raw_key=raw_key, run_id=run_id, now=now, expiry=EXPIRY
    )


def test_a_delivery_is_claimed_once(ctx):
    first = take(ctx.ports.state, NOW)
    assert first is not None and first.run_id == "new"
    assert take(ctx.ports.state, NOW + timedelta(minutes=1)) is None


def test_a_stale_claim_is_taken_over_with_its_raw_key(ctx):
    first = take(
        ctx.ports.state, NOW, raw_key="src/ingest_date=2026-11-24/run_id=old/a.csv", run_id="old"
    )
    again = take(ctx.ports.state, NOW + EXPIRY + timedelta(seconds=1))
    assert again is not None
    assert (again.raw_key, again.run_id) == (first.raw_key, "old")


def test_a_landed_delivery_is_never_claimed_again(ctx):
    taken = take(ctx.ports.state, NOW)
    mark_landed(ctx.ports.state, taken, NOW, size=3)
    assert take(ctx.ports.state, NOW + timedelta(days=30)) is None


def test_a_released_claim_can_be_claimed_at_once(ctx):
    release(ctx.ports.state, take(ctx.ports.state, NOW))
    assert take(ctx.ports.state, NOW) is not None


def test_the_source_lock_admits_one_run_and_frees_itself(ctx):
    state = ctx.ports.state
    with source_lock(state, "src", "run-1", NOW, timedelta(minutes=5)):
        with (
            pytest.raises(RunInProgressError, match=r"run run-1 .* is in progress"),
            source_lock(state, "src", "run-2", NOW, timedelta(minutes=5)),
        ):
            pass
        # An expired lock (its holder died) is taken over.
        later = NOW + timedelta(minutes=6)
        with source_lock(state, "src", "run-3", later, timedelta(minutes=5)):
            assert state.get("ingest#src", "lock")["run_id"] == "run-3"
    # run-1 ending does not free run-3's lock... which run-3 already freed.
    assert state.get("ingest#src", "lock") is None
