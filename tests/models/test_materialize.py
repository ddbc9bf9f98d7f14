"""Golden compiled SQL, one file per materialization case, in Redshift's dialect.

The files under tests/models/golden/ are the exact statements Strata submits. After an
intended change, regenerate them with STRATA_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from strata.models import RunOptions, build_manifest
from strata.models.materialize import Existing, build
from strata.project import Project

GOLDEN = Path(__file__).parent / "golden"
FILES = {
    "dbt_project.yml": (
        "name: shop\nmodels:\n  shop:\n    stage:\n      +schema: stage\n"
        "    marts:\n      +schema: marts\n      +materialized: table\n"
    ),
    "models/stage/stg_orders.sql": (
        "select order_id, customer_id, amount, _ingested_at as updated_at\n"
        "from {{ source('lake', 'orders') }}\n-- a trailing comment"
    ),
    "models/marts/revenue.sql": (
        "{{ config(dist='customer_id', sort=['customer_id', 'day']) }}\n"
        "select customer_id, sum(amount) as revenue from {{ ref('stg_orders') }} group by 1"
    ),
    "models/marts/even.sql": "{{ config(dist='even') }}\nselect 1 as one",
}
INCREMENTAL = (
    "{{{{ config(materialized='incremental', unique_key={key}, "
    "incremental_strategy='{strategy}') }}}}\n"
    "select order_id, customer_id, amount, updated_at from {{{{ ref('stg_orders') }}}}\n"
    "{{% if is_incremental() %}}"
    "where updated_at > (select max(updated_at) from {{{{ this }}}}){{% endif %}}"
)
COLUMNS = ("order_id", "customer_id", "amount", "updated_at")


# Descriptions become comments after the build (golden: where they go and how they're quoted).
DESCRIBED = {
    "models/marts/schema.yml": (
        'models:\n  - name: revenue\n    description: Revenue per customer, "net" of what\'s'
        " returned.\n    columns:\n      - name: revenue\n        description: Sum of the"
        " amounts.\n  - name: stg_orders\n    description: Orders as received.\n"
    )
}


def node(ctx, name: str, extra: dict[str, str] | None = None, **models: str) -> dict:
    files = {**FILES, **(extra or {})}
    files.update({f"models/marts/{model}.sql": sql for model, sql in models.items()})
    project = Project(contracts=ctx.project.contracts, warehouse_files=files)
    manifest = build_manifest(project, ctx.settings, "golden", RunOptions(select=[name]))
    return manifest["nodes"][f"model.shop.{name}"]


def incremental(ctx, strategy: str, key: str = "'order_id'") -> dict:
    return node(ctx, "orders", orders=INCREMENTAL.format(key=key, strategy=strategy))


CASES = {
    "view_reading_a_source": lambda ctx: build(node(ctx, "stg_orders"), None, full_refresh=False),
    "view_replacing_a_table": lambda ctx: build(
        node(ctx, "stg_orders"), Existing("table"), full_refresh=False
    ),
    "table_first_build_dist_key_sort_keys": lambda ctx: build(
        node(ctx, "revenue"), None, full_refresh=False
    ),
    "table_swapped_in_dist_even": lambda ctx: build(
        node(ctx, "even"), Existing("table"), full_refresh=False
    ),
    "table_replacing_a_view": lambda ctx: build(
        node(ctx, "revenue"), Existing("view"), full_refresh=False
    ),
    "incremental_first_build": lambda ctx: build(
        incremental(ctx, "merge"), None, full_refresh=False
    ),
    "incremental_merge": lambda ctx: build(
        incremental(ctx, "merge"), Existing("table", COLUMNS), full_refresh=False
    ),
    "incremental_delete_insert_composite_key": lambda ctx: build(
        incremental(ctx, "delete+insert", "['order_id', 'customer_id']"),
        Existing("table", COLUMNS),
        full_refresh=False,
    ),
    "incremental_append": lambda ctx: build(
        incremental(ctx, "append", "[]"), Existing("table", COLUMNS), full_refresh=False
    ),
    "incremental_full_refresh": lambda ctx: build(
        incremental(ctx, "merge"), Existing("table", COLUMNS), full_refresh=True
    ),
    "table_swapped_in_with_descriptions": lambda ctx: build(
        node(ctx, "revenue", DESCRIBED), Existing("table"), full_refresh=False
    ),
    "view_with_a_description": lambda ctx: build(
        node(ctx, "stg_orders", DESCRIBED), None, full_refresh=False
    ),
    "incremental_over_a_view": lambda ctx: build(
        incremental(ctx, "merge"), Existing("view"), full_refresh=False
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_sql_matches_the_golden_file(ctx, case):
    built = CASES[case](ctx)
    text = (
        f"-- mode: {built.mode}, counts rows: {built.counts_rows}\n"
        + "\n;\n".join(built.sqls)
        + "\n"
    )
    golden = GOLDEN / f"{case}.sql"
    if os.environ.get("STRATA_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()


def test_views_are_late_binding_and_survive_a_trailing_comment(ctx):
    sql = build(node(ctx, "stg_orders"), None, full_refresh=False).sqls[0]
    assert sql.endswith("-- a trailing comment\nWITH NO SCHEMA BINDING")


def test_merge_source_is_deduplicated_on_the_unique_key_before_merging(ctx):
    sqls = build(incremental(ctx, "merge"), Existing("table", COLUMNS), full_refresh=False).sqls
    assert "QUALIFY ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_id) = 1" in sqls[0]
    assert sqls[1].startswith("MERGE INTO marts.orders USING orders__strata_delta AS strata_new")
    assert "UPDATE SET customer_id = strata_new.customer_id" in sqls[1]
