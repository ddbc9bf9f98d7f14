"""The local twin's distributed Map: items read from and results written to the lake's
folders for served buckets, moto's S3 for others; the patches come off cleanly."""

from __future__ import annotations

import json
import time

import pytest

from strata_dev.local import distributed_map, moto_patches

DEFINITION = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "JSON"},
                "Parameters": {"Bucket.$": "$.items_bucket", "Key.$": "$.items_key"},
            },
            "ItemSelector": {"run.$": "$.run", "n.$": "$$.Map.Item.Value.n"},
            "MaxConcurrency": 2,
            "ToleratedFailurePercentage": 100.0,
            "Label": "Each",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Odd?",
                "States": {
                    "Odd?": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$.n", "NumericEquals": 3, "Next": "Broken"}],
                        "Default": "Done",
                    },
                    "Broken": {"Type": "Fail", "Error": "Broken"},
                    "Done": {"Type": "Pass", "End": True},
                },
            },
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket.$": "$.results_bucket", "Prefix.$": "$.prefix"},
            },
            "ResultPath": "$.written",
            "End": True,
        }
    },
}


@pytest.fixture
def moto():
    import logging

    import boto3
    from moto import mock_aws

    logging.getLogger("moto").setLevel(logging.CRITICAL)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        moto_patches.install()
        try:
            yield boto3
        finally:
            moto_patches.uninstall()


def execute(boto3, execution_input: dict) -> dict:
    role = boto3.client("iam", region_name="us-east-1").create_role(
        RoleName="r", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    machine = sfn.create_state_machine(name="m", definition=json.dumps(DEFINITION), roleArn=role)
    arn = sfn.start_execution(
        stateMachineArn=machine["stateMachineArn"], input=json.dumps(execution_input)
    )["executionArn"]
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        time.sleep(0.05)
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"])["written"]


def test_items_come_from_a_served_store_and_results_go_to_moto_s3_for_other_buckets(ctx, moto):
    distributed_map.serve_bucket(ctx.ports.artifacts)
    items = [{"n": n} for n in range(1, 6)]
    ctx.ports.artifacts.put_bytes("runs/r/items.json", json.dumps(items).encode())
    s3 = moto.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="elsewhere")

    written = execute(
        moto,
        {
            "run": "r",
            "items_bucket": ctx.ports.artifacts.bucket,
            "items_key": "runs/r/items.json",
            "results_bucket": "elsewhere",
            "prefix": "runs/r/map",
        },
    )

    details = written["ResultWriterDetails"]
    map_run_id = written["MapRunArn"].rsplit(":", 1)[-1]
    assert details == {"Bucket": "elsewhere", "Key": f"runs/r/map/{map_run_id}/manifest.json"}
    manifest = json.loads(s3.get_object(Bucket="elsewhere", Key=details["Key"])["Body"].read())
    files = manifest["ResultFiles"]
    assert manifest["MapRunArn"] == written["MapRunArn"] and files["PENDING"] == []
    succeeded = json.loads(
        s3.get_object(Bucket="elsewhere", Key=files["SUCCEEDED"][0]["Key"])["Body"].read()
    )
    assert sorted(json.loads(child["Output"])["n"] for child in succeeded) == [1, 2, 4, 5]
    assert {json.loads(child["Output"])["run"] for child in succeeded} == {"r"}
    failed = json.loads(
        s3.get_object(Bucket="elsewhere", Key=files["FAILED"][0]["Key"])["Body"].read()
    )
    assert [child["Status"] for child in failed] == ["FAILED"]
    assert not list(ctx.ports.artifacts.list("runs/r/map/"))


def test_uninstall_restores_moto_as_it_was():
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval import (
        resource_eval_s3 as reader,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer import (
        result_writer_decl as writer,
    )

    before = (
        reader.ResourceEvalS3.__dict__["_handle_get_object"],
        writer.ResultWriter.__dict__["_eval_body"],
    )
    moto_patches.install()
    try:
        assert writer.ResultWriter.__dict__["_eval_body"] is not before[1]
    finally:
        moto_patches.uninstall()
    after = (
        reader.ResourceEvalS3.__dict__["_handle_get_object"],
        writer.ResultWriter.__dict__["_eval_body"],
    )
    assert after == before
