"""The read API on AWS, against moto: the Data API requests (as the reader: workgroup and
database only, no user, no secret), the environment's schema names, cleansed reads pruned by
Glue partitions, and write_adhoc's staging and COPY. moto's Data API never runs SQL: a hook
marks each statement finished so awswrangler reads moto's canned result; what Redshift would
answer is unverified here (docs/consumers.md)."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd
import pytest

from strata.settings import Settings
from strata_read.base import Lake
from strata_read.tables import TableInfo

REGION = "eu-west-1"
ACCOUNT = "123456789012"


@pytest.fixture
def aws(monkeypatch):
    from moto import mock_aws

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        yield


@pytest.fixture
def session(aws):
    import boto3

    return boto3.Session(region_name=REGION)


@pytest.fixture
def requests(session) -> list[tuple[str, dict[str, Any]]]:
    """Every Data API request, and each statement finished at once (moto leaves it STARTED)."""
    from moto.redshiftdata.models import redshiftdata_backends

    seen: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        seen.append((model.name, dict(params)))

    def finish(parsed: dict[str, Any], **_: Any) -> None:
        statement = redshiftdata_backends[ACCOUNT][REGION].statements[parsed["Id"]]
        statement.status, statement.has_result_set = "FINISHED", True

    session.events.register("provide-client-params.redshift-data.*", record)
    session.events.register("after-call.redshift-data.ExecuteStatement", finish)
    session.events.register("before-call.redshift-data.BatchExecuteStatement", batch)
    return seen


def batch(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
    """moto has no BatchExecuteStatement: one finished statement stands for the batch."""
    from botocore.awsrequest import AWSResponse
    from moto.redshiftdata.models import redshiftdata_backends

    params = json.loads(params["body"])
    statement = redshiftdata_backends[ACCOUNT][REGION].execute_statement(
        cluster_identifier="",
        database=params["Database"],
        db_user="",
        parameters=[],
        secret_arn="",
        sql=";\n".join(params["Sqls"]),
    )
    statement.status = "FINISHED"
    return AWSResponse("", 200, {}, None), {"Id": statement.id}


def backend(session, **settings: Any):
    from strata_read.aws import AwsBackend

    values = {
        "runtime": "aws",
        "environment": "dev",
        "redshift_workgroup": "strata-wg",
        "redshift_database": "strata_dev",
        "glue_database": "strata_dev",
        "cleansed_bucket": "cleansed",
        "artifacts_bucket": "artifacts",
        "region": REGION,
    }
    return AwsBackend(Settings(**(values | settings)), session)


def test_a_query_goes_to_the_workgroup_as_the_callers_iam_identity(session, requests):
    frame = backend(session).query("select 1", as_arrow=False)
    (name, params), *polls = requests
    assert name == "ExecuteStatement"
    assert params == {"Database": "strata_dev", "Sql": "select 1", "WorkgroupName": "strata-wg"}
    assert {name for name, _ in polls} <= {"DescribeStatement", "GetStatementResult"}
    assert list(frame.columns) == ["Number", "Street", "City"] and len(frame) == 3  # moto's


def test_on_a_cluster_it_signs_in_as_the_reader_user(session, requests):
    reader = backend(
        session,
        redshift_target="cluster",
        redshift_workgroup=None,
        redshift_cluster="dw",
        redshift_db_user="bi_reader",
    )
    reader.query("select 1", as_arrow=True)
    params = requests[0][1]
    assert params["ClusterIdentifier"] == "dw" and params["DbUser"] == "bi_reader"
    assert "SecretArn" not in params and "WorkgroupName" not in params


def test_read_names_the_environments_schema(session, requests, monkeypatch):
    reader = backend(session)
    known = [TableInfo("analytics", "fct_orders", "table")]
    monkeypatch.setattr(reader, "tables", lambda: known)
    Lake(reader).read("analytics.fct_orders", columns=["order_id"], where="order_id > 3")
    assert requests[0][1]["Sql"] == (
        'SELECT "order_id" FROM "dev_analytics"."fct_orders" WHERE order_id > 3'
    )
    prod = backend(session, environment="prod")
    monkeypatch.setattr(prod, "tables", lambda: known)
    Lake(prod).read("fct_orders")
    executed = [params["Sql"] for name, params in requests if name == "ExecuteStatement"]
    assert executed[-1] == 'SELECT * FROM "analytics"."fct_orders"'


def parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def test_read_cleansed_reads_only_the_glue_partitions_in_range(session):
    s3, glue = session.client("s3"), session.client("glue")
    s3.create_bucket(Bucket="cleansed", CreateBucketConfiguration={"LocationConstraint": REGION})
    days = ["2026-11-01", "2026-11-02", "2026-11-03"]
    for number, day in enumerate(days):
        rows = pd.DataFrame({"order_id": [number * 10 + i for i in range(number + 1)]})
        key = f"orders/event_date={day}/part_0.parquet"
        s3.put_object(Bucket="cleansed", Key=key, Body=parquet(rows))
    glue.create_database(DatabaseInput={"Name": "strata_dev"})
    glue.create_table(
        DatabaseName="strata_dev",
        TableInput={
            "Name": "orders",
            "PartitionKeys": [{"Name": "event_date", "Type": "string"}],
            "StorageDescriptor": {
                "Columns": [{"Name": "order_id", "Type": "bigint"}],
                "Location": "s3://cleansed/orders/",
            },
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
        },
    )
    glue.batch_create_partition(
        DatabaseName="strata_dev",
        TableName="orders",
        PartitionInputList=[
            {
                "Values": [day],
                "StorageDescriptor": {"Location": f"s3://cleansed/orders/event_date={day}/"},
            }
            for day in days
        ],
    )
    reader = backend(session)
    day = reader.read_cleansed("orders", "2026-11-02", "2026-11-02", None, as_arrow=False)
    assert sorted(day["order_id"]) == [10, 11]
    assert set(day["event_date"].astype(str)) == {"2026-11-02"}
    later = reader.read_cleansed("orders", "2026-11-02", None, ["order_id"], as_arrow=False)
    assert sorted(later["order_id"]) == [10, 11, 20, 21, 22]


def test_write_adhoc_stages_parquet_then_copies_it_in_one_transaction(session, requests):
    s3 = session.client("s3")
    s3.create_bucket(Bucket="artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    role = "arn:aws:iam::123456789012:role/strata-dev-copy"
    writer = backend(session, redshift_iam_role=role)
    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "churn_risk": [0.1, 0.9], "segment": [0, 3]})
    assert writer.write_adhoc("churn_scores", frame) == "adhoc.churn_scores"
    (staged,) = s3.list_objects_v2(Bucket="artifacts", Prefix="adhoc/churn_scores/")["Contents"]
    body = s3.get_object(Bucket="artifacts", Key=staged["Key"])["Body"].read()
    assert pd.read_parquet(io.BytesIO(body)).to_dict("list") == frame.to_dict("list")
    (batch,) = [params for name, params in requests if name == "BatchExecuteStatement"]
    assert batch["WorkgroupName"] == "strata-wg" and batch["Database"] == "strata_dev"
    assert batch["Sqls"] == [
        'CREATE SCHEMA IF NOT EXISTS "dev_adhoc"',
        'DROP TABLE IF EXISTS "dev_adhoc"."churn_scores"',
        'CREATE TABLE "dev_adhoc"."churn_scores" ("customer_id" VARCHAR(65535), '
        '"churn_risk" DOUBLE PRECISION, "segment" BIGINT)',
        f"""COPY "dev_adhoc"."churn_scores" FROM 's3://artifacts/{staged["Key"]}' """
        f"IAM_ROLE '{role}' FORMAT AS PARQUET",
    ]


def test_nothing_secret_appears_in_errors_or_the_lake(session, monkeypatch):
    from strata_read import ReadError

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-never-printed")
    reader = backend(session)
    with pytest.raises(ReadError) as caught:
        reader.write_adhoc("x", pd.DataFrame({"a": [1]}))  # no COPY role configured
    assert "s3cr3t" not in str(caught.value) and "s3cr3t" not in repr(Lake(reader))
    assert "s3cr3t" not in repr(vars(reader))
