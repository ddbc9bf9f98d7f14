"""S3 drops: a partner (or ``strata upload``) puts a file in the landing bucket; an
EventBridge "Object Created" event brings it here and it is copied byte-for-byte into raw.

Repeated events for one object land it once: a ledger entry per (landing key, ETag) is
claimed with a conditional write before copying.

In AWS one function lands every drop source's files, started by each source's rule on its
landing prefix; it finds the source owning the key (the longest prefix). A function bound to a
source (``STRATA_SOURCE``) lands only the keys that source owns: another source's key (a longer
prefix nested in this one's, say) is ignored, with the reason.
"""

from __future__ import annotations

import fnmatch
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote_plus

from strata.contracts.model import SourceContract
from strata.errors import IngestError
from strata.ingest.raw import queue_for_conversion, raw_metadata
from strata.lake import claims, state_keys
from strata.lake.keys import RawKey, new_run_id, raw_key
from strata.runtime import Context
from strata.scratch import scratch_dir
from strata.storage.base import ObjectInfo, ObjectStore, sha256_file

# A landing Lambda lives at most 15 minutes: a claim whose lease ran out belongs to one that died
# mid-copy (locally, a dead process is seen at once).
CLAIM_EXPIRY = timedelta(minutes=20)


@dataclass(frozen=True)
class LandingResult:
    status: str  # landed | duplicate | in_flight | ignored
    landing_key: str
    source: str | None = None
    raw_key: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


def source_for_key(contracts: dict[str, SourceContract], key: str) -> SourceContract | None:
    """The drop source owning a landing key: the longest matching prefix and its glob."""
    candidates = [
        contract
        for contract in contracts.values()
        if contract.s3_drop is not None and key.startswith(contract.s3_drop.prefix)
    ]
    for contract in sorted(candidates, key=lambda c: -len(c.s3_drop.prefix)):  # type: ignore[union-attr]
        name = PurePosixPath(key).name
        if fnmatch.fnmatch(name, contract.s3_drop.include):  # type: ignore[union-attr]
            return contract
    return None


def land_from_event(ctx: Context, event: dict[str, Any]) -> LandingResult:
    """Handle one EventBridge "Object Created" event from the landing bucket."""
    try:
        key = event["detail"]["object"]["key"]
    except (KeyError, TypeError) as exc:
        raise IngestError(f"not an S3 Object Created event: missing {exc}") from exc
    return land_notified(ctx, key)


def land_notified(ctx: Context, key: str) -> LandingResult:
    """Land the object an S3 notification names (its key as the notification spells it)."""
    return land_object(ctx, _existing_key(ctx, key))


def _existing_key(ctx: Context, key: str) -> str:
    # S3 notifications URL-encode keys ("a b.csv" → "a+b.csv"); accept both spellings.
    decoded = unquote_plus(key)
    if decoded == key:
        return key
    if _may_land(ctx, key) and _find(ctx.ports.landing, key) is not None:
        return key  # a real "+" (or "%") in the object's name
    return decoded


def _may_land(ctx: Context, key: str) -> bool:
    """Whether this function lands the key: a drop source owns it and, when the function is
    bound to one source (``STRATA_SOURCE``), that source."""
    contract = source_for_key(ctx.project.contracts, key)
    return contract is not None and ctx.settings.source in (None, contract.name)


def _find(landing: ObjectStore, key: str) -> ObjectInfo | None:
    """The object at exactly ``key``, or None. Found by listing with the key as prefix (the key
    itself sorts first), not by HEAD: a landing function may list only its own prefix, and S3
    answers a HEAD of a missing key with 403, not 404, to a role that cannot list the bucket."""
    for info in landing.list(key):
        return info if info.key == key else None
    return None


def land_object(ctx: Context, key: str, now: datetime | None = None) -> LandingResult:
    contract = source_for_key(ctx.project.contracts, key)
    if contract is None:
        return LandingResult("ignored", key, reason="no s3_drop source owns this key")
    bound = ctx.settings.source
    if bound is not None and contract.name != bound:
        reason = f"source {contract.name!r} owns this key; this function lands {bound!r} only"
        return LandingResult("ignored", key, contract.name, reason=reason)
    info = _find(ctx.ports.landing, key)
    if info is None:
        return LandingResult("ignored", key, contract.name, reason="object no longer exists")
    now = now or datetime.now(UTC)
    ledger_pk, ledger_sk = state_keys.landed(contract.name), f"{key}#{info.etag}"
    run_id = new_run_id(now)
    claimant = claims.Claimant.of(ctx.ports.liveness, run_id)
    # The raw key is chosen before the copy and kept by a takeover: a landing that died after
    # its copy is redone onto the same raw object, never into a second one.
    taken = claims.take(
        ctx.ports.state,
        ledger_pk,
        ledger_sk,
        claimant,
        now=now,
        lease=CLAIM_EXPIRY,
        data={
            "raw_key": raw_key(contract.name, now, run_id, info.key),
            "received_at": now.isoformat(),
        },
        keep=("raw_key", "received_at"),
        reentrant=False,
    )
    if isinstance(taken, claims.Held):
        if taken.done:
            return LandingResult("duplicate", key, contract.name, reason="already landed")
        reason = f"being landed by {claims.describe(taken, ctx.ports.liveness)}"
        return LandingResult("in_flight", key, contract.name, reason=reason)
    target = taken.data["raw_key"]
    received = datetime.fromisoformat(taken.data["received_at"])
    try:
        _copy_to_raw(ctx, contract.name, info, target, received)
    except Exception:
        claims.release(ctx.ports.state, taken)  # a retry may land it
        raise
    # Queued before the ledger says landed: a death between the two leaves a claim to take
    # over (the copy is redone onto the same key), never a landed file nobody converts.
    queue_for_conversion(ctx.ports.state, contract.name, target, received, info.size)
    claims.complete(
        ctx.ports.state, taken, {"status": "landed", "raw_key": target, "at": now.isoformat()}
    )
    return LandingResult("landed", key, contract.name, raw_key=target)


def _copy_to_raw(
    ctx: Context, source: str, info: ObjectInfo, target: str, received: datetime
) -> None:
    from pathlib import Path

    # The checksum is computed from the bytes themselves; an ETag is not a checksum for
    # multipart uploads.
    with (
        scratch_dir("land") as workdir,
        ctx.ports.landing.local_copy(info.key, Path(workdir)) as path,
    ):
        digest = sha256_file(path)
    metadata = raw_metadata(
        source=source,
        run_id=RawKey.parse(target).run_id,
        received_at=received,
        sha256=digest,
        size=info.size,
        origin=ctx.ports.landing.uri(info.key),
    )
    ctx.ports.raw.copy_from(ctx.ports.landing, info.key, target, metadata)
