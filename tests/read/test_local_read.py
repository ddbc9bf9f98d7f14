"""The read API on the DuckDB twin: what it reads, what it refuses, and that a running
pipeline and a reader never wait on each other."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import strata_read
from strata_read import EmptyLakeError, ReadError, TableNotFoundError


def test_tables_lists_every_layer_with_the_models_and_contracts_descriptions(lake):
    listed = lake.tables()
    assert set(listed["layer"]) == {"cleansed", "stage", "analytics", "adhoc"}
    described = dict(
        zip(listed["layer"] + "." + listed["table"], listed["description"], strict=True)
    )
    assert described["analytics.customer_lifetime_value"] == (
        "Lifetime orders and revenue per customer."
    )
    assert described["cleansed.orders"].startswith("Web-shop orders")
    assert not any(name.endswith("__strata_new") for name in described)


def test_read_returns_the_columns_and_rows_asked_for(lake):
    everything = lake.sql("select customer_id, orders from analytics.customer_lifetime_value")
    frame = lake.read(
        "analytics.customer_lifetime_value", columns=["customer_id", "orders"], where="orders > 5"
    )
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["customer_id", "orders"]
    expected = everything[everything["orders"] > 5]
    assert sorted(frame["customer_id"]) == sorted(expected["customer_id"])
    assert 0 < len(frame) < len(everything)


def test_read_as_arrow_and_by_bare_name(lake):
    table = lake.read("fct_orders", as_arrow=True)
    assert isinstance(table, pa.Table)
    assert table.num_rows == int(lake.sql("select count(*) as n from analytics.fct_orders").n[0])


def test_an_unknown_table_names_the_closest_ones(lake):
    with pytest.raises(TableNotFoundError) as caught:
        lake.read("analytics.customer_lifetime_valu")
    assert "analytics.customer_lifetime_value" in str(caught.value)
    with pytest.raises(TableNotFoundError, match=r"cleansed\.orders"):
        lake.read_cleansed("order")
    with pytest.raises(ReadError, match="not a table name"):
        lake.read("analytics.x; drop table y")


def test_the_reader_cannot_write_through_sql(lake):
    with pytest.raises(ReadError, match="read-only"):
        lake.sql("create table analytics.mine as select 1 as x")
    with pytest.raises(ReadError, match="read-only"):
        lake.sql("drop table analytics.fct_orders")


def test_read_cleansed_reads_only_the_partitions_asked_for(lake, demo_project):
    day = lake.read_cleansed("orders", start="2026-08-15", end="2026-08-15")
    everything = lake.read("cleansed.orders", columns=["event_date"])
    assert len(day) == Counter(everything["event_date"].astype(str))["2026-08-15"] > 0
    assert set(day["event_date"].astype(str)) == {"2026-08-15"}
    files = lake.backend.cleansed_files("orders", "2026-08-15", "2026-08-15")
    assert files and all("event_date=2026-08-15" in str(path) for path in files)
    # A month-partitioned table keeps the month a day range falls in.
    spend = lake.read_cleansed("marketing_spend", start="2026-07-10", end="2026-07-12")
    assert set(spend["event_month"].astype(str)) == {"2026-07"}
    with pytest.raises(ReadError, match="is after"):
        lake.read_cleansed("orders", start="2026-09-02", end="2026-09-01")
    with pytest.raises(ReadError, match="not a date"):
        lake.read_cleansed("orders", start="yesterday")


def test_an_empty_lake_says_what_to_run_first(tmp_path):
    empty = strata_read.connect(tmp_path, env={})
    with pytest.raises(EmptyLakeError, match=r"make demo.*strata run"):
        empty.tables()
    with pytest.raises(EmptyLakeError, match="make demo"):
        empty.write_adhoc("scores", pd.DataFrame({"x": [1]}))


HOLD_WRITER = textwrap.dedent(
    """
    import sys, time, duckdb
    connection = duckdb.connect(sys.argv[1])  # a pipeline's writer: the file is locked
    connection.execute("select count(*) from analytics.fct_orders").fetchall()
    print("holding", flush=True)
    time.sleep(60)
    """
)


def test_reading_while_a_run_holds_the_warehouse_for_writing(lake, demo_project):
    import duckdb

    warehouse = demo_project / "lake" / "warehouse.duckdb"
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITER, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "holding"
        # The live file is locked: a bare read-only connection cannot open it ...
        with pytest.raises(duckdb.IOException):
            duckdb.connect(str(warehouse), read_only=True)
        # ... but the read API reads the snapshot, at once.
        started = time.monotonic()
        frame = lake.read("analytics.daily_revenue")
        assert len(frame) > 0 and time.monotonic() - started < 5
        assert len(lake.read_cleansed("shipments", start="2026-10-01", end="2026-10-31")) > 0
        assert writer.poll() is None  # and the writer was never disturbed
    finally:
        writer.kill()
        writer.wait()


def test_write_adhoc_waits_for_a_run_in_progress_then_publishes_the_table(lake, demo_project):
    from strata.lake.keys import new_run_id
    from strata.runtime import build_context
    from strata.settings import Settings
    from strata_dev.console import Console
    from strata_dev.local.run import single_flight

    settings = Settings(project_dir=demo_project, lake_dir=demo_project / "lake")
    running, finish = threading.Event(), threading.Event()

    def pipeline_run() -> None:  # holds the lake's run lock as `strata run` does
        with single_flight(build_context(settings), new_run_id(), Console(), wait=False):
            running.set()
            finish.wait(30)

    holder = threading.Thread(target=pipeline_run)
    holder.start()
    assert running.wait(10)
    written: list[str] = []
    frame = pd.DataFrame({"customer_id": ["C0001", "C0002"], "score": [0.25, 0.75]})
    writer = threading.Thread(target=lambda: written.append(lake.write_adhoc("test_scores", frame)))
    writer.start()
    time.sleep(1.5)
    assert written == []  # still waiting for the run
    finish.set()
    holder.join(10)
    writer.join(20)
    assert written == ["adhoc.test_scores"]
    back = lake.read("adhoc.test_scores")
    assert back.sort_values("customer_id").to_dict("list") == frame.to_dict("list")
    with pytest.raises(ReadError, match="not a table name"):
        lake.write_adhoc("Bad Name", frame)


def test_the_snapshot_is_published_by_the_run(demo_project):
    snapshot = demo_project / "lake" / "snapshots" / "warehouse.duckdb"
    assert snapshot.exists()
    assert not list(snapshot.parent.glob(".*.tmp.duckdb"))  # no half-written copy left


def test_find_project_walks_up_from_a_notebook_folder(demo_project: Path):
    from strata_read.connect import find_project

    assert find_project(demo_project / "lake" / "notebooks") == demo_project


def test_the_twin_recorded_the_models_grants_for_bi_reader_and_none_on_stage(lake, demo_project):
    grants = lake.sql("select privilege, object_kind, object, grantee from strata_meta.grants")
    readable = set(grants[grants["privilege"] == "SELECT"]["object"])
    folders = ("analytics", "adhoc")
    models = {
        f"{path.parent.name}.{path.stem}"
        for folder in folders
        for path in (demo_project / "warehouse" / "models" / folder).glob("*.sql")
    }
    assert models and models <= readable
    assert not any(name.startswith(("stage.", "cleansed.")) for name in readable)
    assert set(grants["grantee"]) == {"ROLE bi_reader"}
    schemas = set(grants[grants["object_kind"] == "schema"]["object"])
    assert schemas == {"analytics", "adhoc"}
    assert "strata_meta" not in set(lake.tables()["layer"])
