"""Environments' records: target schemas, checksums, state:modified, --defer, recorded builds."""

from __future__ import annotations

import pytest

from strata.models import compile_for, state
from strata.models.plan import RunOptions, build_manifest
from strata.models.selection import select
from strata.models.targets import resolve_target
from strata.project import Project
from strata.settings import Settings

FILES = {
    "dbt_project.yml": "name: shop\nmodels:\n  shop:\n    stage:\n      +schema: stage\n",
    "profiles.yml": "shop:\n  outputs:\n    dev: {}\n    test: {}\n    prod: {}\n",
    "models/stage/a.sql": "select 1 as id, 2 as amount",
    "models/stage/b.sql": "select id, amount * 100 as amount from {{ ref('a') }}",
    "models/stage/c.sql": "select * from {{ ref('b') }}",
    "models/stage/d.sql": "select * from {{ ref('a') }}",
    "models/stage/schema.yml": (
        "models:\n  - name: b\n    columns:\n      - name: id\n"
        "        data_tests: [unique, not_null]\n"
    ),
}


@pytest.mark.parametrize(
    ("name", "isolate", "home", "prefix", "environment"),
    [
        ("prod", True, None, "", "prod"),
        ("test", True, None, "test_", "test"),
        ("dev", True, "dev", "dev_", "dev"),  # in AWS only prod keeps the plain names
        ("dev", False, "dev", "", "prod"),  # the local lake's own environment stands in for prod
        ("prod", False, "dev", "", "prod"),
        ("test", False, "dev", "test_", "test"),
        ("dev_alice", False, "dev", "dev_alice_", "dev_alice"),
    ],
)
def test_each_target_names_its_schemas_and_environment(name, isolate, home, prefix, environment):
    files = {"profiles.yml": "p:\n  outputs:\n    dev: {}\n    test: {}\n    prod: {}\n"}
    files["profiles.yml"] += "    dev_alice: {}\n"
    target = resolve_target(files, name, isolate_schemas=isolate, home=home)
    assert target.schema("stage") == f"{prefix}stage"
    assert target.environment == environment


def project(ctx, **changes: str) -> Project:
    files = {**FILES, **changes}
    return Project(contracts=ctx.project.contracts, warehouse_files=files)


def recorded(ctx, tmp_path, target: str = "prod", **changes: str) -> state.EnvironmentState:
    """The record a successful build of every model of ``target`` leaves."""
    store = ctx.ports.artifacts
    manifest = build_manifest(
        project(ctx, **changes), ctx.settings, "run-1", RunOptions(target=target)
    )
    results = {uid: {"unique_id": uid, "status": "success"} for uid in manifest["nodes"]}
    state.record_build(store, manifest, results)
    return state.load(store, manifest["metadata"]["environment"])


def test_state_modified_follows_sql_config_columns_and_macros(ctx, tmp_path):
    prod = recorded(ctx, tmp_path)
    assert prod.last_build["status"] == "success" and set(prod.models) == {"a", "b", "c", "d"}
    assert prod.models["b"]["key"] == ["id"] and prod.models["b"]["relation"] == "stage.b"

    def modified(**changes: str) -> list[str]:
        compiled = compile_for(project(ctx, **changes), ctx.settings, "test")
        return select(compiled, ["state:modified+"], state=state.compare(compiled, prod)).models

    assert modified() == []
    assert modified(**{"models/stage/a.sql": "select 1 as id, 3 as amount"}) == ["a", "b", "d", "c"]
    assert modified(
        **{"models/stage/schema.yml": FILES["models/stage/schema.yml"] + "      - name: amount\n"}
    ) == ["b", "c"]
    config = "{{ config(materialized='table') }}\nselect * from {{ ref('b') }}"
    assert modified(**{"models/stage/c.sql": config}) == ["c"]
    assert modified(**{"models/stage/e.sql": "select 1 as x"}) == ["e"]


def test_a_model_s_checksum_follows_the_macros_it_calls_through_other_macros():
    from strata.models.project import Model

    macros = {
        "macros/cents.sql": "{% macro cents(c) %}{{ c }} * {{ hundred() }}{% endmacro %}",
        "macros/hundred.sql": "{%- macro hundred() -%} 100 {%- endmacro %}",
        "macros/other.sql": "{% macro other() %}1{% endmacro %}",
    }
    model = Model("b", "models/b.sql", "select {{ cents('amount') }} from t", folder_config={})
    before = state.Checksums(macros)
    assert before.macros_called(model.raw_sql) == ["macros/cents.sql", "macros/hundred.sql"]
    changed = state.Checksums({**macros, "macros/hundred.sql": macros["macros/hundred.sql"][:-20]})
    assert changed.of(model) != before.of(model)
    unrelated = state.Checksums(
        {**macros, "macros/other.sql": "{% macro other() %}2{% endmacro %}"}
    )
    assert unrelated.of(model) == before.of(model)


def test_a_failed_build_stays_modified_and_unselected_models_keep_their_entries(ctx, tmp_path):
    store = ctx.ports.artifacts
    recorded(ctx, tmp_path)
    changed = project(ctx, **{"models/stage/c.sql": "select id from {{ ref('b') }}"})
    manifest = build_manifest(changed, ctx.settings, "run-2", RunOptions(select=["c"]))
    state.record_build(
        store, manifest, {"model.shop.c": {"unique_id": "model.shop.c", "status": "error"}}
    )
    prod = state.load(store, "prod")
    assert prod.models["c"]["status"] == "error" and prod.models["a"]["run_id"] == "run-1"
    assert prod.last_build["status"] == "error" and prod.last_build["run_id"] == "run-2"
    compiled = compile_for(changed, ctx.settings)
    assert state.compare(compiled, prod).modified == {"c"}


def test_defer_reads_unselected_parents_from_the_compared_environment(ctx, tmp_path):
    prod = recorded(ctx, tmp_path)
    options = RunOptions(target="test", select=["c"], state="prod", defer=True)
    manifest = build_manifest(project(ctx), ctx.settings, "run-3", options, compared=prod)
    node = manifest["nodes"]["model.shop.c"]
    assert node["relation"] == "test_stage.c" and "from stage.b" in node["compiled_code"]
    assert manifest["metadata"]["deferred"] == {"b": "stage.b"}
    assert manifest["metadata"]["environment"] == "test"
    # Without --defer, the test schemas are read.
    options = RunOptions(target="test", select=["c"])
    manifest = build_manifest(project(ctx), ctx.settings, "run-4", options)
    assert "from test_stage.b" in manifest["nodes"]["model.shop.c"]["compiled_code"]


def test_a_changed_incremental_model_is_planned_for_a_full_refresh(ctx, tmp_path):
    incremental = "{{ config(materialized='incremental', unique_key='id') }}\nselect 1 as id"
    prod = recorded(ctx, tmp_path, **{"models/stage/d.sql": incremental})
    changed = project(ctx, **{"models/stage/d.sql": incremental.replace("1 as", "2 as")})
    options = RunOptions(target="test", select=["state:modified"], state="prod")
    manifest = build_manifest(
        changed, Settings(project_dir=ctx.settings.project_dir), "r", options, compared=prod
    )
    assert manifest["nodes"]["model.shop.d"]["full_refresh"] is True
