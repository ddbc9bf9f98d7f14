"""One claim implementation for files, sources, the warehouse and the local run: a live
owner's claim binds, a dead owner's claim is taken over at once, an unknown one at its lease."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from strata.lake import claims
from strata.liveness.base import LeaseOnly
from strata.liveness.process import ProcessLiveness
from strata.state.sqlite import SQLiteStateStore

NOW = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
LEASE = timedelta(hours=3)


@pytest.fixture
def state(tmp_path):
    store = SQLiteStateStore(tmp_path / "state.sqlite")
    yield store
    store.close()


def dead_pid() -> int:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(finished.stdout)


def claimant(run_id: str, pid: int | None = None, host: str = "laptop") -> claims.Claimant:
    return claims.Claimant.of(ProcessLiveness(host=host, pid=pid), run_id)


def take(state, who: claims.Claimant, now=NOW, **options):
    return claims.take(state, "claim#orders", "raw/a.csv", who, now=now, lease=LEASE, **options)


def test_a_live_owners_claim_binds_other_runs_and_its_own_run_may_take_it_again(state):
    first = take(state, claimant("run-1"))
    assert isinstance(first, claims.Claim)

    held = take(state, claimant("run-2"))
    assert isinstance(held, claims.Held) and held.run_id == "run-1" and not held.done
    assert isinstance(take(state, claimant("run-1")), claims.Claim)  # a retried step


def test_a_dead_owners_claim_is_taken_over_at_once_with_the_fields_it_keeps(state):
    killed = claimant("run-1", pid=dead_pid())
    take(state, killed, data={"raw_key": "raw/run_id=run-1/a.csv"})

    again = take(
        state,
        claimant("run-2"),
        now=NOW + timedelta(seconds=1),
        data={"raw_key": "raw/run_id=run-2/a.csv"},
        keep=("raw_key",),
    )

    assert isinstance(again, claims.Claim)
    assert again.taken_from == "run-1"
    assert again.data["raw_key"] == "raw/run_id=run-1/a.csv"
    assert state.get("claim#orders", "raw/a.csv")["run_id"] == "run-2"


def test_an_owner_whose_liveness_cannot_be_told_binds_until_its_lease_runs_out(state):
    elsewhere = claimant("run-1", pid=dead_pid(), host="another-host")
    take(state, elsewhere)

    almost = NOW + LEASE - timedelta(seconds=1)
    assert isinstance(take(state, claimant("run-2"), now=almost), claims.Held)
    later = NOW + LEASE + timedelta(seconds=1)
    assert isinstance(take(state, claimant("run-2"), now=later), claims.Claim)


def test_lease_only_liveness_keeps_the_lease_rule(state):
    def lease_only(run_id):
        return claims.Claimant.of(LeaseOnly(), run_id)

    take(state, lease_only("run-1"))
    assert isinstance(take(state, lease_only("run-2")), claims.Held)
    assert isinstance(take(state, lease_only("run-2"), now=NOW + 2 * LEASE), claims.Claim)


def test_a_finished_claim_is_never_claimed_again(state):
    first = take(state, claimant("run-1"), reentrant=False)
    claims.complete(state, first, {"status": "landed", "raw_key": "raw/a.csv"})

    held = take(state, claimant("run-2", pid=dead_pid()), now=NOW + 10 * LEASE)
    assert isinstance(held, claims.Held) and held.done and held.status == "landed"


def test_a_non_reentrant_claim_refuses_its_own_run(state):
    take(state, claimant("run-1"), reentrant=False)
    assert isinstance(take(state, claimant("run-1"), reentrant=False), claims.Held)


def test_two_runs_taking_over_one_dead_claim_cannot_both_win(state):
    take(state, claimant("run-1", pid=dead_pid()))

    class Racing:
        """Lets run-3 take the claim over between run-2's read and run-2's write."""

        def __init__(self, inner):
            self.inner, self.raced = inner, False

        def get(self, pk, sk):
            item = self.inner.get(pk, sk)
            if not self.raced:
                self.raced = True
                assert isinstance(take(self.inner, claimant("run-3")), claims.Claim)
            return item

        def __getattr__(self, name):
            return getattr(self.inner, name)

    loser = take(Racing(state), claimant("run-2"))

    assert isinstance(loser, claims.Held) and loser.run_id == "run-3"
    assert state.get("claim#orders", "raw/a.csv")["run_id"] == "run-3"


def test_a_release_leaves_a_claim_that_changed_hands_alone(state):
    first = take(state, claimant("run-1", pid=dead_pid()))
    take(state, claimant("run-2"))

    claims.release(state, first)
    claims.release_run(state, "claim#orders", "raw/a.csv", "run-1")

    assert state.get("claim#orders", "raw/a.csv")["run_id"] == "run-2"
    claims.release_run(state, "claim#orders", "raw/a.csv", "run-2")
    assert state.get("claim#orders", "raw/a.csv") is None
