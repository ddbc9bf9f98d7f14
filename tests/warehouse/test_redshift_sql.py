"""The local warehouse runs Redshift SQL as Redshift would: it refuses what Redshift lacks,
accepts Redshift's own spellings, and gives numeric results Redshift's types."""

from __future__ import annotations

from decimal import Decimal

import pytest

from strata.errors import WarehouseError
from strata.warehouse.config import DuckDBConfig
from strata.warehouse.duckdb import DuckDBWarehouse
from strata.warehouse.numeric import division_type
from strata.warehouse.redshift_functions import REDSHIFT_FUNCTIONS
from strata.warehouse.redshift_sql import RedshiftSqlError, parse_redshift


@pytest.fixture
def warehouse(tmp_path):
    wh = DuckDBWarehouse(DuckDBConfig(tmp_path / "w.duckdb"))
    wh.run("CREATE SCHEMA s")
    wh.run(
        "CREATE TABLE s.t AS SELECT * FROM (VALUES "
        "(CAST(1.25 AS DECIMAL(12,2)), CAST(1 AS INT), 'a', CAST(4 AS SMALLINT)), "
        "(CAST(2.50 AS DECIMAL(12,2)), CAST(2 AS INT), 'b', CAST(5 AS SMALLINT))) "
        "AS v (d, i, k, small)"
    )
    yield wh
    wh.close()


def column_types(warehouse, select: str) -> dict[str, str]:
    warehouse.run(f"CREATE TABLE s.result AS {select}")
    described = warehouse.execute_native("DESCRIBE s.result").rows
    warehouse.run("DROP TABLE s.result")
    return {row[0]: row[1] for row in described}


@pytest.mark.parametrize(
    ("sql", "refusal"),
    [
        ("SELECT arg_max(k, d) FROM s.t", "function arg_max() is not a Redshift function"),
        ("SELECT count_if(d > 1) FROM s.t", "function count_if()"),
        ("SELECT strftime(CURRENT_DATE, '%Y')", "function strftime()"),
        ("SELECT k, count(*) FROM s.t GROUP BY ALL", "GROUP BY ALL"),
        ("SELECT split_to_array(k, ',')[1] FROM s.t", "subscript [...]"),
        ("SELECT d,, i FROM s.t", "syntax error: nothing between ','"),
        ("SELECT CAST(d AS DECIMAL(40, 2)) FROM s.t", "1 to 38 digits"),
    ],
)
def test_sql_redshift_lacks_is_refused_not_run(warehouse, sql, refusal):
    with pytest.raises(WarehouseError, match="FAILED") as caught:
        warehouse.run(sql)
    assert refusal in str(caught.value)


def test_a_refusal_names_the_function_and_its_line():
    with pytest.raises(RedshiftSqlError) as caught:
        parse_redshift("SELECT 1\nFROM s.t\nWHERE count_if(d > 1) > 0")
    assert caught.value.line == 3 and "count_if()" in str(caught.value)


def test_redshifts_own_spellings_run_on_duckdb(warehouse):
    rows = warehouse.run(
        "SELECT datediff(day, DATE '2026-01-01', DATE '2026-01-31') AS days, "
        "dateadd(month, 1, DATE '2026-01-31') AS next_month, NVL(NULL, 3) AS n, "
        "DECODE(2, 1, 'one', 2, 'two') AS word, LEN('abc') AS length"
    ).rows
    assert rows[0][0] == 30 and str(rows[0][1]).startswith("2026-02-28")
    assert rows[0][2:] == (3, "two", 3)


def test_the_allow_list_knows_the_functions_the_sample_models_use():
    used = {"COUNT", "SUM", "MIN", "MAX", "AVG", "COALESCE", "NULLIF", "ROW_NUMBER"}
    assert used | {"DATEDIFF", "DATE_TRUNC", "CAST"} <= REDSHIFT_FUNCTIONS


def test_numeric_results_have_redshifts_types(warehouse):
    types = column_types(
        warehouse,
        "SELECT AVG(d) AS avg_decimal, SUM(d) AS sum_decimal, SUM(i) AS sum_int, "
        "SUM(small) AS sum_smallint, SUM(CAST(i AS BIGINT)) AS sum_bigint, "
        "SUM(d) / SUM(i) AS ratio, "
        "CAST(SUM(d) AS DECIMAL(9,4)) / COUNT(*) AS rate, AVG(i) AS avg_int, "
        "SUM(i) OVER (PARTITION BY k) AS running FROM s.t GROUP BY k, i",
    )
    # SUM and AVG of DECIMAL(12,2): Redshift's precision 38, the argument's scale.
    assert types["avg_decimal"] == types["sum_decimal"] == "DECIMAL(38,2)"
    # SUM of any integer is BIGINT in Redshift (DuckDB: HUGEINT); AVG of INT is BIGINT.
    assert types["sum_int"] == types["sum_smallint"] == types["sum_bigint"] == "BIGINT"
    assert types["avg_int"] == "BIGINT"
    assert types["running"] == "BIGINT"
    # (38,2) / BIGINT as (19,0): scale 22, precision 58 > 38, so the scale gives way to 4.
    assert types["ratio"] == "DECIMAL(38,4)"
    # (9,4) / (19,0): scale 4 + 19 + 1 = 24, precision 9 - 4 + 24 = 29.
    assert types["rate"] == "DECIMAL(29,24)"


def test_integer_average_and_division_have_redshifts_values(warehouse):
    rows = warehouse.run("SELECT AVG(i) AS a, SUM(i) / 2 AS half, 7 / 2 AS seven FROM s.t").rows
    assert rows == [(1, 1, 3)]  # (1 + 2) / 2 = 1.5 truncates to 1; 3 / 2 = 1; 7 / 2 = 3
    ratio = warehouse.run("SELECT SUM(d) / 3 AS third FROM s.t").rows[0][0]
    # 3.75 / 3: (38,2) / INT as (10,0) has scale 13 and precision 49 > 38: the scale gives
    # way by 11, down to its floor of 4.
    assert ratio == Decimal("1.2500") and ratio.as_tuple().exponent == -4


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ((19, 0), (19, 0), "DECIMAL(38, 19)"),  # Redshift's documented bigint ratio
        ((19, 2), (38, 19), "DECIMAL(38, 4)"),  # the scale never drops below 4
        ((12, 2), (10, 0), "DECIMAL(23, 13)"),
    ],
)
def test_decimal_division_follows_redshifts_precision_and_scale_rules(left, right, expected):
    assert division_type(left, right) == expected
