"""Grants declared by models (dbt's ``grants`` config) become Redshift GRANT statements in
each build, and the DuckDB twin checks and records them."""

from __future__ import annotations

import pytest

from strata.models import build_manifest
from strata.models.grants import grant_statements, grantee_sql
from strata.models.materialize import Existing, build
from strata.warehouse.config import DuckDBConfig
from strata.warehouse.duckdb import DuckDBWarehouse


def node(materialized: str = "table", grants: dict | None = None) -> dict:
    return {
        "name": "scores",
        "schema": "analytics",
        "relation": "analytics.scores",
        "materialized": materialized,
        "compiled_code": "select 1 as x",
        "config": {"grants": grants or {}},
    }


def test_grantees_are_roles_unless_named_users_or_groups():
    assert grantee_sql("bi_reader") == "ROLE bi_reader"
    assert grantee_sql("role:bi_reader") == "ROLE bi_reader"
    assert grantee_sql("user:alice") == "alice"
    assert grantee_sql("group:finance") == "GROUP finance"


def test_a_model_grants_usage_on_its_schema_and_select_on_itself():
    statements = grant_statements(node(grants={"select": ["user:alice", "bi_reader"]}))
    assert statements == [
        "GRANT USAGE ON SCHEMA analytics TO ROLE bi_reader",
        "GRANT SELECT ON analytics.scores TO ROLE bi_reader",
        "GRANT USAGE ON SCHEMA analytics TO alice",
        "GRANT SELECT ON analytics.scores TO alice",
    ]
    assert grant_statements(node()) == []


def test_a_rebuilt_table_is_granted_again_before_the_row_count():
    built = build(node(grants={"select": ["bi_reader"]}), Existing("table"), full_refresh=False)
    assert built.sqls[-3:] == [
        "GRANT USAGE ON SCHEMA analytics TO ROLE bi_reader",
        "GRANT SELECT ON analytics.scores TO ROLE bi_reader",
        "SELECT COUNT(*) AS strata_rows FROM analytics.scores",
    ]
    assert (
        built.sqls.index("ALTER TABLE analytics.scores__strata_new RENAME TO scores")
        < len(built.sqls) - 3
    )
    view = build(node("view", {"select": ["bi_reader"]}), None, full_refresh=False)
    assert view.sqls[-1] == "GRANT SELECT ON analytics.scores TO ROLE bi_reader"


def test_the_projects_analytics_and_adhoc_models_are_readable_by_bi_reader_and_stage_is_not(ctx):
    manifest = build_manifest(ctx.project, ctx.settings, "validate")
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    for model in models:
        granted = grant_statements(model)
        if model["schema"] in ("analytics", "adhoc"):
            assert f"GRANT SELECT ON {model['relation']} TO ROLE bi_reader" in granted
        else:
            assert granted == [], f"{model['name']} in {model['schema']} is granted {granted}"
    assert {m["schema"] for m in models} >= {"stage", "analytics", "adhoc"}


def test_the_twin_records_grants_and_refuses_one_on_a_missing_relation(tmp_path):
    warehouse = DuckDBWarehouse(DuckDBConfig(tmp_path / "w.duckdb"))
    try:
        warehouse.run("CREATE SCHEMA analytics")
        warehouse.run("CREATE TABLE analytics.scores AS SELECT 1 AS x")
        statement = warehouse.submit(
            grant_statements(node(grants={"select": ["bi_reader", "user:alice"]}))
        )
        assert warehouse.describe(statement).status == "FINISHED"
        recorded = warehouse.execute_native(
            "SELECT privilege, object_kind, object, grantee FROM strata_meta.grants ORDER BY ALL"
        ).rows
        assert recorded == [
            ("SELECT", "table", "analytics.scores", "ROLE bi_reader"),
            ("SELECT", "table", "analytics.scores", "alice"),
            ("USAGE", "schema", "analytics", "ROLE bi_reader"),
            ("USAGE", "schema", "analytics", "alice"),
        ]
        missing = warehouse.submit(["GRANT SELECT ON analytics.nothing TO ROLE bi_reader"])
        assert warehouse.describe(missing).status == "FAILED"
        assert "nothing" in (warehouse.describe(missing).error or "")
        no_schema = warehouse.submit(["GRANT USAGE ON SCHEMA raw TO ROLE bi_reader"])
        assert "no schema raw" in (warehouse.describe(no_schema).error or "")
    finally:
        warehouse.close()


@pytest.mark.parametrize("bad", ["a b", "x;drop", "role:"])
def test_a_grantee_that_is_no_name_is_refused(bad):
    from strata.errors import ModelError
    from strata.models.config import parse_model_config

    with pytest.raises(ModelError, match=r"grants\.select"):
        parse_model_config({"grants": {"select": [bad]}}, model="m")
