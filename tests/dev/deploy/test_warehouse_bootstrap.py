"""`strata warehouse bootstrap`: the SQL it prints for a stack, read from CloudFormation, and the
Data API calls it makes with --execute (botocore Stubber: the request shapes are checked
against the services' models; what Redshift does with the SQL only an AWS account shows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from strata.errors import ConfigError, WarehouseError
from strata_dev.cli import main as cli
from strata_dev.cli import warehouse as warehouse_cli
from strata_dev.deploy import warehouse_bootstrap as wb

REPO = Path(__file__).resolve().parents[3]
SPECTRUM = "arn:aws:iam::123456789012:role/strata-dev-SpectrumRole-AbC123"
ROLE_NAME = "strata-dev-PipelineStateMachineRole-Xy12Zw34"


def description(env: str = "dev", **params: str) -> dict[str, Any]:
    """A describe_stacks entry as CloudFormation returns it for a deployed Strata stack."""
    values = {
        "EnvironmentName": env,
        "RedshiftTarget": "serverless",
        "RedshiftWorkgroup": f"strata-{env}",
        "RedshiftWorkgroupId": "0f3c2a1e-5b6d-4c7e-8f90-a1b2c3d4e5f6",
        "RedshiftDatabase": f"strata_{env}",
        "RedshiftClusterIdentifier": "",
        "RedshiftDbUser": "",
        "RedshiftSecretArn": "",
        **params,
    }
    outputs = {
        "SpectrumRoleArn": SPECTRUM,
        "GlueDatabaseName": f"strata_{env}",
        "PipelineRoleName": ROLE_NAME,
        "PipelineDatabaseRole": f"strata_{env}_pipeline",
    }
    return {
        "StackName": f"strata-{env}",
        "StackId": f"arn:aws:cloudformation:eu-west-1:123456789012:stack/strata-{env}/1",
        "CreationTime": "2026-11-01T06:00:00Z",
        "StackStatus": "CREATE_COMPLETE",
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()],
    }


def cloudformation(entry: dict[str, Any]) -> tuple[Any, Stubber]:
    client = boto3.client("cloudformation", region_name="eu-west-1")
    stubber = Stubber(client)
    stubber.add_response("describe_stacks", {"Stacks": [entry]}, {"StackName": entry["StackName"]})
    stubber.activate()
    return client, stubber


def test_the_stack_is_read_from_its_parameters_and_outputs():
    client, stubber = cloudformation(description("prod"))
    stack = wb.describe_stack(client, "strata-prod")
    stubber.assert_no_pending_responses()
    assert stack.environment == "prod" and stack.database == "strata_prod"
    assert stack.workgroup == "strata-prod" and stack.iam_on_workgroup
    assert stack.database_role == "strata_prod_pipeline"
    assert stack.pipeline_role == ROLE_NAME and stack.spectrum_role_arn == SPECTRUM


def test_a_stack_without_the_outputs_says_to_deploy_the_current_template():
    entry = description()
    entry["Outputs"] = [o for o in entry["Outputs"] if o["OutputKey"] != "PipelineDatabaseRole"]
    with pytest.raises(ConfigError, match="PipelineDatabaseRole"):
        wb.stack_from_description(entry)


def test_the_schemas_are_the_environments_targets():
    # Outside prod each target prefixes its schemas (docs/warehouse.md, "Environments").
    assert wb.model_schemas(REPO, "prod") == ["adhoc", "analytics", "stage"]
    assert wb.model_schemas(REPO, "test") == ["test_adhoc", "test_analytics", "test_stage"]


def sql_of(stack: wb.Stack, grantee: wb.Grantee, schemas: list[str]) -> list[str]:
    return [s.sql for s in wb.bootstrap_sql(stack, grantee, schemas)]


def test_on_a_workgroup_the_grants_go_to_the_database_role_the_tag_names():
    stack = wb.stack_from_description(description())
    grantee = wb.grantee_for(stack)
    assert grantee == wb.Grantee("ROLE", "strata_dev_pipeline")
    privileges = "SELECT, INSERT, UPDATE, DELETE, DROP, ALTER, TRUNCATE, REFERENCES"
    expected = [
        "CREATE ROLE strata_dev_pipeline",
        "GRANT CREATE ON DATABASE strata_dev TO ROLE strata_dev_pipeline",
        "CREATE EXTERNAL SCHEMA IF NOT EXISTS cleansed FROM DATA CATALOG DATABASE "
        f"'strata_dev' IAM_ROLE '{SPECTRUM}'",
        "GRANT USAGE ON SCHEMA cleansed TO ROLE strata_dev_pipeline",
    ]
    for schema in ("dev_analytics", "dev_stage"):
        expected += [
            f"CREATE SCHEMA IF NOT EXISTS {schema}",
            f"GRANT USAGE, CREATE ON SCHEMA {schema} TO ROLE strata_dev_pipeline",
            f"GRANT {privileges} FOR TABLES IN SCHEMA {schema} TO ROLE strata_dev_pipeline",
        ]
    assert sql_of(stack, grantee, ["dev_analytics", "dev_stage"]) == expected
    # Nothing names the generated IAM role: replacing it keeps every grant.
    assert not any(ROLE_NAME in sql for sql in expected)


def test_on_a_cluster_with_iam_the_grants_go_to_the_fixed_user():
    stack = wb.stack_from_description(
        description(
            RedshiftTarget="cluster", RedshiftClusterIdentifier="dw", RedshiftDbUser="etl.bot"
        )
    )
    grantee = wb.grantee_for(stack)
    sqls = sql_of(stack, grantee, ["dev_stage"])
    assert sqls[0] == 'CREATE USER "etl.bot" PASSWORD DISABLE'
    assert sqls[1] == 'GRANT CREATE ON DATABASE strata_dev TO "etl.bot"'


def test_with_a_secret_the_user_must_be_named():
    secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:strata-abc123"
    stack = wb.stack_from_description(description(RedshiftSecretArn=secret))
    with pytest.raises(ConfigError, match="--db-user"):
        wb.grantee_for(stack)
    grantee = wb.grantee_for(stack, "strata")
    assert not any(sql.startswith("CREATE USER") for sql in sql_of(stack, grantee, []))


def data_api(responses: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> tuple[Any, Stubber]:
    client = boto3.client("redshift-data", region_name="eu-west-1")
    stubber = Stubber(client)
    for method, response, params in responses:
        stubber.add_response(method, response, params)
    stubber.activate()
    return client, stubber


def test_execute_runs_each_statement_and_waits_for_it(monkeypatch):
    stack = wb.stack_from_description(description())
    statements = wb.bootstrap_sql(stack, wb.grantee_for(stack), ["dev_stage"])[:2]
    secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:admin-xyz789"
    target = {"WorkgroupName": "strata-dev", "Database": "strata_dev", "SecretArn": secret}
    name = {"StatementName": wb.STATEMENT_NAME}
    responses = [
        ("execute_statement", {"Id": "s-1"}, {**target, **name, "Sql": statements[0].sql}),
        ("describe_statement", {"Id": "s-1", "Status": "STARTED"}, {"Id": "s-1"}),
        (
            "describe_statement",
            {
                "Id": "s-1",
                "Status": "FAILED",
                "Error": 'ERROR: role "strata_dev_pipeline" already exists',
            },
            {"Id": "s-1"},
        ),
        ("execute_statement", {"Id": "s-2"}, {**target, **name, "Sql": statements[1].sql}),
        ("describe_statement", {"Id": "s-2", "Status": "FINISHED"}, {"Id": "s-2"}),
    ]
    client, stubber = data_api(responses)
    outcomes = []

    wb.execute(
        client,
        stack,
        statements,
        secret_arn=secret,
        sleep=lambda _s: None,
        on_done=lambda statement, outcome: outcomes.append(outcome),
    )

    stubber.assert_no_pending_responses()
    assert outcomes == ["exists already", "done"]


def test_execute_stops_at_a_failed_grant():
    stack = wb.stack_from_description(description())
    statement = wb.bootstrap_sql(stack, wb.grantee_for(stack), [])[1]
    target = {"WorkgroupName": "strata-dev", "Database": "strata_dev"}
    client, _ = data_api(
        [
            (
                "execute_statement",
                {"Id": "s-1"},
                {**target, "StatementName": wb.STATEMENT_NAME, "Sql": statement.sql},
            ),
            (
                "describe_statement",
                {"Id": "s-1", "Status": "ABORTED"},
                {"Id": "s-1"},
            ),
        ]
    )
    with pytest.raises(WarehouseError, match=r"GRANT CREATE ON DATABASE strata_dev.*aborted"):
        wb.execute(client, stack, [statement], sleep=lambda _s: None)


def test_the_command_prints_the_sql_for_the_stack(monkeypatch, capsys):
    client, _ = cloudformation(description("prod"))
    monkeypatch.setattr(warehouse_cli, "aws_client", lambda service, region: client)

    code = cli.main(
        ["--project-dir", str(REPO), "warehouse", "bootstrap", "--stack", "strata-prod"]
    )

    out = capsys.readouterr().out
    assert code == 0
    assert "Run once as a superuser in database strata_prod of workgroup strata-prod" in out
    assert f'"IAMR:{ROLE_NAME}"' in out
    assert "CREATE ROLE strata_prod_pipeline;" in out
    for schema in ("stage", "analytics", "adhoc"):
        assert f"GRANT USAGE, CREATE ON SCHEMA {schema} TO ROLE strata_prod_pipeline;" in out
    assert "\x1b[" not in out


def test_the_reader_role_reads_analytics_and_adhoc_now_and_later_and_nothing_else():
    stack = wb.stack_from_description(description())
    schemas = wb.model_schemas(REPO, "dev")
    sqls = [s.sql for s in wb.reader_sql(stack, schemas)]
    expected = ["CREATE ROLE bi_reader"]
    for schema in ("dev_adhoc", "dev_analytics"):
        expected += [
            f"GRANT USAGE ON SCHEMA {schema} TO ROLE bi_reader",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO ROLE bi_reader",
            f"GRANT SELECT FOR TABLES IN SCHEMA {schema} TO ROLE bi_reader",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO ROLE bi_reader",
        ]
    assert sqls == expected
    # Only reads: no write privilege, no CREATE, and nothing on stage, cleansed, raw, quarantine.
    for sql in sqls[1:]:
        assert "SELECT" in sql or "USAGE" in sql
        for word in ("INSERT", "UPDATE", "DELETE", "DROP", "CREATE", "ALTER TABLE", "TRUNCATE"):
            assert word not in sql.split(" TO ")[0].replace("ALTER DEFAULT", ""), sql
        for closed in ("stage", "cleansed", "raw", "quarantine"):
            assert closed not in sql
    assert wb.reader_schemas(["adhoc", "analytics", "stage"]) == ["adhoc", "analytics"]


def test_on_a_cluster_the_reader_is_a_user_holding_the_role():
    stack = wb.stack_from_description(
        description(RedshiftTarget="cluster", RedshiftClusterIdentifier="dw", RedshiftDbUser="e")
    )
    sqls = [s.sql for s in wb.reader_sql(stack, ["analytics"])]
    assert sqls[:3] == [
        "CREATE ROLE bi_reader",
        "CREATE USER bi_reader PASSWORD DISABLE",
        "GRANT ROLE bi_reader TO bi_reader",
    ]
