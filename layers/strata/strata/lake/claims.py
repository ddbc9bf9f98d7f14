"""Claims: conditional writes that let exactly one worker own a piece of work.

One implementation serves every claim in Strata: a raw object a run converts, a delivery an
ingestion lands, a source's ingestion, the warehouse build and the local run itself.

A claim item records the run that holds it, its owner (a process locally, a Step Functions
execution on AWS: see :mod:`strata.liveness`), when it was taken, until when its lease holds and
a random token. Another worker takes it over

- at once when the owner is dead (the liveness port says so: a killed process, an execution
  that is no longer RUNNING), or
- when the lease ran out and the owner's liveness cannot be told (an ingestion Lambda, whose
  invocation Lambda itself ends at the function's timeout).

The takeover is a write conditioned on the token it read, so two workers racing for the same
dead owner's claim cannot both win. The run that holds a claim may take it again (a retried
step). When the work is done, :func:`complete` replaces the claim by the work's record (for
example a landing ledger entry), which no one can claim again; :func:`release` gives it back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from strata.errors import ConditionFailedError
from strata.liveness.base import Liveness
from strata.state.base import Item, StateStore

CLAIMED = "claimed"


@dataclass(frozen=True)
class Claim:
    """A claim this worker holds. ``data`` holds what was stored with it (kept fields of a
    taken-over claim included); ``taken_from`` names the run it was taken from, if any."""

    pk: str
    sk: str
    run_id: str
    owner: str
    token: str
    data: Item = field(default_factory=dict)
    taken_from: str | None = None


@dataclass(frozen=True)
class Held:
    """Why a claim could not be taken: the work is done (``status`` is not ``claimed``), or a
    live run holds it."""

    status: str
    run_id: str | None
    owner: str | None
    since: str | None
    item: Item

    @property
    def done(self) -> bool:
        return self.status != CLAIMED


@dataclass(frozen=True)
class Claimant:
    """Who claims: the run, its owner identity, and how to tell whether other owners live."""

    run_id: str
    owner: str
    liveness: Liveness

    @classmethod
    def of(cls, liveness: Liveness, run_id: str, execution_arn: str | None = None) -> Claimant:
        return cls(run_id, liveness.owner(execution_arn), liveness)


def take(
    state: StateStore,
    pk: str,
    sk: str,
    claimant: Claimant,
    *,
    now: datetime,
    lease: timedelta,
    data: Item | None = None,
    keep: Iterable[str] = (),
    reentrant: bool = True,
) -> Claim | Held:
    """Take the claim at ``pk``/``sk``, or say who holds it. On a takeover the fields named in
    ``keep`` come from the claim taken over (a landing keeps its raw key, so a retried landing
    overwrites the same raw object). ``reentrant``: the run holding the claim may take it again
    (a retried step); off where one run must not do the same work twice (two deliveries that
    share a ledger entry)."""
    token = uuid.uuid4().hex
    item = {
        **(data or {}),
        "status": CLAIMED,
        "run_id": claimant.run_id,
        "owner": claimant.owner,
        "at": now.isoformat(),
        "lease_until": (now + lease).isoformat(),
        "token": token,
    }
    try:
        state.put(pk, sk, item, if_absent=True)
        return Claim(pk, sk, claimant.run_id, claimant.owner, token, dict(data or {}))
    except ConditionFailedError:
        existing = state.get(pk, sk)
    if existing is None:  # released between the two calls: try once more from scratch
        return take(
            state, pk, sk, claimant, now=now, lease=lease, data=data, keep=keep, reentrant=reentrant
        )
    held = held_by(existing)
    if held.done or not _may_take_over(existing, claimant, now, reentrant):
        return held
    kept = {name: existing[name] for name in keep if name in existing}
    item.update(kept)
    try:
        state.put(pk, sk, item, if_match=("token", str(existing.get("token", ""))))
    except ConditionFailedError:
        return held_by(state.get(pk, sk) or existing)  # another worker took it over first
    taken_from = None if existing.get("run_id") == claimant.run_id else existing.get("run_id")
    return Claim(
        pk, sk, claimant.run_id, claimant.owner, token, {**(data or {}), **kept}, taken_from
    )


def held_by(item: Item) -> Held:
    return Held(
        status=str(item.get("status", "")),
        run_id=item.get("run_id"),
        owner=item.get("owner"),
        since=item.get("at"),
        item=item,
    )


def holder_alive(item: Item, liveness: Liveness, now: datetime) -> bool:
    """Whether the claim in ``item`` still binds: its owner lives, or (unknown) its lease holds."""
    alive = liveness.is_alive(str(item.get("owner", "")))
    if alive is not None:
        return alive
    lease_until = item.get("lease_until")
    return lease_until is not None and datetime.fromisoformat(lease_until) > now


def _may_take_over(existing: Item, claimant: Claimant, now: datetime, reentrant: bool) -> bool:
    if existing.get("run_id") == claimant.run_id:
        return reentrant  # a retried step of the run that holds it
    return not holder_alive(existing, claimant.liveness, now)


def complete(state: StateStore, claim: Claim, record: Item) -> None:
    """Replace the claim by the record of the finished work (its ``status`` is not claimed)."""
    if record.get("status", CLAIMED) == CLAIMED:
        raise ValueError("a completed claim's record needs its own status")
    state.put(claim.pk, claim.sk, record)


def release(state: StateStore, claim: Claim) -> None:
    """Give a claim back (its work failed and may be retried); a claim that another worker has
    taken over since is left to that worker."""
    state.delete(claim.pk, claim.sk, if_match=("token", claim.token))


def release_run(state: StateStore, pk: str, sk: str, run_id: str) -> None:
    """Give back the claim at ``pk``/``sk`` if ``run_id`` still holds it (the Report step
    releases the claims of a run's failed objects)."""
    existing = state.get(pk, sk)
    if existing and existing.get("status") == CLAIMED and existing.get("run_id") == run_id:
        state.delete(pk, sk, if_match=("token", str(existing.get("token", ""))))


def describe(held: Held, liveness: Liveness) -> str:
    """``run X (process 4242 on host, since T)`` for messages."""
    who = liveness.describe(held.owner) if held.owner else "an unknown owner"
    return f"run {held.run_id} ({who}, since {held.since})"
