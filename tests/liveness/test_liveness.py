"""Who is alive: a process on this machine locally, a Step Functions execution on AWS."""

from __future__ import annotations

import os
import socket

import boto3
import pytest
from moto import mock_aws

from strata.liveness.process import ProcessLiveness
from strata.liveness.stepfunctions import ExecutionLiveness

REGION = "eu-west-1"
DEFINITION = (
    '{"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "End": true}}}'
)


def test_a_process_owner_is_alive_while_its_process_exists():
    liveness = ProcessLiveness()
    assert liveness.owner() == f"pid:{os.getpid()}@{socket.gethostname()}"
    assert liveness.is_alive(liveness.owner()) is True
    assert liveness.is_alive(f"pid:999999999@{socket.gethostname()}") is False
    assert liveness.is_alive("pid:1@another-host") is None  # cannot be told from here
    assert liveness.is_alive("arn:aws:states:eu-west-1:1:execution:m:x") is None


@pytest.fixture
def stepfunctions(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        client = boto3.client("stepfunctions", region_name=REGION)
        role = boto3.client("iam", region_name=REGION).create_role(
            RoleName="r", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        machine = client.create_state_machine(name="m", definition=DEFINITION, roleArn=role)
        yield client, machine["stateMachineArn"]


def test_an_execution_owner_is_alive_while_it_runs(stepfunctions):
    client, machine = stepfunctions
    arn = client.start_execution(stateMachineArn=machine, name="run-1")["executionArn"]
    liveness = ExecutionLiveness(client)
    assert liveness.owner(arn) == arn
    assert liveness.is_alive(arn) is True

    client.stop_execution(executionArn=arn)

    assert liveness.is_alive(arn) is False
    assert liveness.is_alive(arn.replace("run-1", "never-started")) is False
    assert liveness.is_alive(liveness.owner()) is None  # a Lambda invocation: its lease decides
    assert liveness.describe(arn) == "execution run-1"
