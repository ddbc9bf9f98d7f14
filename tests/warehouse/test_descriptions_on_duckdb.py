"""The models' and the contracts' descriptions, written into the local warehouse as comments
that a SQL client shows (``duckdb_tables()``, ``duckdb_views()``, ``duckdb_columns()``)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from strata.catalog.tables import table_for
from strata.models import RunOptions
from strata.models.executor import execute
from strata.project import Project
from strata.runtime import Context

QUOTED = "The shop's orders: 'placed' \\ or 'shipped'."
PROJECT = {
    "dbt_project.yml": "name: shop\nmodels:\n  shop:\n    +schema: marts\n",
    "models/stg.sql": "select order_id, amount, _ingested_at from {{ source('lake', 'orders') }}",
    "models/orders.sql": (
        "{{ config(materialized='incremental', unique_key='order_id') }}\n"
        "select order_id, amount, _ingested_at as updated_at from {{ ref('stg') }}\n"
        "{% if is_incremental() %}where _ingested_at > (select max(updated_at) from {{ this }})"
        "{% endif %}"
    ),
    "models/totals.sql": (
        "{{ config(materialized='table', persist_docs={'columns': false}) }}\n"
        "select sum(amount) as total from {{ ref('stg') }}"
    ),
    "models/schema.yml": f"""
models:
  - name: stg
    description: Orders as received.
    columns:
      - name: amount
        description: Order total, tax included.
  - name: orders
    description: {json.dumps(QUOTED)}
    columns:
      - name: order_id
        description: Order number.
      - name: ghost
        description: A column the model does not have (yet).
  - name: totals
    description: Revenue so far.
    columns:
      - name: total
        description: Not written, persist_docs says so.
""",
}


@pytest.fixture
def shop(ctx) -> Context:
    shop = replace(ctx, _project=Project(ctx.project.contracts, dict(PROJECT)))
    native = ctx.ports.warehouse.execute_native
    native("CREATE SCHEMA IF NOT EXISTS cleansed")
    native(
        "CREATE TABLE cleansed.orders AS SELECT 1 AS order_id, "
        "CAST(12.5 AS DECIMAL(12,2)) AS amount, TIMESTAMP '2026-11-24 06:00:00' AS _ingested_at"
    )
    return shop


def comments(ctx: Context) -> dict[str, str]:
    """Every comment in the marts schema, by ``relation`` or ``relation.column``."""
    rows = ctx.ports.warehouse.execute_native(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts' "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'marts' "
        "UNION ALL SELECT table_name || '.' || column_name, comment FROM duckdb_columns() "
        "WHERE schema_name = 'marts'"
    ).rows
    return {name: comment for name, comment in rows if comment}


EXPECTED = {
    "stg": "Orders as received.",
    "stg.amount": "Order total, tax included.",
    "orders": QUOTED,
    "orders.order_id": "Order number.",
    "totals": "Revenue so far.",
}


def test_a_build_writes_the_models_descriptions_as_comments(shop):
    summary = execute(shop, "run-1", RunOptions())
    assert summary["status"] == "success"

    assert comments(shop) == EXPECTED


def test_the_comments_survive_rebuilds_the_incremental_merge_and_the_table_swap(shop):
    execute(shop, "run-1", RunOptions())
    shop.ports.warehouse.execute_native(
        "INSERT INTO cleansed.orders VALUES (2, 30, TIMESTAMP '2026-11-25 06:00:00')"
    )

    summary = execute(shop, "run-2", RunOptions())

    messages = {
        node["name"]: node["message"] for node in summary["nodes"] if node["kind"] == "model"
    }
    assert messages == {
        "stg": "view created",
        "orders": "1 new or changed rows merged",
        "totals": "table built: 1 rows",
    }
    assert comments(shop) == EXPECTED


def test_turning_persist_docs_off_writes_no_comments(shop):
    files = dict(PROJECT)
    files["dbt_project.yml"] += "    +persist_docs: {relation: false, columns: false}\n"
    quiet = replace(shop, _project=Project(shop.project.contracts, files))

    assert execute(quiet, "run-1", RunOptions())["status"] == "success"

    assert comments(quiet) == {}


def test_the_cleansed_views_carry_the_contracts_descriptions(ctx):
    contract = ctx.project.contracts["orders"]
    ctx.ports.catalog.ensure_table(table_for(contract, ctx.ports.cleansed.uri("orders/")))

    view = ctx.ports.warehouse.execute_native(
        "SELECT comment FROM duckdb_views() WHERE schema_name = 'cleansed' AND view_name = 'orders'"
    ).rows
    columns = dict(
        ctx.ports.warehouse.execute_native(
            "SELECT column_name, comment FROM duckdb_columns() "
            "WHERE schema_name = 'cleansed' AND table_name = 'orders'"
        ).rows
    )

    assert view == [(contract.description,)]
    described = {column.name: column.description for column in contract.columns}
    assert {name: columns[name] for name in described} == described
