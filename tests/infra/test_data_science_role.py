"""The read-only door on AWS: DataScienceRole (notebooks, SageMaker, the read API) reads the
warehouse as bi_reader and cleansed on S3 and Glue, and can write nothing, nor touch raw,
quarantine, landing, artifacts or any secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from strata_dev.deploy.template import load_template

REPO = Path(__file__).resolve().parents[2]
# Every action the role may take; anything else (a write above all) fails the test.
READ_ACTIONS = {
    "redshift-data:ExecuteStatement",
    "redshift-data:DescribeStatement",
    "redshift-data:GetStatementResult",
    "redshift-data:CancelStatement",
    "redshift-serverless:GetCredentials",
    "redshift:GetClusterCredentials",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:GetBucketLocation",
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
    "kms:Decrypt",
}
WRITE_VERBS = ("Put", "Delete", "Create", "Update", "Batch", "Start", "Write", "Copy", "Restore")
CLOSED_BUCKETS = ("RawBucket", "QuarantineBucket", "LandingBucket", "ArtifactsBucket")


@pytest.fixture(scope="module")
def role() -> dict[str, Any]:
    return load_template(REPO / "template.yaml")["Resources"]["DataScienceRole"]


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in role["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:
                found += [branch for branch in statement["Fn::If"][1:] if "Effect" in branch]
            else:
                found.append(statement)
    return found


def actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def test_sagemaker_assumes_it(role):
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"


def test_it_may_only_read(role):
    granted = [(s["Sid"], action) for s in statements(role) for action in actions(s)]
    assert {action for _, action in granted} <= READ_ACTIONS
    for sid, action in granted:
        verb = action.split(":")[1]
        assert not verb.startswith(WRITE_VERBS) or action == "glue:BatchGetPartition", (sid, action)
        assert "*" not in action and "NotAction" not in json.dumps(statements(role))
    assert all(s["Effect"] == "Allow" for s in statements(role))


def test_no_raw_quarantine_landing_artifacts_or_secret(role):
    text = json.dumps(role)
    for bucket in CLOSED_BUCKETS:
        assert bucket not in text, f"DataScienceRole refers to {bucket}"
    assert "secretsmanager" not in text and "RedshiftSecretArn" not in text
    s3 = [s for s in statements(role) if any(a.startswith("s3:") for a in actions(s))]
    assert s3 and all("CleansedBucket" in json.dumps(s["Resource"]) for s in s3)


def test_the_warehouse_sees_it_as_the_reader_only(role):
    tags = {tag["Key"]: tag["Value"] for tag in role["Properties"]["Tags"]}
    assert tags["RedshiftDbRoles"] == "bi_reader"  # the database role it receives, alone
    by_action = {a: s for s in statements(role) for a in actions(s)}
    cluster = json.dumps(by_action["redshift:GetClusterCredentials"]["Resource"])
    assert "dbuser:${RedshiftClusterIdentifier}/bi_reader" in cluster and "*" not in cluster
    workgroup = json.dumps(by_action["redshift-serverless:GetCredentials"]["Resource"])
    assert "workgroup/${RedshiftWorkgroupId}" in workgroup
    assert "BatchExecuteStatement" not in json.dumps(role)  # one read at a time, no batches
    polls = by_action["redshift-data:GetStatementResult"]
    assert polls["Condition"]["StringEquals"] == {
        "redshift-data:statement-owner-iam-userid": "${aws:userid}"
    }


def test_it_decrypts_only_through_s3_and_glue(role):
    (decrypt,) = [s for s in statements(role) if "kms:Decrypt" in actions(s)]
    via = decrypt["Condition"]["StringEquals"]["kms:ViaService"]
    assert [v["Fn::Sub"] for v in via] == [
        "s3.${AWS::Region}.amazonaws.com",
        "glue.${AWS::Region}.amazonaws.com",
    ]
    assert decrypt["Resource"] == {"Fn::GetAtt": ["DataKey", "Arn"]}


def test_glue_reads_only_the_stacks_database(role):
    (glue,) = [s for s in statements(role) if "glue:GetTable" in actions(s)]
    resources = json.dumps(glue["Resource"])
    assert "database/strata_${EnvironmentName}" in resources
    assert "table/strata_${EnvironmentName}/*" in resources
