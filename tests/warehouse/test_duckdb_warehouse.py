"""The local warehouse serves Data-API-shaped calls from a real DuckDB file."""

from __future__ import annotations

import pytest

from strata.errors import WarehouseError
from strata.warehouse.config import DuckDBConfig
from strata.warehouse.duckdb import DuckDBWarehouse
from strata.warehouse.transpile import redshift_to_duckdb


@pytest.fixture
def warehouse(tmp_path):
    wh = DuckDBWarehouse(DuckDBConfig(tmp_path / "w.duckdb"))
    yield wh
    wh.close()


def test_submit_describe_and_fetch_results(warehouse):
    statement = warehouse.submit(
        [
            "CREATE SCHEMA s",
            "CREATE TABLE s.t AS SELECT 1 AS a",
            "SELECT a, NVL(NULL, 2) AS b FROM s.t",
        ]
    )
    status = warehouse.describe(statement)
    assert status.status == "FINISHED" and status.has_result_set
    assert warehouse.result(statement).rows == [(1, 2)]
    assert warehouse.result(statement + ":2").columns in ([], ["Count"])


def test_a_failing_batch_is_rolled_back_and_reports_the_error(warehouse):
    statement = warehouse.submit(["CREATE TABLE t AS SELECT 1 AS a", "SELECT * FROM missing_table"])
    status = warehouse.describe(statement)
    assert status.status == "FAILED" and "missing_table" in status.error
    assert warehouse.run(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 't'"
    ).rows == [(0,)]
    with pytest.raises(WarehouseError, match="FAILED"):
        warehouse.result(statement)


def test_client_token_makes_resubmission_idempotent(warehouse):
    warehouse.submit(["CREATE TABLE t (a INT)"])
    first = warehouse.submit(["INSERT INTO t VALUES (1)"], client_token="tok")
    second = warehouse.submit(["INSERT INTO t VALUES (1)"], client_token="tok")
    assert first == second
    assert warehouse.run("SELECT count(*) FROM t").rows == [(1,)]


def test_redshift_only_clauses_are_handled_on_purpose():
    assert (
        redshift_to_duckdb(
            "CREATE EXTERNAL SCHEMA x FROM DATA CATALOG DATABASE 'd' IAM_ROLE default"
        )
        == []
    )
    view = redshift_to_duckdb("CREATE OR REPLACE VIEW v AS SELECT 1 AS a WITH NO SCHEMA BINDING")
    assert len(view) == 1 and "SCHEMA BINDING" not in view[0].upper()
    assert redshift_to_duckdb("CREATE TABLE t (a VARCHAR(MAX))") == ["CREATE TABLE t (a TEXT)"]
    with pytest.raises(WarehouseError, match="syntax error: Expected table name but got 'WHERE'"):
        redshift_to_duckdb("SELECT FROM WHERE (")


def test_distribution_and_sort_keys_are_dropped_for_duckdb():
    assert redshift_to_duckdb(
        "CREATE TABLE s.t__strata_new DISTSTYLE KEY DISTKEY (a) COMPOUND SORTKEY (a, b) AS\n"
        "SELECT 1 AS a, 2 AS b"
    ) == ["CREATE TABLE s.t__strata_new AS SELECT 1 AS a, 2 AS b"]
    assert redshift_to_duckdb(
        "CREATE TABLE t DISTSTYLE EVEN INTERLEAVED SORTKEY (sortkey) AS SELECT 1 AS sortkey"
    ) == ["CREATE TABLE t AS SELECT 1 AS sortkey"]


def test_a_finished_local_statement_cannot_be_cancelled(warehouse):
    statement = warehouse.submit(["SELECT 1"])
    with pytest.raises(WarehouseError, match="cannot be cancelled"):
        warehouse.cancel(statement)
