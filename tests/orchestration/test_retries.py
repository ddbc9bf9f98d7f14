"""The state machine retries what may pass (TransientError, raised by the AWS adapters) and
nothing else: the repository's definition in moto, the handlers in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import strata.orchestration.discover
from strata_dev.local.stepfunctions import REGION, Execution, local_step_functions

REPO = Path(__file__).resolve().parents[2]
LAMBDA = "arn:aws:states:::lambda:invoke"


class InjectedFault(Exception):
    """Not transient."""


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits moto's interpreter takes before each retry, recorded instead of slept."""
    from types import SimpleNamespace

    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    waits: list[float] = []
    monkeypatch.setattr(retrier_decl, "time", SimpleNamespace(sleep=waits.append))
    return waits


def lambda_failures(machine: Any, arn: str) -> list[str]:
    """The errors of the failed Lambda invocations, in order."""
    return [
        event["taskFailedEventDetails"]["error"]
        for event in machine._history(arn)
        if event["type"] == "TaskFailed"
        and event["taskFailedEventDetails"]["resourceType"] == "lambda"
    ]


def tasks(states: dict[str, Any]) -> dict[str, Any]:
    """Every Task state of a definition, those inside Maps and Parallels included."""
    found: dict[str, Any] = {}
    for name, state in states.items():
        if state["Type"] == "Task":
            found[name] = state
        for inner in [state.get("ItemProcessor", {}), *state.get("Branches", [])]:
            found.update(tasks(inner.get("States", {})))
    return found


def test_every_lambda_task_retries_transient_error():
    definition = json.loads((REPO / "statemachines" / "pipeline.asl.json").read_text())
    lambdas = {n: s for n, s in tasks(definition["States"]).items() if s["Resource"] == LAMBDA}
    assert len(lambdas) == 9  # Compact and Site included
    for name, state in lambdas.items():
        assert any("TransientError" in r["ErrorEquals"] for r in state["Retry"]), name


def throttled_state_store(ctx: Any, throttles: int) -> None:
    """The run's state on DynamoDB (moto), its first ``throttles`` calls answered with
    ProvisionedThroughputExceededException, as DynamoDB answers them over HTTP."""
    import boto3
    from botocore.awsrequest import AWSResponse
    from botocore.config import Config

    from strata.state.dynamodb import DynamoDBStateStore

    key = [{"AttributeName": n, "KeyType": t} for n, t in (("pk", "HASH"), ("sk", "RANGE"))]
    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName="state",
        KeySchema=key,
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
        BillingMode="PAY_PER_REQUEST",
    )
    # botocore's own retries off: the throttle reaches the handler at once.
    client = boto3.client(
        "dynamodb", region_name=REGION, config=Config(retries={"total_max_attempts": 1})
    )
    left = [throttles]

    def throttle(request: Any, **kwargs: Any) -> AWSResponse | None:
        if left[0] == 0:
            return None
        left[0] -= 1
        body = json.dumps(
            {
                "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                "message": "The level of configured provisioned throughput was exceeded",
            }
        )
        raw = type("Raw", (), {"stream": lambda self, **kw: iter([body.encode()])})()
        return AWSResponse(request.url, 400, {}, raw)

    client.meta.events.register("before-send.dynamodb", throttle)
    ctx.ports.state = DynamoDBStateStore("state", client)


def test_a_throttled_aws_call_is_retried_by_the_state_machine(ctx, project_dir, retry_waits):
    with local_step_functions(ctx, project_dir) as machine:
        throttled_state_store(ctx, throttles=1)
        arn = machine.start("run-1", {})
        execution: Execution = machine.wait(arn)
        failures = lambda_failures(machine, arn)
    assert failures == ["TransientError"]  # Discover's first attempt, throttled
    assert execution.status == "SUCCEEDED", execution.cause
    assert len(retry_waits) == 1 and 0 <= retry_waits[0] <= 2  # IntervalSeconds, full jitter


def test_an_error_that_is_not_transient_is_not_retried(ctx, project_dir, retry_waits, monkeypatch):
    calls: list[dict[str, Any]] = []

    def discovery_output(ctx: Any, event: dict[str, Any]) -> dict[str, Any]:
        calls.append(event)
        raise InjectedFault("a contract cannot be read")

    monkeypatch.setattr(strata.orchestration.discover, "discovery_output", discovery_output)
    with local_step_functions(ctx, project_dir) as machine:
        arn = machine.start("run-1", {})
        execution = machine.wait(arn)
        failures = lambda_failures(machine, arn)
    assert len(calls) == 1 and failures == ["InjectedFault"] and retry_waits == []
    assert execution.status == "FAILED" and execution.error == "RunFailed"
