"""Judges every source's freshness against its contract's SLA (daily, EventBridge Scheduler)
and publishes one alert to the alert topic when a source is late; an input naming a source
checks that one only."""

from typing import Any

from strata.errors import ConfigError
from strata.lake.payloads import ScheduledInput
from strata.observability import lambda_entry
from strata.orchestration.freshness import check_and_alert
from strata.runtime import Context, current
from strata.settings import ALERT_TOPIC_ARN


def sns_publisher(ctx: Context) -> Any:
    """``publish(subject, message)`` to the topic ``STRATA_ALERT_TOPIC_ARN`` names."""
    import boto3

    topic = ctx.settings.alert_topic_arn
    if not topic:
        raise ConfigError("not set: the freshness check alerts this topic", field=ALERT_TOPIC_ARN)
    client = boto3.client("sns", region_name=ctx.settings.region)
    return lambda subject, message: client.publish(TopicArn=topic, Subject=subject, Message=message)


@lambda_entry(ScheduledInput, correlation_id_path="trigger")
def lambda_handler(event: ScheduledInput, context: Any) -> dict[str, Any]:
    ctx = current()
    sources = [event.source] if event.source else None
    return check_and_alert(ctx, sns_publisher(ctx), sources)
