"""BuildModels, the repository's own definition, executed by moto's Step Functions interpreter
against the DuckDB-served Data API: waves, polling, FAILED and ABORTED statements, timeouts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from strata.models import RunOptions, start_run
from strata.project import Project
from strata.runtime import Context, use
from strata_dev.local import moto_patches
from strata_dev.local.stepfunctions import local_step_functions

# The planner runs in-process as a Lambda handler: Powertools' metrics have nothing to flush.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics")

PROJECT = {
    "dbt_project.yml": (
        "name: shop\nmodels:\n  shop:\n    stage:\n      +schema: stage\n"
        "    marts:\n      +schema: marts\n      +materialized: table\n"
    ),
    "models/stage/stg_orders.sql": (
        "select order_id, customer_id, amount from {{ source('lake', 'orders') }}"
    ),
    "models/marts/orders.sql": "select * from {{ ref('stg_orders') }}",
    "models/marts/customers.sql": (
        "select customer_id, sum(amount) as amount from {{ ref('orders') }} group by 1"
    ),
    "models/marts/by_amount.sql": (
        "select amount, count(*) as n from {{ ref('stg_orders') }} group by 1"
    ),
    "models/marts/schema.yml": (
        "models:\n  - name: customers\n    columns:\n      - name: customer_id\n"
        "        data_tests: [unique]\n"
    ),
}


SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:strata-redshift-AbCdEf"
# Each Data API connection mode, as the planner reads it from the environment; the served
# Data API records what each submit named.
CONNECTIONS = {
    "serverless-iam": ({"redshift_workgroup": "strata-wg"}, "ExecuteStatement"),
    "serverless-secret": (
        {"redshift_workgroup": "strata-wg", "redshift_secret_arn": SECRET},
        "ExecuteStatementWithSecret",
    ),
    "cluster-iam": (
        {"redshift_target": "cluster", "redshift_cluster": "dw", "redshift_db_user": "strata"},
        "ExecuteStatementOnCluster",
    ),
    "cluster-secret": (
        {"redshift_target": "cluster", "redshift_cluster": "dw", "redshift_secret_arn": SECRET},
        "ExecuteStatementOnClusterWithSecret",
    ),
}


@pytest.fixture(params=list(CONNECTIONS))
def mode(request) -> str:
    return request.param


@pytest.fixture
def shop(ctx, mode) -> Iterator[Context]:
    settings = ctx.settings.model_copy(update=CONNECTIONS[mode][0])
    shop = replace(ctx, settings=settings, _project=Project(ctx.project.contracts, dict(PROJECT)))
    native = ctx.ports.warehouse.execute_native
    native("CREATE SCHEMA IF NOT EXISTS cleansed")
    native(
        "CREATE TABLE cleansed.orders AS SELECT * FROM (VALUES (1, 'a', 10.0), (2, 'b', 20.0), "
        "(3, 'a', 5.0)) AS t(order_id, customer_id, amount)"
    )
    use(shop)
    yield shop
    use(ctx)


@contextmanager
def build_models(shop: Context, project_dir) -> Iterator:
    """The pipeline's BuildModels state, alone, as the repository defines it."""
    with local_step_functions(shop, project_dir) as machine:
        sfn = machine._sfn
        pipeline = sfn.describe_state_machine(stateMachineArn=machine.state_machine_arn)
        state = json.loads(pipeline["definition"])["States"]["BuildModels"]
        state.pop("Next")
        state["End"] = True
        state["Catch"][0]["Next"] = "BuildFailed"
        definition = {
            "StartAt": "BuildModels",
            "States": {"BuildModels": state, "BuildFailed": {"Type": "Fail"}},
        }
        arn = sfn.create_state_machine(
            name="build-models", definition=json.dumps(definition), roleArn=pipeline["roleArn"]
        )["stateMachineArn"]

        def run(run_id: str, **options) -> tuple:
            plan = start_run(shop, run_id, RunOptions(**options))
            execution = sfn.start_execution(
                stateMachineArn=arn,
                name=run_id,
                input=json.dumps({"discovery": {"run_id": run_id}, "plan": plan.dump()}),
            )["executionArn"]
            done = machine.wait(execution)
            assert done.status == "SUCCEEDED", (done.error, done.cause)
            summary = done.output["warehouse"]["summary"]
            nodes = {node["name"]: node for node in summary["nodes"]}
            return summary, nodes, machine._history(execution)

        yield run


def states_entered(history: list[dict]) -> list[str]:
    return [
        event["stateEnteredEventDetails"]["name"]
        for event in history
        if "stateEnteredEventDetails" in event
    ]


def rows(shop: Context, sql: str) -> list[tuple]:
    return shop.ports.warehouse.run(sql).rows


def submitted_statements() -> list:
    from moto.redshiftdata.models import redshiftdata_backends

    return list(redshiftdata_backends["123456789012"]["us-east-1"].statements.values())


def test_the_state_machine_runs_every_wave_and_writes_manifest_and_run_results(
    shop, project_dir, mode
):
    with build_models(shop, project_dir) as run:
        summary, nodes, history = run("run-ok")
        statements = submitted_statements()
    assert summary["status"] == "success"
    # The mode's task variants ran, with that mode's connection fields only.
    single = CONNECTIONS[mode][1]
    batch = single.replace("ExecuteStatement", "BatchExecuteStatement")
    entered = set(states_entered(history))
    variants = {name for name in entered if "ExecuteStatement" in name}
    assert variants <= {single, batch} and single in variants
    fields = CONNECTIONS[mode][0]
    expected = (
        fields.get("redshift_cluster") or fields.get("redshift_workgroup"),
        fields.get("redshift_db_user"),
        fields.get("redshift_secret_arn"),
        shop.settings.redshift_database,
    )
    assert statements and {
        (s.cluster_identifier, s.db_user, s.secret_arn, s.database) for s in statements
    } == {expected}
    assert {name: node["status"] for name, node in nodes.items() if node["kind"] == "model"} == {
        "stg_orders": "success",
        "orders": "success",
        "customers": "success",
        "by_amount": "success",
    }
    assert (
        nodes["customers"]["rows"] == 2 and nodes["unique_customers_customer_id"]["failures"] == 0
    )
    assert states_entered(history).count("NextWave") >= 4  # setup, stage, marts, customers, tests
    prefix = "runs/run-ok/warehouse/"
    manifest = json.loads(shop.ports.artifacts.get_bytes(prefix + "manifest.json"))
    assert "compiled_code" in manifest["nodes"]["model.shop.customers"]
    results = json.loads(shop.ports.artifacts.get_bytes(prefix + "run_results.json"))
    assert (
        results["status"] == "success" and summary["run_results_key"] == prefix + "run_results.json"
    )
    customers = next(r for r in results["results"] if r["unique_id"] == "model.shop.customers")
    assert customers["rows_affected"] == 2 and customers["timing"][0]["started_at"]


def test_a_failed_statement_skips_its_descendants_and_unrelated_branches_are_built(
    shop, project_dir
):
    files = dict(PROJECT)
    files["models/marts/orders.sql"] = "select no_such_column from {{ ref('stg_orders') }}"
    broken = replace(shop, _project=Project(shop.project.contracts, files))
    use(broken)
    with build_models(broken, project_dir) as run:
        summary, nodes, history = run("run-failed")
    assert summary["status"] == "error"
    assert nodes["orders"]["status"] == "error" and "no_such_column" in nodes["orders"]["message"]
    assert nodes["customers"]["status"] == "skipped"
    assert nodes["unique_customers_customer_id"]["status"] == "skipped"
    assert nodes["by_amount"]["status"] == "success"
    assert "DescribeFailure" in states_entered(history)
    assert rows(broken, "SELECT count(*) FROM marts.by_amount") == [(3,)]


def test_an_aborted_statement_is_recorded_and_stops_its_descendants(shop, project_dir):
    with build_models(shop, project_dir) as run:
        moto_patches.abort_statements("marts.customers__strata_new")
        summary, nodes, history = run("run-aborted")
    assert summary["status"] == "error"
    assert nodes["customers"]["status"] == "error"
    assert "ABORTED" in nodes["customers"]["message"]
    assert nodes["unique_customers_customer_id"]["status"] == "skipped"
    assert nodes["by_amount"]["status"] == "success"
    assert "StatementAborted" in states_entered(history)


def test_the_loop_polls_a_running_statement_and_cancels_one_past_its_timeout(shop, project_dir):
    with build_models(shop, project_dir) as run:
        moto_patches.hold_statements("marts.orders__strata_new", polls=2)
        moto_patches.hold_statements("marts.by_amount__strata_new")  # never finishes
        # 10 s at one poll per 5 s: two polls allowed
        _, nodes, history = run("run-slow", variables={"strata_statement_timeout_seconds": 10})
    entered = states_entered(history)
    assert nodes["orders"]["status"] == "success"
    assert entered.count("WaitForStatement") >= 2
    assert nodes["by_amount"]["status"] == "error"
    assert "timed out" in nodes["by_amount"]["message"]
    assert "CancelStatement" in entered and "StatementTimedOut" in entered
    assert rows(
        shop, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'by_amount'"
    ) == [(0,)]
    assert nodes["customers"]["status"] == "success"


@pytest.mark.parametrize(
    "connection",
    [
        {},  # neither target
        {"WorkgroupName": "strata-wg", "ClusterIdentifier": "dw"},
        {"WorkgroupName": "strata-wg", "DbUser": "strata"},
        {"ClusterIdentifier": "dw", "DbUser": "strata", "SecretArn": SECRET},
    ],
)
def test_the_served_data_api_refuses_a_connection_the_data_api_refuses(
    ctx, project_dir, connection
):
    import boto3
    from botocore.exceptions import ClientError

    with local_step_functions(ctx, project_dir):
        client = boto3.client("redshift-data", region_name="us-east-1")
        with pytest.raises(ClientError, match="ValidationException"):
            client.execute_statement(Database="dev", Sql="select 1", **connection)
