"""The read API's cost, locally (issue 17):

- ``read("analytics.big")`` of a 1M-row table takes at most 1.5x a bare DuckDB ``.df()`` of the
  same table (best of three each);
- ``read_cleansed`` with a one-day range over 100 daily partitions reads that day's file only:
  every other day's file is overwritten with bytes that are not Parquet, so touching one would
  fail the read, and the files it plans to read are counted.

    python bench/read.py [--rows 1000000] [--days 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from strata.catalog.base import CatalogColumn, TableDef
from strata.catalog.local import LocalCatalog
from strata.warehouse.config import DuckDBConfig
from strata.warehouse.duckdb import DuckDBWarehouse
from strata_dev.local.snapshot import publish_snapshot
from strata_read import connect

LIMIT = 1.5
REPEAT = 3


def best(action: Callable[[], Any]) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = action()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def build_table(lake: Path, rows: int) -> Path:
    """analytics.big in the warehouse, published as the snapshot readers open."""
    warehouse = DuckDBWarehouse(DuckDBConfig(lake / "warehouse.duckdb"))
    try:
        warehouse.execute_native("CREATE SCHEMA IF NOT EXISTS analytics")
        warehouse.execute_native(
            "CREATE OR REPLACE TABLE analytics.big AS SELECT i AS order_id, "
            "'C' || lpad(CAST(i % 5000 AS VARCHAR), 4, '0') AS customer_id, "
            "CAST(i % 997 AS DECIMAL(12, 2)) / 7 AS amount, "
            "TIMESTAMP '2026-01-01' + INTERVAL (i % 31536000) SECOND AS ordered_at, "
            "['web', 'shop', 'app'][1 + i % 3] AS channel FROM range(?) AS t(i)",
            [rows],
        )
        snapshot = publish_snapshot(warehouse, lake)
    finally:
        warehouse.close()
    assert snapshot is not None
    return snapshot


def bench_read(project: Path, rows: int) -> tuple[float, float]:
    snapshot = build_table(project / "lake", rows)

    import duckdb

    def bare() -> Any:
        with duckdb.connect(str(snapshot), read_only=True) as connection:
            return connection.sql("SELECT * FROM analytics.big").df()

    lake = connect(project, env={})
    bare_seconds, expected = best(bare)
    api_seconds, frame = best(lambda: lake.read("analytics.big"))
    assert len(frame) == len(expected) == rows and list(frame.columns) == list(expected.columns)
    return bare_seconds, api_seconds


def build_partitions(project: Path, days: int) -> list[str]:
    """cleansed.events: one Parquet file per day, registered in the local catalog."""
    import duckdb

    lake = project / "lake"
    location = lake / "cleansed" / "events"
    values = [(date(2026, 1, 1) + timedelta(days=n)).isoformat() for n in range(days)]
    with duckdb.connect() as connection:
        for number, day in enumerate(values):
            folder = location / f"event_date={day}"
            folder.mkdir(parents=True)
            connection.execute(
                f"COPY (SELECT i AS event_id, {number} AS day_number FROM range(1000) AS t(i)) "
                f"TO '{folder / 'part_0.parquet'}' (FORMAT parquet)"
            )
    table = TableDef(
        name="events",
        columns=(CatalogColumn("event_id", "bigint"), CatalogColumn("day_number", "int")),
        partition_keys=(CatalogColumn("event_date", "string"),),
        location=str(location),
    )
    warehouse = DuckDBWarehouse(DuckDBConfig(lake / "warehouse.duckdb"))
    try:
        catalog = LocalCatalog(lake / "catalog", warehouse)
        catalog.ensure_table(table)
        catalog.add_partitions("events", [{"event_date": day} for day in values])
        publish_snapshot(warehouse, lake)
    finally:
        warehouse.close()
    return values


def check_pruning(project: Path, days: int) -> int:
    """Reads one day of ``days``; returns the number of files read. Raises when any other
    day's file was touched or the rows are not that day's."""
    values = build_partitions(project, days)
    chosen = values[days // 2]
    lake = connect(project, env={})
    planned = lake.backend.cleansed_files("events", chosen, chosen)
    for path in (project / "lake" / "cleansed" / "events").rglob("*.parquet"):
        if path not in planned:
            path.write_bytes(b"not parquet: reading this file fails the benchmark")
    frame = lake.read_cleansed("events", start=chosen, end=chosen)
    assert len(frame) == 1000 and set(frame["day_number"]) == {days // 2}, frame.head()
    assert set(frame["event_date"].astype(str)) == {chosen}
    return len(planned)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=100)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="strata-bench-read-") as folder:
        bare, api = bench_read(Path(folder) / "read", options.rows)
        files = check_pruning(Path(folder) / "prune", options.days)
    ratio = api / bare
    print(f"read() of {options.rows:,} rows: {api:.3f} s; bare DuckDB .df(): {bare:.3f} s; "
          f"ratio {ratio:.2f} (limit {LIMIT})")  # fmt: skip
    print(f"read_cleansed, one day of {options.days} daily partitions: {files} file(s) read")
    ok = ratio <= LIMIT and files == 1
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
