"""Planning a warehouse run: the manifest (nodes, dependencies, compiled SQL, what waits)."""

from __future__ import annotations

import pytest

from strata.errors import ConfigError, ModelError
from strata.models import RunOptions, build_manifest
from strata.models.scheduler import WarehouseRun
from strata.project import Project
from strata.runtime import redshift_data_config, warehouse_profile
from strata.settings import Settings


def project_with(ctx, **files: str) -> Project:
    base = dict(ctx.project.warehouse_files)
    base.update(files)
    return Project(contracts=ctx.project.contracts, warehouse_files=base)


def test_the_sample_project_plans_models_in_dependency_order_with_their_tests(ctx):
    manifest = build_manifest(ctx.project, ctx.settings, "run-1")
    models = [uid for uid in manifest["nodes"] if uid.startswith("model.")]
    assert models.index("model.strata.stg_orders") < models.index("model.strata.fct_orders")
    assert models.index("model.strata.fct_orders") < models.index(
        "model.strata.customer_lifetime_value"
    )
    node = manifest["nodes"]["model.strata.stg_orders"]
    assert node["relation"] == "stage.stg_orders" and node["materialized"] == "view"
    assert "from cleansed.orders" in node["compiled_code"]
    assert node["depends_on"]["nodes"] == ["source.strata.lake.orders"]
    incremental = manifest["nodes"]["model.strata.fct_orders"]
    assert "where updated_at" not in incremental["compiled_code"]
    assert (
        "where updated_at > (select max(updated_at) from analytics.fct_orders)"
        in incremental["compiled_code_incremental"]
    )
    assert incremental["config"]["incremental_strategy"] == "merge"
    assert manifest["sources"]["source.strata.lake.orders"]["freshness"]["warn_after"] == {
        "count": 2,
        "period": "day",
    }


def test_a_model_waits_for_its_parents_and_their_error_tests_not_for_tests_reading_it(ctx):
    waits = build_manifest(ctx.project, ctx.settings, "run-1")["waits_for"]
    clv = waits["model.strata.customer_lifetime_value"]
    assert "model.strata.fct_orders" in clv
    assert "test.strata.unique_fct_orders_order_id" in clv
    # this test reads customer_lifetime_value itself: waiting for it would be a cycle
    assert "test.strata.relationships_fct_orders_customer_id" not in clv
    assert waits["test.strata.relationships_fct_orders_customer_id"] == [
        "model.strata.fct_orders",
        "model.strata.customer_lifetime_value",
    ]
    # warn-severity tests never hold anything up
    assert not any("accepted_values_orders_by_status_status" in other for other in waits.values())
    setup = [uid for uid in waits if uid.startswith("operation.")]
    assert setup == [
        "operation.strata.external_schema",
        "operation.strata.schemas",
        "operation.strata.relations",
    ]
    assert all(set(setup) <= set(waits[uid]) for uid in waits if uid.startswith("model."))


def test_external_schema_is_one_statement_and_schemas_follow_the_target(ctx):
    manifest = build_manifest(ctx.project, ctx.settings, "run-1")
    operations = manifest["operations"]
    external = operations["operation.strata.external_schema"]["sqls"]
    assert len(external) == 1 and external[0].startswith(
        "CREATE EXTERNAL SCHEMA IF NOT EXISTS cleansed FROM DATA CATALOG DATABASE 'strata_dev'"
    )
    assert operations["operation.strata.schemas"]["sqls"] == [
        "CREATE SCHEMA IF NOT EXISTS adhoc",
        "CREATE SCHEMA IF NOT EXISTS analytics",
        "CREATE SCHEMA IF NOT EXISTS stage",
    ]


@pytest.mark.parametrize(
    ("target", "stage", "analytics"),
    [("dev", "dev_stage", "dev_analytics"), ("prod", "stage", "analytics")],
)
def test_in_aws_each_target_builds_its_own_schemas(ctx, target, stage, analytics):
    settings = Settings(
        runtime="aws",
        environment=target,
        project_dir=ctx.settings.project_dir,
        redshift_workgroup="strata",
    )
    manifest = build_manifest(ctx.project, settings, "run-1")
    fct = manifest["nodes"]["model.strata.fct_orders"]
    assert fct["relation"] == f"{analytics}.fct_orders"
    assert f"from {stage}.stg_orders" in fct["compiled_code"]
    assert manifest["metadata"]["target"] == target
    assert manifest["metadata"]["poll_seconds"] == 5


def test_an_unknown_target_is_refused(ctx):
    with pytest.raises(ModelError, match="no target 'staging'"):
        build_manifest(ctx.project, ctx.settings, "r", RunOptions(target="staging"))


def test_the_test_command_plans_tests_and_freshness_only(ctx):
    manifest = build_manifest(
        ctx.project, ctx.settings, "r", RunOptions(command="test", select=["stg_orders"])
    )
    assert manifest["operations"] == {}
    assert sorted(manifest["nodes"]) == [
        "test.strata.accepted_values_stg_orders_status",
        "test.strata.non_negative_stg_orders_amount",  # a custom generic test (tests/generic/)
        "test.strata.not_null_stg_orders_customer_id",
        "test.strata.not_null_stg_orders_order_id",
        "test.strata.relationships_stg_shipments_order_id",  # it reads stg_orders too
        "test.strata.unique_stg_orders_order_id",
    ]
    assert "freshness.strata.lake.orders" in manifest["waits_for"]


def test_run_options_come_from_the_execution_input():
    options = RunOptions.from_input({"select": "tag:stage", "full_refresh": True, "vars": {"a": 1}})
    assert (
        options.select == ["tag:stage"] and options.full_refresh and options.variables == {"a": 1}
    )
    with pytest.raises(ModelError, match="unknown model run options: fullrefresh"):
        RunOptions.from_input({"fullrefresh": True})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"redshift_workgroup": "wg"},
            {"mode": "serverless-iam", "workgroup": "wg", "database": "dev"},
        ),
        (
            {"redshift_workgroup": "wg", "redshift_secret_arn": "arn:s"},
            {
                "mode": "serverless-secret",
                "workgroup": "wg",
                "database": "dev",
                "secret_arn": "arn:s",
            },
        ),
        (
            {"redshift_target": "cluster", "redshift_cluster": "dw", "redshift_db_user": "u"},
            {"mode": "cluster-iam", "cluster": "dw", "database": "dev", "db_user": "u"},
        ),
        (
            {
                "redshift_target": "cluster",
                "redshift_cluster": "dw",
                "redshift_secret_arn": "arn:s",
            },
            {"mode": "cluster-secret", "cluster": "dw", "database": "dev", "secret_arn": "arn:s"},
        ),
    ],
)
def test_the_plan_names_the_data_api_connection_for_each_mode(fields, expected):
    assert warehouse_profile(Settings(runtime="aws", **fields)).data_api.connection() == expected


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({}, "STRATA_REDSHIFT_WORKGROUP"),
        ({"redshift_target": "cluster", "redshift_db_user": "u"}, "STRATA_REDSHIFT_CLUSTER"),
        ({"redshift_target": "cluster", "redshift_cluster": "dw"}, "STRATA_REDSHIFT_DB_USER"),
    ],
)
def test_an_incomplete_connection_is_refused_in_aws(fields, missing):
    with pytest.raises(ConfigError, match=missing):
        warehouse_profile(Settings(runtime="aws", **fields))


def test_locally_the_connection_defaults_to_the_served_warehouse():
    assert warehouse_profile(Settings()).data_api.connection()["workgroup"] == "local"
    local_cluster = Settings(redshift_target="cluster", redshift_secret_arn="arn:s")
    assert warehouse_profile(local_cluster).data_api.connection()["cluster"] == "local"


def test_the_adapters_declare_what_differs_and_the_plan_follows_them(ctx):
    aws = warehouse_profile(Settings(runtime="aws", redshift_workgroup="wg"))
    local = warehouse_profile(Settings())
    assert aws.capabilities.isolates_schemas and not local.capabilities.isolates_schemas
    assert (aws.capabilities.poll_seconds, local.capabilities.poll_seconds) == (5, 0)
    # A profile handed in wins over the runtime's: the local project planned as for Redshift.
    manifest = build_manifest(ctx.project, ctx.settings, "run-1", profile=aws)
    assert manifest["nodes"]["model.strata.fct_orders"]["relation"] == "dev_analytics.fct_orders"
    assert manifest["metadata"]["connection"]["workgroup"] == "wg"
    assert manifest["metadata"]["poll_seconds"] == 5


def test_the_data_api_request_names_the_same_target_as_the_manifest():
    cluster = redshift_data_config(
        Settings(
            runtime="aws", redshift_target="cluster", redshift_cluster="dw", redshift_db_user="u"
        )
    )
    assert cluster.request() == {"ClusterIdentifier": "dw", "Database": "dev", "DbUser": "u"}
    secret = redshift_data_config(
        Settings(runtime="aws", redshift_workgroup="wg", redshift_secret_arn="arn:s")
    )
    assert secret.request() == {"WorkgroupName": "wg", "Database": "dev", "SecretArn": "arn:s"}


def test_every_wave_item_carries_the_connection(ctx):
    manifest = build_manifest(ctx.project, ctx.settings, "run-1")
    assert manifest["metadata"]["connection"]["mode"] == "serverless-iam"
    wave = WarehouseRun(manifest).next_wave()
    connection = manifest["metadata"]["connection"]
    assert wave and all(item.connection.dump() == connection for item in wave)
