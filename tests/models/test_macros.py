"""User macros: dbt's namespace and semantics on Jinja's own machinery, and clear errors."""

from __future__ import annotations

import pytest

from strata.errors import ModelError
from strata.models import compile_for
from strata.project import Project

BASE = {
    "dbt_project.yml": "name: shop\nmodels:\n  shop:\n    stage:\n      +schema: stage\n",
    "profiles.yml": "shop:\n  outputs:\n    dev: {type: duckdb}\n    prod: {type: duckdb}\n",
}


def compiled(ctx, files: dict[str, str], target: str | None = None):
    project = Project(contracts=ctx.project.contracts, warehouse_files={**BASE, **files})
    return compile_for(project, ctx.settings, target)


def test_models_and_tests_call_macros_that_call_each_other_and_record_their_refs(ctx):
    result = compiled(
        ctx,
        {
            "macros/money.sql": (
                "{% macro cents(column) %}round({{ column }} * {{ factor() }}){% endmacro %}\n"
                "{% macro factor() %}{{ return(100) }}{% endmacro %}"
            ),
            "macros/latest.sql": (
                "{% macro latest(model) -%}\n"
                "select * from {{ ref(model) }} where is_latest\n"
                "{%- endmacro %}"
            ),
            "models/stage/a.sql": "select 1 as amount, true as is_latest",
            "models/stage/b.sql": (
                "select {{ shop.cents('amount') }} as cents from ({{ latest('a') }})"
            ),
            "tests/no_latest.sql": "select * from ({{ latest('b') }}) as l where cents < 0",
        },
    )
    b = result.model("b")
    assert b.compiled_sql == (
        "select round(amount * 100) as cents from (select * from stage.a where is_latest)"
    )
    assert b.refs == ["a"]
    assert [model.name for model in result.models] == ["a", "b"]
    (singular,) = result.tests
    assert singular.compiled_sql == (
        "select * from (select * from stage.b where is_latest) as l where cents < 0"
    )
    assert singular.depends_on == ["b"]


def test_a_macro_sees_the_models_target_and_vars_and_return_gives_a_value(ctx):
    result = compiled(
        ctx,
        {
            "macros/limits.sql": (
                "{% macro row_limit() %}"
                "{% if target.name == 'prod' %}{{ return(none) }}{% endif %}"
                "{{ return(var('dev_rows', 10)) }}"
                "{% endmacro %}"
            ),
            "models/stage/a.sql": (
                "{% set limit = row_limit() %}select 1{% if limit %} limit {{ limit }}{% endif %}"
            ),
        },
        target="dev",
    )
    assert result.model("a").compiled_sql == "select 1 limit 10"


def test_a_project_macro_overrides_the_unprefixed_built_in_but_not_dbt_dot(ctx):
    result = compiled(
        ctx,
        {
            "macros/types.sql": "{% macro type_string() %}varchar(64){% endmacro %}",
            "models/stage/a.sql": (
                "select cast(1 as {{ type_string() }}) as a, "
                "cast(1 as {{ dbt.type_string() }}) as b"
            ),
        },
    )
    assert result.model("a").compiled_sql == (
        "select cast(1 as varchar(64)) as a, cast(1 as varchar) as b"
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {
                "macros/m.sql": "{% macro a() %}\n{{ nope() }}\n{% endmacro %}",
                "models/stage/x.sql": "select 1\n{{ a() }}",
            },
            r"^warehouse/macros/m\.sql:2: 'nope' is undefined .*"
            r"\(called from warehouse/models/stage/x\.sql:2\)",
        ),
        (
            {
                "macros/loop.sql": (
                    "{% macro ping() %}{{ pong() }}{% endmacro %}\n"
                    "{% macro pong() %}\n{{ ping() }}{% endmacro %}"
                ),
                "models/stage/x.sql": "select {{ ping() }}",
            },
            r"^warehouse/macros/loop\.sql:\d: macros call each other in a loop: "
            r"(ping → pong → ping|pong → ping → pong)",
        ),
        (
            {
                "macros/a.sql": "{% macro twice() %}1{% endmacro %}",
                "macros/b.sql": "\n{% macro twice() %}2{% endmacro %}",
                "models/stage/x.sql": "select 1",
            },
            r"^warehouse/macros/b\.sql:2: two macros are named 'twice': the other is in "
            r"warehouse/macros/a\.sql:1",
        ),
        (
            {
                "macros/bad.sql": "{% macro a() %}\n{% if %}{% endmacro %}",
                "models/stage/x.sql": "select 1",
            },
            r"^warehouse/macros/bad\.sql:2: ",
        ),
        (
            {"models/stage/x.sql": "select\n{{ dbt.split_part('a', ',', 1) }}"},
            r"^warehouse/models/stage/x\.sql:2: dbt\.split_part is not one of the dbt macros "
            r"Strata implements \(supported: .*datediff",
        ),
        (
            {"models/stage/x.sql": "select {{ dbt.datediff('a', 'b', 'a day') }}"},
            r"^warehouse/models/stage/x\.sql:1: datediff\(\): 'a day' is no date part",
        ),
        (
            {
                "macros/ref.sql": "\n\n{% macro ref(name) %}x{% endmacro %}",
                "models/stage/x.sql": "select 1",
            },
            r"^warehouse/macros/ref\.sql:3: a macro named 'ref' would replace dbt's own",
        ),
    ],
    ids=[
        "unknown-macro",
        "loop",
        "duplicate",
        "syntax",
        "unknown-built-in",
        "bad-date-part",
        "reserved",
    ],
)
def test_macro_mistakes_are_errors_at_their_file_and_line(ctx, files, message):
    with pytest.raises(ModelError, match=message):
        compiled(ctx, files)


def test_the_schema_macro_is_still_checked_against_stratas_rule(ctx):
    files = {
        "macros/generate_schema_name.sql": (
            "{% macro generate_schema_name(custom_schema_name, node) -%}"
            "{{ custom_schema_name }}{%- endmacro %}"
        ),
        "models/stage/x.sql": "select 1",
    }
    with pytest.raises(ModelError, match="generate_schema_name names schema"):
        compiled(ctx, files)
