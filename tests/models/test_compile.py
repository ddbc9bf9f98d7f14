"""Compiling the dbt subset: what models may call, and clear errors for what they may not."""

from __future__ import annotations

import pytest

from strata.errors import ModelError
from strata.models import compile_for
from strata.project import Project

BASE = {
    "dbt_project.yml": (
        "name: shop\nmodels:\n  shop:\n    stage:\n      +schema: stage\n      +tags: [daily]\n"
        "vars:\n  since: '2026-01-01'\n"
    ),
    "profiles.yml": "shop:\n  outputs:\n    dev: {type: duckdb}\n    prod: {type: duckdb}\n",
}


def compiled(ctx, target=None, variables=None, **models: str):
    files = dict(BASE)
    files.update({f"models/stage/{name}.sql": sql for name, sql in models.items()})
    project = Project(contracts=ctx.project.contracts, warehouse_files=files)
    return compile_for(project, ctx.settings, target, variables)


def test_ref_source_var_target_and_this_render_to_relations(ctx):
    result = compiled(
        ctx,
        target="prod",
        variables={"limit": 5},
        a="select * from {{ source('lake', 'orders') }} where d > '{{ var('since') }}'",
        b=(
            "{{ config(materialized='incremental', unique_key=['id', 'day']) }}\n"
            "select * from {{ ref('a') }} limit {{ var('limit') }} -- {{ target.name }}\n"
            "{% if is_incremental() %}where d > (select max(d) from {{ this }}){% endif %}"
        ),
    )
    a, b = result.model("a"), result.model("b")
    assert a.compiled_sql == "select * from cleansed.orders where d > '2026-01-01'"
    assert a.sources == [("lake", "orders")] and b.refs == ["a"]
    assert b.compiled_sql == "select * from stage.a limit 5 -- prod"
    assert b.incremental_sql.endswith("where d > (select max(d) from stage.b)")
    assert b.config.unique_key == ["id", "day"] and b.config.strategy == "merge"
    assert b.config.tags == ["daily"]
    assert [model.name for model in result.models] == ["a", "b"]


def test_config_can_move_a_model_to_another_schema_and_refs_follow(ctx):
    result = compiled(
        ctx,
        a="{{ config(schema='marts', materialized='table', dist='id', sort=['d']) }} select 1",
        b="select * from {{ ref('a') }}",
    )
    assert result.model("a").relation == "marts.a"
    assert result.model("b").compiled_sql == "select * from marts.a"


def test_a_cycle_is_reported_by_model_name(ctx):
    with pytest.raises(ModelError, match=r"cycle: (a → b → a|b → a → b)"):
        compiled(ctx, a="select * from {{ ref('b') }}", b="select * from {{ ref('a') }}")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "select 1\nfrom {{ ref('nope') }}",
            r"warehouse/models/stage/m\.sql:2: ref\('nope'\) names no model",
        ),
        (
            "select 1\n\n{{ dbt_utils.star('x') }}",
            r"warehouse/models/stage/m\.sql:3: .*dbt_utils.*outside the supported dbt subset",
        ),
        ("select 1\n{% if %}", r"warehouse/models/stage/m\.sql:2: "),
        (
            "select {{ var('missing') }}",
            r"warehouse/models/stage/m\.sql:1: var\('missing'\) is not set and has no default",
        ),
        (
            "{{ config(post_hook='grant') }} select 1",
            r"stage/m\.sql:1: config 'post_hook' is outside the supported dbt subset",
        ),
        (
            "{{ config(materialized='ephemeral') }} select 1",
            r"warehouse/models/stage/m\.sql:1: materialized='ephemeral' is not supported",
        ),
        (
            "{{ config(materialized='incremental', incremental_strategy='merge') }} select 1",
            "needs a unique_key",
        ),
        (
            "select * from {{ source('raw', 'orders') }}",
            r"stage/m\.sql:1: source\('raw', 'orders'\): the cleansed tables are source 'lake'",
        ),
        ("select * from {{ source('lake', 'ghosts') }}", "names no source contract"),
        ("select * from {{ ref('other_project', 'a') }}", "packages are not supported"),
        ("{% do run_query('x') %}", r"warehouse/models/stage/m\.sql:1: .*unknown tag 'do'"),
    ],
)
def test_anything_outside_the_subset_names_the_model_and_line(ctx, sql, message):
    with pytest.raises(ModelError, match=message):
        compiled(ctx, m=sql)


def test_unknown_targets_and_model_level_tests_are_refused(ctx):
    with pytest.raises(ModelError, match="no target 'qa'"):
        compiled(ctx, target="qa", a="select 1")
    files = dict(BASE)
    files["models/stage/a.sql"] = "select 1 as id"
    files["models/stage/a.yml"] = (
        "models:\n  - name: a\n    columns:\n      - name: id\n"
        "        data_tests: [dbt_utils.not_empty]\n"
    )
    project = Project(contracts=ctx.project.contracts, warehouse_files=files)
    with pytest.raises(ModelError, match=r"test 'dbt_utils\.not_empty' on column 'id' is outside"):
        compile_for(project, ctx.settings)


def test_generic_and_singular_tests_compile_to_failing_row_queries(ctx):
    files = dict(BASE)
    files["models/stage/a.sql"] = "select 1 as id, 'x' as kind"
    files["models/stage/b.sql"] = "select 1 as id"
    files["models/stage/a.yml"] = """
models:
  - name: a
    columns:
      - name: id
        data_tests:
          - not_null
          - relationships:
              arguments: {to: "ref('b')", field: id}
              config: {severity: warn}
      - name: kind
        data_tests:
          - accepted_values:
              arguments: {values: ["x", "it's"]}
"""
    files["tests/no_negative_ids.sql"] = (
        "{{ config(severity='warn') }}\nselect * from {{ ref('a') }} where id < 0"
    )
    project = Project(contracts=ctx.project.contracts, warehouse_files=files)
    tests = {test.name: test for test in compile_for(project, ctx.settings).tests}
    assert tests["not_null_a_id"].compiled_sql == "SELECT * FROM stage.a WHERE id IS NULL"
    relationship = tests["relationships_a_id"]
    assert relationship.severity == "warn" and relationship.depends_on == ["a", "b"]
    assert "LEFT JOIN stage.b AS parent ON child.id = parent.id" in relationship.compiled_sql
    assert "NOT IN ('x', 'it''s')" in tests["accepted_values_a_kind"].compiled_sql
    singular = tests["no_negative_ids"]
    assert singular.severity == "warn" and singular.depends_on == ["a"]
    assert singular.compiled_sql == "select * from stage.a where id < 0"
