"""Compaction on the local twin, with real DuckDB and real Parquet: a partition's small files
become a few large ones with the same rows, lineage included, swapped in for readers at once;
a compact partition is left alone; replay and later conversions stay right; retired versions
go after the grace period."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from strata.convert import convert_object
from strata.lake import partitions
from strata.orchestration.compaction import Limits, compact_touched, delete_retired
from strata.runtime import Context

RUN = "20261201T060000Z-0000c0de"
DAYS = ("2026-11-01", "2026-11-02")
SMALL = Limits(target_bytes=128 * 1024 * 1024, grace=timedelta(hours=1))
# Every row, order-independent: a missing or a doubled row changes it.
FINGERPRINT = (
    "SELECT count(*), sum(hash(order_id, customer_id, ordered_at, status, channel, amount, "
    "currency, _source_file, _ingested_at, _run_id, _row_number, event_date)) FROM {table}"
)


def land(ctx: Context, index: int, rows: int = 4) -> str:
    """A small orders CSV, its rows spread over the two days."""
    lines = ["Order ID,Customer,Order Date,Status,Amount,Currency,Channel"]
    for row in range(rows):
        day = DAYS[row % 2]
        order = index * 1000 + row
        lines.append(f"{order},C-{row:03},{day} 12:00:00,placed,{row + 1}.50,EUR,web")
    key = f"orders/ingest_date=2026-12-01/run_id={RUN}/orders_{index:04}.csv"
    body = ("\n".join(lines) + "\n").encode()
    ctx.ports.raw.put_bytes(key, body, {"strata-received-at": "2026-12-01T06:00:00+00:00"})
    return key


def converted(ctx: Context, count: int) -> list[str]:
    keys = [land(ctx, index) for index in range(count)]
    for key in keys:
        assert convert_object(ctx, RUN, "orders", key).status == "converted"
    return keys


def fingerprint(ctx: Context) -> tuple[int, int]:
    return tuple(
        ctx.ports.warehouse.execute_native(FINGERPRINT.format(table="cleansed.orders")).rows[0]
    )


def live_files(ctx: Context, day: str) -> list[Path]:
    location = ctx.ports.catalog.partition_location("orders", {"event_date": day})
    assert location is not None
    return sorted(Path(location).glob("*.parquet"))


def test_small_files_become_one_file_per_partition_with_the_same_rows(ctx):
    keys = converted(ctx, 24)
    before = fingerprint(ctx)
    assert [len(live_files(ctx, day)) for day in DAYS] == [24, 24]

    done = compact_touched(ctx, RUN, SMALL)

    assert sorted(
        (d.partition["event_date"], d.status, d.files_before, d.files_after) for d in done
    ) == [
        ("2026-11-01", "compacted", 24, 1),
        ("2026-11-02", "compacted", 24, 1),
    ]
    assert fingerprint(ctx) == before
    for day in DAYS:
        [merged] = live_files(ctx, day)
        assert "/_compacted/event_date=" + day + "/v" in str(merged)
    # Lineage stays per row: every raw object is still named by its rows.
    sources = ctx.ports.warehouse.execute_native(
        "SELECT count(DISTINCT _source_file), min(_row_number) FROM cleansed.orders"
    ).rows[0]
    assert sources == (len(keys), 1)
    assert partitions.touched(ctx.ports.state, "orders") == []


def test_compacting_a_compact_partition_does_nothing(ctx):
    converted(ctx, 3)
    compact_touched(ctx, RUN, SMALL)
    where = {day: live_files(ctx, day) for day in DAYS}
    for day in DAYS:  # queued again, as a run that touched them would
        partitions.mark_touched(ctx.ports.state, "orders", {"event_date": day})

    again = compact_touched(ctx, RUN, SMALL)

    assert {d.status for d in again} == {"compact"}
    assert {day: live_files(ctx, day) for day in DAYS} == where


def test_partitions_past_the_time_budget_stay_queued_for_the_next_run(ctx):
    converted(ctx, 2)
    done = compact_touched(ctx, RUN, Limits(budget_seconds=0))
    assert {d.status for d in done} == {"left"}
    assert len(partitions.touched(ctx.ports.state, "orders")) == 2
    assert {d.status for d in compact_touched(ctx, RUN, SMALL)} == {"compacted"}


def test_a_file_converted_after_compaction_is_visible_at_once_and_merged_next_time(ctx):
    converted(ctx, 3)
    compact_touched(ctx, RUN, SMALL)
    count = fingerprint(ctx)[0]

    later = land(ctx, 99)
    convert_object(ctx, RUN, "orders", later)

    assert fingerprint(ctx)[0] == count + 4  # in the live version, not the retired folder
    assert [len(live_files(ctx, day)) for day in DAYS] == [2, 2]
    compact_touched(ctx, RUN, SMALL)
    assert [len(live_files(ctx, day)) for day in DAYS] == [1, 1]
    assert fingerprint(ctx)[0] == count + 4


def test_a_replayed_object_replaces_its_rows_inside_compacted_files(ctx):
    keys = converted(ctx, 4)
    compact_touched(ctx, RUN, SMALL)
    before = fingerprint(ctx)

    # Replayed (same bytes): its new files wait, staged, until the compaction swaps them in.
    convert_object(ctx, RUN, "orders", keys[3])
    assert fingerprint(ctx) == before
    assert partitions.replaced(ctx.ports.state, "orders", {"event_date": DAYS[0]}) == [keys[3]]
    compact_touched(ctx, RUN, SMALL)

    assert fingerprint(ctx) == before
    counts = ctx.ports.warehouse.execute_native(
        "SELECT count(*) FROM cleansed.orders WHERE _source_file = ?", [keys[3]]
    ).rows[0][0]
    assert counts == 4
    assert not list(ctx.ports.cleansed.list("orders/_staged/"))


def test_retired_versions_are_deleted_once_the_grace_period_is_over(ctx):
    converted(ctx, 2)
    hive = Path(ctx.ports.cleansed.uri("orders/event_date=2026-11-01/"))
    compact_touched(ctx, RUN, SMALL)
    assert list(hive.glob("*.parquet"))  # still there for queries planned before the swap

    assert delete_retired(ctx.ports, "orders", before=_long_ago()) == 0
    assert delete_retired(ctx.ports, "orders", before=datetime.now(UTC) + timedelta(1)) == 2
    assert not list(hive.glob("*.parquet"))
    assert fingerprint(ctx)[0] == 8


def _long_ago() -> Any:
    return datetime(2000, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("reader", ["warehouse", "read_api"])
def test_a_reader_never_sees_a_row_missing_or_doubled_while_partitions_are_swapped(ctx, reader):
    """A thread hammers count(*) and a hash of every row while the partitions are compacted,
    then swapped again and again by replays; every answer is the first one."""
    keys = converted(ctx, 4)
    expected = fingerprint(ctx)
    read = _reader(ctx, reader)
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def hammer() -> None:
        try:
            while not stop.is_set():
                seen.append(read())
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        compact_touched(ctx, RUN, SMALL)
        for key in keys[:2]:
            convert_object(ctx, RUN, "orders", key)  # staged: the old rows stay visible
            compact_touched(ctx, RUN, SMALL)  # the swap: the new rows replace them at once
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    assert len(seen) > 5
    assert set(seen) == {expected}


def _reader(ctx: Context, kind: str) -> Any:
    if kind == "warehouse":
        return lambda: fingerprint(ctx)
    from strata_read.local import LocalBackend

    backend = LocalBackend(ctx.settings)

    def read_api() -> tuple[int, int]:
        table = backend.read_cleansed("orders", None, None, None, as_arrow=True)
        import duckdb

        with duckdb.connect() as con:
            con.register("t", table)
            return tuple(con.execute(FINGERPRINT.format(table="t")).fetchone())

    return read_api


def test_on_glue_the_partition_moves_to_the_new_version_and_keeps_its_values(
    ctx, monkeypatch, tmp_path
):
    """The same compaction with the Glue catalog (moto): each compacted partition's location
    is its new version folder, the partitions and the table stay as they were."""
    from dataclasses import replace

    import boto3
    from moto import mock_aws

    from strata.catalog.glue import GlueCatalog, GlueConfig

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        glue = boto3.client("glue", region_name="eu-west-1")
        glue.create_database(DatabaseInput={"Name": "strata_test"})
        on_glue = replace(
            ctx, ports=replace(ctx.ports, catalog=GlueCatalog(GlueConfig("strata_test"), glue))
        )
        converted(on_glue, 3)
        table = glue.get_table(DatabaseName="strata_test", Name="orders")["Table"]

        done = compact_touched(on_glue, RUN, SMALL)

        assert {d.status for d in done} == {"compacted"}
        found = glue.get_partitions(DatabaseName="strata_test", TableName="orders")["Partitions"]
        assert sorted(p["Values"][0] for p in found) == sorted(
            d.partition["event_date"] for d in done
        )
        for partition in found:
            location = partition["StorageDescriptor"]["Location"]
            assert "/_compacted/event_date=" + partition["Values"][0] + "/v" in location
            assert len(list(Path(location).glob("*.parquet"))) == 1
            serde = partition["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"]
            assert serde == table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"]
        after = glue.get_table(DatabaseName="strata_test", Name="orders")["Table"]
        assert after["StorageDescriptor"] == table["StorageDescriptor"]
