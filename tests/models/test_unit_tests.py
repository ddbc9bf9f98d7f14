"""dbt's unit tests on the twin: mock rows in, expected rows out, in milliseconds, with a
readable diff on failure and clear errors for mocks that do not fit the model."""

from __future__ import annotations

import pytest

from strata.errors import ModelError
from strata.models import RunOptions, compile_for
from strata.models.unit_tests import run_unit_tests
from strata.project import Project

BASE = {
    "dbt_project.yml": (
        "name: shop\nmodels:\n  shop:\n    stage:\n      +schema: stage\n"
        "    marts:\n      +schema: marts\n      +materialized: table\n"
    ),
    "profiles.yml": "shop:\n  outputs:\n    dev: {type: duckdb}\n",
    "models/stage/stg_orders.sql": (
        "select order_id, customer_id, amount, status\n"
        "from (\n"
        "    select *, row_number() over (partition by order_id order by _ingested_at desc) as n\n"
        "    from {{ source('lake', 'orders') }}\n"
        ") as ranked\n"
        "where n = 1"
    ),
    "models/marts/revenue.sql": (
        "{{ config(materialized='incremental', unique_key='customer_id') }}\n"
        "select customer_id, sum(amount) as revenue, count(*) as orders\n"
        "from {{ ref('stg_orders') }}\n"
        "where status <> 'cancelled'\n"
        "{% if is_incremental() %}and customer_id not in (select customer_id from {{ this }})"
        "{% endif %}\n"
        "group by customer_id"
    ),
}
LATEST = """
unit_tests:
  - name: keeps_the_latest_version
    model: stg_orders
    given:
      - input: source('lake', 'orders')
        rows:
          - {order_id: 1, customer_id: a, amount: 10, status: placed, _ingested_at: 2026-11-01}
          - {order_id: 1, customer_id: a, amount: 10, status: shipped, _ingested_at: 2026-11-02}
          - {order_id: 2, customer_id: b, amount: 5.5, status: placed, _ingested_at: 2026-11-01}
    expect:
      rows:
        - {order_id: 1, status: shipped}
        - {order_id: 2, status: placed}
"""
REVENUE = """
unit_tests:
  - name: revenue_leaves_out_cancelled_orders
    model: revenue
    given:
      - input: ref('stg_orders')
        format: csv
        rows: |
          customer_id,amount,status
          a,10.00,shipped
          a,2.50,placed
          b,99,cancelled
          c,1,placed
    expect:
      rows:
        - {customer_id: a, revenue: 12.5, orders: 2}
        - {customer_id: c, revenue: 1, orders: 1}
  - name: an_incremental_run_skips_known_customers
    model: revenue
    overrides:
      macros: {is_incremental: true}
    given:
      - input: ref('stg_orders')
        rows:
          - {customer_id: a, amount: 1, status: placed}
          - {customer_id: d, amount: 4, status: placed}
      - input: this
        rows: [{customer_id: a}]
    expect:
      rows: [{customer_id: d, revenue: 4}]
"""


def project_with(ctx, schema: str) -> Project:
    files = {**BASE, "models/schema.yml": schema}
    return Project(contracts=ctx.project.contracts, warehouse_files=files)


def run(ctx, schema: str, **options):
    results = run_unit_tests(project_with(ctx, schema), ctx.settings, RunOptions(**options))
    return {result.name: result for result in results}


def test_unit_tests_pass_on_mock_sources_refs_csv_rows_and_this(ctx):
    results = run(ctx, LATEST + REVENUE.replace("unit_tests:\n", ""))
    assert {name: result.status for name, result in results.items()} == {
        "keeps_the_latest_version": "pass",
        "revenue_leaves_out_cancelled_orders": "pass",
        "an_incremental_run_skips_known_customers": "pass",
    }, [result.message for result in results.values()]
    assert all(result.seconds < 2 for result in results.values())


def test_a_failing_unit_test_shows_missing_extra_rows_and_the_columns_that_differ(ctx):
    schema = LATEST.replace("{order_id: 1, status: shipped}", "{order_id: 1, status: placed}")
    result = run(ctx, schema)["keeps_the_latest_version"]
    assert result.status == "fail"
    assert result.message == (
        "warehouse/models/schema.yml:3: expected 2 row(s), got 2: 1 missing, 1 extra"
    )
    assert result.diff == [
        "missing  order_id=1, status='placed'",
        "extra    order_id=1, status='shipped'",
        "order_id=1: status expected 'placed', got 'shipped'",
    ]


def test_unit_tests_follow_the_model_selection(ctx):
    schema = LATEST + REVENUE.replace("unit_tests:\n", "")
    assert set(run(ctx, schema, select=["revenue"])) == {
        "revenue_leaves_out_cancelled_orders",
        "an_incremental_run_skips_known_customers",
    }


def test_a_mock_column_the_input_does_not_have_is_an_error_at_its_line(ctx):
    schema = LATEST.replace("amount: 5.5,", "amont: 5.5,")
    result = run(ctx, schema)["keeps_the_latest_version"]
    assert result.status == "error"
    assert result.message.startswith(
        "warehouse/models/schema.yml:6: unit test 'keeps_the_latest_version': "
        "source('lake', 'orders') (cleansed.orders) has no column 'amont' (its columns: "
    )


def test_an_expected_column_the_model_does_not_return_is_an_error(ctx):
    schema = LATEST.replace("{order_id: 2, status: placed}", "{order_id: 2, state: placed}")
    result = run(ctx, schema)["keeps_the_latest_version"]
    assert result.status == "error"
    assert "schema.yml:12: " in result.message
    assert "stg_orders returns no column 'state'" in result.message


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            LATEST.replace("source('lake', 'orders')", "ref('revenue')"),
            r"schema\.yml:6: unit test 'keeps_the_latest_version': stg_orders does not read "
            r"ref\('revenue'\) \(it reads: source\('lake', 'orders'\)\)",
        ),
        (
            REVENUE.replace("      - input: this\n        rows: [{customer_id: a}]\n", "").replace(
                "      - input: ref('stg_orders')\n        format: csv",
                "      - input: this\n        format: csv",
            ),
            r"schema\.yml:3: unit test 'revenue_leaves_out_cancelled_orders' gives no rows for "
            r"ref\('stg_orders'\)",
        ),
        (
            LATEST.replace("model: stg_orders", "model: stg_order"),
            r"schema\.yml:3: unit test 'keeps_the_latest_version' names unknown model",
        ),
        (
            LATEST.replace("input: source('lake', 'orders')", "input: source('orders')"),
            r"schema\.yml:6: input \"source\('orders'\)\": write ref\('model'\)",
        ),
        (
            LATEST.replace("    expect:\n", "    expect:\n      format: sql\n"),
            r"schema\.yml:12: format 'sql' is not implemented",
        ),
        (
            LATEST.replace("    model: stg_orders\n", "    model: stg_orders\n    versions: 1\n"),
            r"schema\.yml:5: 'versions' in a unit test is outside the supported dbt subset",
        ),
    ],
    ids=["not-an-input", "missing-input", "unknown-model", "bad-input", "sql-format", "versions"],
)
def test_unit_tests_that_do_not_fit_the_model_are_refused_when_compiling(ctx, schema, message):
    with pytest.raises(ModelError, match=message):
        compile_for(project_with(ctx, schema), ctx.settings)
