"""Discover's batches and the batch conversion: small raw objects are converted several per
invocation, with each object's accounting and failure its own."""

from __future__ import annotations

import json

from strata.lake import state_keys
from strata.lake.keys import conversion_manifest_key, failure_key
from strata.lake.payloads import ConvertBatch, DiscoveredItem
from strata.orchestration.batches import batch_size, batched
from strata.orchestration.convert_step import convert_batch

RUN = "20261201T060000Z-0000ba7c"


def item(n: int) -> DiscoveredItem:
    return DiscoveredItem(
        source="orders", raw_key=f"orders/ingest_date=2026-12-01/run_id={RUN}/{n}"
    )


def test_a_batch_closes_at_its_count_or_before_its_bytes():
    sized = [(item(n), 10) for n in range(10)]
    assert [len(b.items) for b in batched(sized, max_objects=4, max_bytes=1000)] == [4, 4, 2]
    assert [len(b.items) for b in batched(sized, max_objects=64, max_bytes=35)] == [3, 3, 3, 1]
    assert [b.bytes for b in batched(sized, max_objects=64, max_bytes=35)] == [30, 30, 30, 10]


def test_an_object_larger_than_a_batch_goes_alone_and_order_is_kept():
    sized = [(item(0), 5), (item(1), 500), (item(2), 5), (item(3), 5)]
    batches = batched(sized, max_objects=64, max_bytes=100)
    assert [[i.raw_key[-1] for i in b.items] for b in batches] == [["0"], ["1"], ["2", "3"]]
    assert batched([], 64, 100) == []


def test_few_objects_make_as_many_batches_as_the_map_converts_at_once():
    assert batch_size(60, max_objects=64, concurrency=4) == 15
    assert batch_size(20_000, max_objects=64, concurrency=4) == 64
    assert batch_size(3, max_objects=64, concurrency=4) == 1
    assert batch_size(0, max_objects=64, concurrency=4) == 1


def land(ctx, n: int) -> str:
    key = f"orders/ingest_date=2026-12-01/run_id={RUN}/orders_{n:03}.csv"
    body = (
        "Order ID,Customer,Order Date,Status,Amount,Currency,Channel\n"
        f"{n},C-1,2026-11-01 12:00:00,placed,1.50,EUR,web\n"
        f"{n + 1000},C-2,2026-11-01 13:00:00,shipped,2.50,EUR,web\n"
    ).encode()
    ctx.ports.raw.put_bytes(key, body, {"strata-received-at": "2026-12-01T06:00:00+00:00"})
    ctx.ports.state.put(state_keys.pending("orders"), key, {"raw_key": key})
    return key


def test_one_bad_object_in_a_batch_fails_alone(ctx):
    """Eight objects, the fourth never landed (the isolation does not depend on the batch's
    size, the test's time does)."""
    keys = [land(ctx, n) for n in range(7)]
    missing = f"orders/ingest_date=2026-12-01/run_id={RUN}/gone.csv"
    keys.insert(3, missing)
    batch = ConvertBatch(
        run_id=RUN, items=[DiscoveredItem(source="orders", raw_key=k) for k in keys]
    )

    result = convert_batch(ctx, batch)

    assert [file.raw_key for file in result.files] == keys
    statuses = [file.status for file in result.files]
    assert statuses.count("converted") == 7 and statuses[3] == "failed"
    assert result.files[3].error == "ObjectNotFoundError"
    # The failure is recorded in full for the report; the object stays queued for a retry.
    record = json.loads(ctx.ports.artifacts.get_bytes(failure_key(RUN, missing)))
    assert record["raw_key"] == missing
    # Every other object has its own manifest and accounting, and left the queue.
    for file in result.files[:3] + result.files[4:]:
        key = conversion_manifest_key(RUN, file.raw_key)
        manifest = json.loads(ctx.ports.artifacts.get_bytes(key))
        assert [manifest[n] for n in ("rows_in", "rows_out", "rows_quarantined")] == [2, 2, 0]
        assert (file.rows_in, file.rows_out) == (2, 2)
    assert [i["raw_key"] for i in ctx.ports.state.query(state_keys.pending("orders"))] == []
    rows = ctx.ports.warehouse.execute_native("SELECT count(*) FROM cleansed.orders").rows
    assert rows == [(14,)]
