"""The models' descriptions as Redshift ``COMMENT ON`` statements: what Redshift takes (tables,
table columns, views; not a late-binding view's columns), quoted so any text survives, read
back by the same Redshift dialect checks the local warehouse applies."""

from __future__ import annotations

import pytest

from strata.models import RunOptions, build_manifest
from strata.models.descriptions import COMMENT_SQLS, output_columns, with_comments
from strata.models.materialize import Existing, build
from strata.project import Project
from strata.runtime import warehouse_profile
from strata.settings import Settings
from strata.warehouse.base import DATA_API_MAX_BATCH
from strata.warehouse.redshift_sql import parse_redshift

TRICKY = "It's the shop's \\ total;\nsee 'orders' -- not a comment"
FILES = {
    "dbt_project.yml": "name: shop\nmodels:\n  shop:\n    +schema: marts\n",
    "models/stg.sql": "select order_id, amount from {{ source('lake', 'orders') }}",
    "models/revenue.sql": (
        "{{ config(materialized='table') }}\n"
        "select order_id, sum(amount) as revenue from {{ ref('stg') }} group by 1"
    ),
    "models/everything.sql": "{{ config(materialized='table') }}\nselect * from {{ ref('stg') }}",
    "models/schema.yml": """
models:
  - name: stg
    description: Orders as received.
    columns:
      - name: amount
        description: Order total.
  - name: revenue
    description: "It's the shop's \\\\ total;\\nsee 'orders' -- not a comment"
    columns:
      - name: REVENUE
        description: Sum of the amounts.
      - name: ghost
        description: Not in the model's SQL.
  - name: everything
    columns:
      - name: amount
        description: Unknown to the planner behind select *.
""",
}


@pytest.fixture
def nodes(ctx) -> dict[str, dict]:
    """The manifest's model nodes, planned for Redshift."""
    project = Project(contracts=ctx.project.contracts, warehouse_files=dict(FILES))
    redshift = warehouse_profile(Settings(runtime="aws", redshift_workgroup="wg"))
    manifest = build_manifest(project, ctx.settings, "r", RunOptions(), profile=redshift)
    return {node["name"]: node for node in manifest["nodes"].values()}


def test_a_table_gets_its_description_and_its_named_columns_descriptions(nodes):
    comments = nodes["revenue"][COMMENT_SQLS]
    assert comments == [
        "COMMENT ON TABLE dev_marts.revenue IS "
        "'It\\'s the shop\\'s \\\\ total;\\nsee \\'orders\\' -- not a comment'",
        "COMMENT ON COLUMN dev_marts.revenue.REVENUE IS 'Sum of the amounts.'",
    ]


def test_redshift_reads_the_comment_text_back_exactly(nodes):
    [statement] = parse_redshift(nodes["revenue"][COMMENT_SQLS][0])
    assert statement.args["kind"] == "TABLE"
    assert statement.expression.this == TRICKY


def test_on_redshift_a_view_gets_its_description_but_not_its_columns(nodes):
    assert nodes["stg"][COMMENT_SQLS] == ["COMMENT ON VIEW dev_marts.stg IS 'Orders as received.'"]


def test_locally_a_view_gets_its_columns_descriptions_too(ctx):
    project = Project(contracts=ctx.project.contracts, warehouse_files=dict(FILES))
    manifest = build_manifest(project, ctx.settings, "r", RunOptions(select=["stg"]))
    assert manifest["nodes"]["model.shop.stg"][COMMENT_SQLS][1] == (
        "COMMENT ON COLUMN marts.stg.amount IS 'Order total.'"
    )


def test_columns_behind_a_star_are_not_guessed(nodes):
    assert nodes["everything"][COMMENT_SQLS] == []
    assert output_columns("select a, b as c, t.d, count(*) from t") == {"a", "c", "d"}
    assert output_columns("select t.*, x from t") == {"x"}


@pytest.mark.parametrize("existing", [None, Existing("table"), Existing("view")])
def test_the_comments_follow_the_build_and_precede_the_row_count(nodes, existing):
    sqls = build(nodes["revenue"], existing, full_refresh=False).sqls
    first_comment = next(i for i, sql in enumerate(sqls) if sql.startswith("COMMENT"))
    assert sqls[first_comment - 1] == "ALTER TABLE dev_marts.revenue__strata_new RENAME TO revenue"
    assert sqls[first_comment:-1] == nodes["revenue"][COMMENT_SQLS]
    assert sqls[-1] == "SELECT COUNT(*) AS strata_rows FROM dev_marts.revenue"
    for sql in sqls[first_comment:-1]:
        parse_redshift(sql)  # every statement is one Redshift reads


def test_a_batch_never_passes_the_data_api_limit_for_its_comments():
    build_sqls = ["CREATE ...", "ALTER ...", "SELECT COUNT(*) AS strata_rows"]
    comments = [f"COMMENT ON COLUMN t.c{i} IS 'x'" for i in range(60)]
    sqls = with_comments(build_sqls, comments, last_returns_rows=True)
    assert len(sqls) == DATA_API_MAX_BATCH
    assert sqls[-1] == build_sqls[-1] and sqls[2] == comments[0]
