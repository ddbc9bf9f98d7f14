"""S3 drops land byte-for-byte in raw, once per object, with their metadata."""

from __future__ import annotations

import hashlib
from urllib.parse import quote_plus

import pytest
from conftest import write_contract

from strata.ingest.events import s3_object_created
from strata.ingest.s3_drop import land_from_event, land_object
from strata.lake.keys import RawKey
from strata.runtime import Context

BODY = b"Order ID,Customer\xe9\n1,x\n"


def drop(ctx, key: str, body: bytes = BODY):
    info = ctx.ports.landing.put_bytes(key, body)
    return s3_object_created("landing", key, info.size, info.etag)


def bound(ctx, source: str) -> Context:
    """The context as the source's own function sees it in AWS (STRATA_SOURCE=source)."""
    settings = ctx.settings.model_copy(update={"source": source})
    return Context(settings=settings, ports=ctx.ports, _project=ctx.project)


def add_returns_source(project_dir):
    """A second drop source whose prefix is nested in the orders source's own."""
    write_contract(
        project_dir,
        "returns",
        kind="s3_drop",
        s3_drop={"prefix": "orders/returns/", "include": "*.csv"},
        format={"type": "csv"},
    )


def test_a_dropped_file_lands_unchanged_with_metadata_and_is_queued(ctx):
    result = land_from_event(ctx, drop(ctx, "orders/batch 1.csv"))
    assert result.status == "landed" and result.source == "orders"
    assert ctx.ports.raw.get_bytes(result.raw_key) == BODY
    parsed = RawKey.parse(result.raw_key)
    assert parsed.source == "orders" and parsed.name == "batch 1.csv"
    metadata = ctx.ports.raw.head(result.raw_key).metadata
    assert metadata["strata-sha256"] == hashlib.sha256(BODY).hexdigest()
    assert metadata["strata-size"] == str(len(BODY))
    assert metadata["strata-origin"].endswith("orders/batch 1.csv")
    assert metadata["strata-run-id"] == parsed.run_id
    assert [item["raw_key"] for item in ctx.ports.state.query("pending#orders")] == [result.raw_key]


def test_repeated_events_for_one_object_land_it_once(ctx):
    event = drop(ctx, "orders/a.csv")
    results = [land_from_event(ctx, event) for _ in range(3)]
    assert [r.status for r in results] == ["landed", "duplicate", "duplicate"]
    assert len(list(ctx.ports.raw.list("orders/"))) == 1


def test_a_changed_object_under_the_same_key_lands_again(ctx):
    land_from_event(ctx, drop(ctx, "orders/a.csv"))
    result = land_from_event(ctx, drop(ctx, "orders/a.csv", BODY + b"2,y\n"))
    assert result.status == "landed"
    assert len(list(ctx.ports.raw.list("orders/"))) == 2


def test_keys_outside_every_source_prefix_or_glob_are_ignored(ctx):
    assert land_from_event(ctx, drop(ctx, "elsewhere/a.csv")).status == "ignored"
    assert land_from_event(ctx, drop(ctx, "orders/a.txt")).status == "ignored"
    assert list(ctx.ports.raw.list()) == []


def test_url_encoded_keys_from_s3_notifications_are_decoded(ctx):
    event = drop(ctx, "orders/with space.csv")
    event["detail"]["object"]["key"] = quote_plus("orders/with space.csv", safe="/")
    assert land_from_event(ctx, event).status == "landed"


def test_a_failed_copy_releases_the_claim_so_a_retry_lands_it(ctx, monkeypatch):
    drop(ctx, "orders/a.csv")
    original = ctx.ports.raw.copy_from

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ctx.ports.raw, "copy_from", broken)
    with pytest.raises(OSError, match="disk full"):
        land_object(ctx, "orders/a.csv")
    monkeypatch.setattr(ctx.ports.raw, "copy_from", original)
    assert land_object(ctx, "orders/a.csv").status == "landed"


def test_a_function_bound_to_its_source_lands_that_sources_keys(ctx):
    result = land_from_event(bound(ctx, "orders"), drop(ctx, "orders/a.csv"))
    assert result.status == "landed" and result.source == "orders"


def test_a_function_bound_to_one_source_ignores_another_sources_keys(ctx, project_dir):
    # orders/ rule also matches orders/returns/ keys: the orders function must leave them to
    # the returns function, which lands them once.
    add_returns_source(project_dir)
    event = drop(ctx, "orders/returns/r1.csv")

    ignored = land_from_event(bound(ctx, "orders"), event)
    assert ignored.status == "ignored" and ignored.source == "returns"
    assert ignored.reason == "source 'returns' owns this key; this function lands 'orders' only"
    assert list(ctx.ports.raw.list()) == [] and ctx.ports.state.query("landed#orders") == []

    landed = land_from_event(bound(ctx, "returns"), event)
    assert landed.status == "landed" and landed.raw_key.startswith("returns/")
    assert land_from_event(bound(ctx, "customers"), event).status == "ignored"


def test_a_key_deleted_before_its_event_is_handled_is_ignored(ctx):
    event = drop(ctx, "orders/gone.csv")
    ctx.ports.landing.delete("orders/gone.csv")
    result = land_from_event(bound(ctx, "orders"), event)
    assert result.status == "ignored" and result.reason == "object no longer exists"


def test_a_key_found_by_listing_is_exactly_that_key_not_a_longer_one(ctx):
    drop(ctx, "orders/a.csv.bak.csv")
    result = land_object(ctx, "orders/a.csv")
    assert result.status == "ignored" and result.reason == "object no longer exists"


def test_a_real_plus_in_a_key_is_kept_when_that_object_exists(ctx):
    event = drop(ctx, "orders/a+b.csv")
    result = land_from_event(bound(ctx, "orders"), event)
    assert result.status == "landed" and result.landing_key == "orders/a+b.csv"
