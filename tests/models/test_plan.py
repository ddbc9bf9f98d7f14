"""Compiling the warehouse project: dependency order, the dbt subset, clear errors."""

from __future__ import annotations

import pytest

from strata.errors import ModelError
from strata.models.plan import plan_run
from strata.project import Project


def project_with(ctx, **files: str) -> Project:
    base = dict(ctx.project.warehouse_files)
    base.update(files)
    return Project(contracts=ctx.project.contracts, warehouse_files=base)


def test_the_sample_project_plans_setup_models_in_order_then_tests(ctx):
    batches = plan_run(ctx.project, ctx.settings, "run-1")
    names = [batch.name for batch in batches]
    assert names == ["external schema", "schemas", "stg_orders", "daily_revenue", "tests"]
    external = batches[0]
    assert external.to_dict()["single"] is True
    assert external.sqls[0].startswith(
        "CREATE EXTERNAL SCHEMA IF NOT EXISTS cleansed FROM DATA CATALOG"
    )
    view = batches[2].sqls[0]
    assert view.startswith("CREATE OR REPLACE VIEW stage.stg_orders AS")
    assert "FROM cleansed.orders" in view.replace("from", "FROM") and view.endswith(
        "WITH NO SCHEMA BINDING"
    )
    table = batches[3].sqls
    assert table[1].startswith("CREATE TABLE analytics.daily_revenue__strata_new AS")
    assert "stage.stg_orders" in table[1]
    assert table[-1] == "ALTER TABLE analytics.daily_revenue__strata_new RENAME TO daily_revenue"


def test_client_tokens_are_stable_per_run_and_batch(ctx):
    first = plan_run(ctx.project, ctx.settings, "run-1")
    again = plan_run(ctx.project, ctx.settings, "run-1")
    other = plan_run(ctx.project, ctx.settings, "run-2")
    assert [b.client_token for b in first] == [b.client_token for b in again]
    assert first[2].client_token != other[2].client_token


def test_a_cycle_is_reported_by_model_name(ctx):
    project = project_with(
        ctx,
        **{
            "models/stage/a.sql": "select * from {{ ref('b') }}",
            "models/stage/b.sql": "select * from {{ ref('a') }}",
        },
    )
    with pytest.raises(ModelError, match=r"cycle: .*a.*b"):
        plan_run(project, ctx.settings, "r")


def test_unknown_ref_and_unsupported_features_name_the_model(ctx):
    with pytest.raises(ModelError, match="broken: ref\\('nope'\\) names no model"):
        plan_run(
            project_with(ctx, **{"models/stage/broken.sql": "select * from {{ ref('nope') }}"}),
            ctx.settings,
            "r",
        )
    with pytest.raises(ModelError, match="odd: materialized='ephemeral' is not supported"):
        plan_run(
            project_with(
                ctx, **{"models/stage/odd.sql": "{{ config(materialized='ephemeral') }} select 1"}
            ),
            ctx.settings,
            "r",
        )
    with pytest.raises(ModelError, match=r"macro:.*outside the supported dbt subset"):
        plan_run(
            project_with(ctx, **{"models/stage/macro.sql": "select {{ dbt_utils.star('x') }}"}),
            ctx.settings,
            "r",
        )


def test_a_jinja_syntax_error_names_model_and_line(ctx):
    with pytest.raises(ModelError, match=r"bad:2: "):
        plan_run(
            project_with(ctx, **{"models/stage/bad.sql": "select 1\n{% if %}"}), ctx.settings, "r"
        )


def test_source_must_name_a_contract(ctx):
    with pytest.raises(ModelError, match="names no source contract"):
        plan_run(
            project_with(
                ctx, **{"models/stage/s.sql": "select * from {{ source('lake', 'ghosts') }}"}
            ),
            ctx.settings,
            "r",
        )
