"""SQL clients that bundle DuckDB 1.x (DBeaver, Evidence, notebooks) open the local warehouse:
the file is written in an older storage format, and a file DuckDB 2 wrote in its own format
is rewritten on opening. A real DuckDB 1.4 client, in its own virtualenv, reads it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from strata.errors import ConfigError, WarehouseError
from strata.warehouse.config import DuckDBConfig
from strata.warehouse.duckdb import DuckDBWarehouse, storage_version

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / ".tools" / "duckdb1" / "bin" / "python"
# What the 1.x client runs: open the file read-only, answer with its version, the query's
# rows and the comments, as JSON; or with the error it met.
READER = """
import json, sys, duckdb
try:
    con = duckdb.connect(sys.argv[1], read_only=True)
    rows = con.execute(sys.argv[2]).fetchall()
    comments = con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE comment IS NOT NULL ORDER BY 1, 2"
    ).fetchall()
    print(json.dumps({"version": duckdb.__version__, "rows": rows, "comments": comments},
                     default=str))
except duckdb.Error as exc:
    print(json.dumps({"version": duckdb.__version__, "error": str(exc)}))
"""


@pytest.fixture(scope="session")
def duckdb1() -> Path:
    """A DuckDB 1.x interpreter: `make duckdb1-tools` (part of `make test`) installs it, or
    this fixture does, once, from PyPI."""
    if not CLIENT.exists():
        made = subprocess.run(
            [
                "make",
                "-s",
                "-f",
                "mk/duckdb1.mk",
                "duckdb1-tools",
                f"BOOTSTRAP_PYTHON={sys.executable}",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if made.returncode != 0 or not CLIENT.exists():
            tail = (made.stderr or made.stdout).strip().splitlines()[-3:]
            pytest.skip(f"cannot create the DuckDB 1.x client in .tools/duckdb1: {tail}")
    return CLIENT


def read_with_duckdb1(client: Path, database: Path, sql: str) -> dict:
    done = subprocess.run(
        [str(client), "-c", READER, str(database), sql],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_duckdb_1_client_opens_the_local_warehouse_and_reads_tables_views_and_comments(
    ctx, duckdb1
):
    warehouse = ctx.ports.warehouse
    warehouse.run("CREATE SCHEMA analytics")
    warehouse.run(
        "CREATE TABLE analytics.revenue AS SELECT CAST('2026-11-24' AS DATE) AS day, "
        "CAST(12.50 AS DECIMAL(12,2)) AS amount, CAST('2026-11-24 06:00:12' AS TIMESTAMP) AS at"
    )
    warehouse.run("CREATE VIEW analytics.big AS SELECT * FROM analytics.revenue WHERE amount > 10")
    warehouse.run("COMMENT ON COLUMN analytics.revenue.amount IS 'Revenue, tax included.'")
    warehouse.close()  # a SQL client opens the file once the pipeline has let go of it

    answer = read_with_duckdb1(duckdb1, warehouse.path, "SELECT * FROM analytics.big")

    assert answer["version"].startswith("1."), answer
    assert answer.get("error") is None, answer["error"]
    assert answer["rows"] == [["2026-11-24", "12.50", "2026-11-24 06:00:12"]]
    assert answer["comments"] == [["revenue", "amount", "Revenue, tax included."]]


def test_a_file_duckdb_2_wrote_in_its_own_format_is_rewritten_so_1x_clients_open_it(
    tmp_path, duckdb1
):
    import duckdb

    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as old:  # as Strata wrote it before: DuckDB 2's format
        old.execute("CREATE SCHEMA analytics")
        old.execute("CREATE TABLE analytics.orders AS SELECT range AS id FROM range(3)")
        old.execute("CREATE VIEW analytics.last AS SELECT max(id) AS id FROM analytics.orders")
        old.execute("COMMENT ON TABLE analytics.orders IS 'It''s kept.'")
        old.execute("COMMENT ON COLUMN analytics.orders.id IS 'Order number.'")
        written = storage_version(old)
    refused = read_with_duckdb1(duckdb1, path, "SELECT 1")
    assert written.startswith("v2") and "version number" in refused["error"]

    warehouse = DuckDBWarehouse(DuckDBConfig(path))
    assert storage_version(warehouse.connection()) == "v1.4.0"
    assert warehouse.run("SELECT id FROM analytics.last").rows == [(2,)]
    table_comment = "SELECT comment FROM duckdb_tables() WHERE table_name = 'orders'"
    assert warehouse.execute_native(table_comment).rows == [("It's kept.",)]
    warehouse.close()

    answer = read_with_duckdb1(duckdb1, path, "SELECT count(*) FROM analytics.orders")
    assert answer.get("error") is None and answer["rows"] == [[3]]
    assert answer["comments"] == [["orders", "id", "Order number."]]
    assert not list(tmp_path.glob("*.rewrite*"))  # the copy was swapped in, nothing left over


def test_a_file_that_cannot_be_rewritten_is_left_as_it_was_with_what_to_do(tmp_path):
    import duckdb

    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as old:
        # A type the v1.4 storage format has no room for.
        old.execute("CREATE TABLE t AS SELECT CAST(1 AS VARIANT) AS x")
    before = path.read_bytes()
    warehouse = DuckDBWarehouse(DuckDBConfig(path))

    with pytest.raises(WarehouseError, match="make clean-lake") as caught:
        warehouse.connection()

    assert "newer than v1.4.0" in str(caught.value)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.rewrite*"))


def test_an_unknown_storage_version_is_refused_naming_the_setting(tmp_path):
    warehouse = DuckDBWarehouse(DuckDBConfig(tmp_path / "w.duckdb", storage_version="v1.99.0"))
    with pytest.raises(ConfigError, match=r"STRATA_DUCKDB_STORAGE_VERSION.*v1\.4\.0"):
        warehouse.connection()
