"""The models' Redshift SQL, run for real on the local warehouse (transpiled to DuckDB) by the
same planner and scheduler as the pipeline: materializations, incrementals, tests, failures."""

from __future__ import annotations

from dataclasses import replace

import pytest

from strata.models import RunOptions
from strata.models.executor import execute
from strata.project import Project
from strata.runtime import Context

PROJECT = {
    "dbt_project.yml": (
        "name: shop\n"
        "models:\n  shop:\n    stage:\n      +schema: stage\n"
        "    marts:\n      +schema: marts\n      +materialized: table\n"
    ),
    "models/stage/stg_orders.sql": (
        "select order_id, customer_id, amount, _ingested_at as updated_at\n"
        "from {{ source('lake', 'orders') }}"
    ),
    "models/marts/orders.sql": (
        "{{ config(materialized='incremental', unique_key='order_id', "
        "incremental_strategy=var('strategy', 'merge'), dist='customer_id', sort='order_id') }}\n"
        "select * from {{ ref('stg_orders') }}\n"
        "{% if is_incremental() %}where updated_at > (select max(updated_at) from {{ this }})"
        "{% endif %}"
    ),
    "models/marts/customers.sql": (
        "select customer_id, count(*) as orders, sum(amount) as amount\n"
        "from {{ ref('orders') }} group by customer_id"
    ),
    "models/marts/schema.yml": """
models:
  - name: customers
    columns:
      - name: customer_id
        data_tests: [unique, not_null]
      - name: amount
        data_tests:
          - accepted_values:
              arguments: {values: [10, 20, 30], quote: false}
              config: {severity: warn}
""",
}


@pytest.fixture
def shop(ctx) -> Context:
    """The local warehouse with a cleansed.orders table and the shop project."""
    files = dict(PROJECT)
    shop = replace(ctx, _project=Project(contracts=ctx.project.contracts, warehouse_files=files))
    native = ctx.ports.warehouse.execute_native
    native("CREATE SCHEMA IF NOT EXISTS cleansed")
    native(
        "CREATE OR REPLACE TABLE cleansed.orders "
        "(order_id BIGINT, customer_id VARCHAR, amount DECIMAL(12,2), _ingested_at TIMESTAMP)"
    )
    land(shop, [(1, "a", 10), (2, "b", 25), (3, "a", 10)], "2026-11-01 06:00:00")
    return shop


def land(ctx: Context, rows: list[tuple], at: str) -> None:
    values = ", ".join(f"({o}, '{c}', {a}, TIMESTAMP '{at}')" for o, c, a in rows)
    ctx.ports.warehouse.execute_native(f"INSERT INTO cleansed.orders VALUES {values}")


def rows(ctx: Context, sql: str) -> list[tuple]:
    return ctx.ports.warehouse.run(sql).rows


def build(ctx: Context, run_id: str, **options) -> dict:
    summary = execute(ctx, run_id, RunOptions(**options))
    return {node["name"]: node for node in summary["nodes"]} | {"_status": summary["status"]}


@pytest.mark.parametrize(
    ("strategy", "new_rows", "orders"),
    [
        ("merge", 2, [(1, 10), (2, 25), (3, 30), (4, 40)]),
        ("delete+insert", 2, [(1, 10), (2, 25), (3, 30), (4, 40)]),
        # append keeps the old version of order 3; new rows are still one per key
        ("append", 2, [(1, 10), (2, 25), (3, 10), (3, 30), (4, 40)]),
    ],
)
def test_an_incremental_model_picks_up_exactly_the_new_rows_on_the_second_run(
    shop, strategy, new_rows, orders
):
    first = build(shop, "run-1", variables={"strategy": strategy})
    assert first["orders"]["status"] == "success" and first["orders"]["rows"] == 3
    # order 3 changes, order 4 arrives twice in the same delivery (a duplicate key)
    land(shop, [(3, "a", 30), (4, "c", 40), (4, "c", 40)], "2026-11-02 06:00:00")

    second = build(shop, "run-2", variables={"strategy": strategy})

    assert second["orders"]["status"] == "success"
    assert second["orders"]["rows"] == new_rows
    assert rows(shop, "SELECT order_id, amount FROM marts.orders ORDER BY 1, 2") == [
        (order, pytest.approx(amount)) for order, amount in orders
    ]
    assert build(shop, "run-3", variables={"strategy": strategy})["orders"]["rows"] == 0


def test_full_refresh_rebuilds_an_incremental_model_whole(shop):
    build(shop, "run-1")
    shop.ports.warehouse.execute_native("DELETE FROM marts.orders WHERE order_id = 1")
    assert build(shop, "run-2")["orders"]["rows"] == 0
    refreshed = build(shop, "run-3", full_refresh=True)
    assert refreshed["orders"]["message"] == "table rebuilt (full refresh): 3 rows"
    assert rows(shop, "SELECT count(*) FROM marts.orders") == [(3,)]


def test_a_table_is_swapped_in_and_the_views_reading_it_keep_working(shop):
    build(shop, "run-1")
    shop.ports.warehouse.execute_native(
        "CREATE VIEW marts.big_customers AS SELECT * FROM marts.customers WHERE amount > 15"
    )
    land(shop, [(5, "b", 30)], "2026-11-02 06:00:00")
    assert build(shop, "run-2")["customers"]["rows"] == 2
    assert rows(shop, "SELECT customer_id, amount FROM marts.big_customers ORDER BY 1") == [
        ("a", pytest.approx(20)),
        ("b", pytest.approx(55)),
    ]
    tables = rows(
        shop, "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%strata%'"
    )
    assert tables == []


def test_warn_tests_are_reported_and_error_tests_fail_the_run_with_a_sample(shop):
    ok = build(shop, "run-1")
    assert ok["_status"] == "success"
    assert ok["accepted_values_customers_amount"]["status"] == "warn"
    assert ok["accepted_values_customers_amount"]["failures"] == 1  # customer b: 25
    assert ok["accepted_values_customers_amount"]["sample"] == [
        {"customer_id": "b", "orders": 1, "amount": "25.00"}
    ]

    files = dict(shop.project.warehouse_files)
    files["models/marts/customers.sql"] = (
        "select customer_id, count(*) as orders, sum(amount) as amount from {{ ref('orders') }} "
        "group by customer_id union all select 'a', 0, 10"
    )
    failing = replace(shop, _project=Project(shop.project.contracts, files))
    result = build(failing, "run-2")
    assert result["_status"] == "error"
    unique = result["unique_customers_customer_id"]
    assert unique["status"] == "fail" and unique["failures"] == 1
    assert unique["sample"] == [{"unique_field": "a", "n_records": 2}]


def test_a_failing_model_skips_its_descendants_not_unrelated_branches(shop):
    files = dict(shop.project.warehouse_files)
    files["models/marts/orders.sql"] = "select no_such_column from {{ ref('stg_orders') }}"
    files["models/marts/by_amount.sql"] = (
        "select amount, count(*) as n from {{ ref('stg_orders') }} group by 1"
    )
    broken = replace(shop, _project=Project(shop.project.contracts, files))

    result = build(broken, "run-1")

    assert result["_status"] == "error"
    assert result["orders"]["status"] == "error" and "no_such_column" in result["orders"]["message"]
    assert result["customers"]["status"] == "skipped"
    assert result["customers"]["message"] == "upstream model.shop.orders failed"
    assert result["unique_customers_customer_id"]["status"] == "skipped"
    assert result["by_amount"]["status"] == "success"
    assert rows(broken, "SELECT count(*) FROM marts.by_amount") == [(2,)]
