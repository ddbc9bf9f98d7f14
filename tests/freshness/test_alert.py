"""The daily freshness check, as its Lambda runs it: each source judged, and one message on the
alert topic (moto's SNS, read back through an SQS subscription) when a source is late."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from strata.ingest.raw import queue_for_conversion
from strata.runtime import Context, current, use
from strata_dev.local.functions import load_handler
from strata_dev.local.moto_patches import LambdaContext

REPO = Path(__file__).resolve().parents[2]
EVENT = json.loads((REPO / "events" / "check_freshness.json").read_text(encoding="utf-8"))


@pytest.fixture
def alerts(ctx, monkeypatch):
    """An SNS topic with a queue subscribed, and the context's settings naming the topic."""
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        import boto3

        region = ctx.settings.region
        sns, sqs = boto3.client("sns", region_name=region), boto3.client("sqs", region_name=region)
        topic = sns.create_topic(Name="strata-test-alerts")["TopicArn"]
        queue = sqs.create_queue(QueueName="alerts")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
        settings = ctx.settings.model_copy(update={"alert_topic_arn": topic, "environment": "test"})
        use(Context(settings=settings, ports=ctx.ports, _project=ctx.project))

        def received() -> list[dict]:
            messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
            return [json.loads(m["Body"]) for m in messages.get("Messages", [])]

        yield received


def deliver_every_source(age: timedelta) -> None:
    ctx = current()
    for name in ctx.project.contracts:
        queue_for_conversion(ctx.ports.state, name, f"{name}/x", datetime.now(UTC) - age)


def test_a_late_source_is_published_to_the_alert_topic_once(alerts, project_dir):
    handler = load_handler(project_dir, "check_freshness")
    deliver_every_source(timedelta(minutes=5))
    ctx = current()
    queue_for_conversion(ctx.ports.state, "orders", "orders/y", datetime.now(UTC))
    # shipments' last delivery is three days old: past its error_after (50h).
    ctx.ports.state.delete("ingest#shipments", "delivered")
    queue_for_conversion(
        ctx.ports.state, "shipments", "shipments/z", datetime.now(UTC) - timedelta(days=3)
    )

    answer = handler(EVENT, LambdaContext("FreshnessFunction"))

    assert answer["late"] == ["shipments"] and answer["alerted"] is True
    (message,) = alerts()
    assert message["Subject"] == "Strata test: 1 source late (error)"
    assert message["Message"].startswith("shipments: error, last delivery 3d ago")


def test_nothing_is_published_when_every_source_is_on_time(alerts, project_dir):
    handler = load_handler(project_dir, "check_freshness")
    deliver_every_source(timedelta(minutes=5))

    answer = handler(EVENT, LambdaContext("FreshnessFunction"))

    assert answer["late"] == [] and answer["alerted"] is False
    assert alerts() == []
    assert set(answer["freshness"]) == set(current().project.contracts)
