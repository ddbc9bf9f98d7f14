"""The resources of one source, as dicts: one function per source, each with only the
permissions its source needs (:mod:`strata_dev.deploy.policies`).

- api/sftp sources: a function started by its own EventBridge Scheduler schedule, whose role
  may invoke only that function. The schedules run only with ``SchedulesEnabled`` (the
  ``SchedulesOn`` condition): dev and test do not poll the real systems by default.
- s3_drop/manual sources: a function started by an EventBridge rule matching "Object Created"
  events of the landing bucket under the source's ``s3_drop.prefix``. Events the rule cannot
  deliver, and events that still fail after the function's retries, go to the one shared
  ``LandingFailuresQueue`` (static part of the template).

Every function reserves the concurrency of its kind in the environment
(``Mappings.Environments``: ``IngestConcurrency``, ``LandConcurrency``), logs to a group
encrypted with the data key, carries checkov's inapplicable findings with their reasons
(``Metadata.checkov.skip``, which ``make checkov`` reads), and has an errors alarm.
"""

from __future__ import annotations

import json
from typing import Any

from strata.contracts.model import SourceContract
from strata_dev.deploy import policies
from strata_dev.deploy.cfn import FindInMap, GetAtt, If, Ref, Sub
from strata_dev.deploy.naming import SourceNames, function_folder, is_drop, names

DEFAULT_SCHEDULE = "rate(1 hour)"
# The function outlives the run's time budget by this much (manifest, metrics), up to 15 min.
TIMEOUT_MARGIN_SECONDS = 60
LAMBDA_MAX_TIMEOUT = 900
DESCRIPTION_LIMIT = 256
# checkov's findings that do not apply to these functions, each with its reason.
NO_VPC = (
    "Reaches vendor APIs, SFTP servers and AWS APIs over the internet and no private resource; "
    "a VPC would only add NAT gateways."
)
ENV_HOLDS_NO_SECRETS = (
    "The environment holds resource names only; credentials are read from Secrets Manager "
    "at run time."
)
SCHEDULED_DLQ = (
    "Started by its schedule without retries: the next scheduled run is the retry, and its "
    "errors alarm reports the failure."
)
DROP_DLQ = (
    "Events that still fail after the retries go to LandingFailuresQueue through the on-failure "
    "destination (EventInvokeConfig), which checkov does not count as a DLQ."
)
LANDING_FAILURES = GetAtt("LandingFailuresQueue", "Arn")

Resources = dict[str, dict[str, Any]]


def resources_for(contract: SourceContract) -> Resources:
    """The source's resources by logical id, in the order the template lists them."""
    return drop_resources(contract) if is_drop(contract) else scheduled_resources(contract)


def scheduled_resources(contract: SourceContract) -> Resources:
    named = names(contract)
    return {
        named.log_group: log_group(named),
        named.function: scheduled_function(contract),
        named.schedule_role: schedule_role(named),
        named.schedule: schedule(contract),
        named.errors_alarm: errors_alarm(
            named, f"The {contract.name} ingestion function raised errors."
        ),
    }


def drop_resources(contract: SourceContract) -> Resources:
    named = names(contract)
    description = (
        f"The {contract.name} landing function raised errors (events that still fail after "
        "its retries wait in the landing failures queue)."
    )
    return {
        named.log_group: log_group(named),
        named.function: drop_function(contract),
        named.errors_alarm: errors_alarm(named, description),
    }


def log_group(named: SourceNames) -> dict[str, Any]:
    """The function's log group, kept 14 days (90 in prod), encrypted with the data key, and
    deleted with the stack so a redeploy can create it again."""
    return {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "LogGroupName": Sub(f"/aws/lambda/${{{named.function}}}"),
            "RetentionInDays": If("IsProd", 90, 14),
            "KmsKeyId": GetAtt("DataKey", "Arn"),
        },
    }


def function(
    named: SourceNames, description: str, concurrency: str, dlq_reason: str, **properties: Any
) -> dict[str, Any]:
    """A per-source function: checkov's skips with their reasons, its name, the reserved
    concurrency of its kind in this environment, its description, then ``properties``."""
    skips = [
        {"id": "CKV_AWS_116", "comment": dlq_reason},
        {"id": "CKV_AWS_117", "comment": NO_VPC},
        {"id": "CKV_AWS_173", "comment": ENV_HOLDS_NO_SECRETS},
    ]
    if len(description) > DESCRIPTION_LIMIT:
        description = description[: DESCRIPTION_LIMIT - 1] + "…"
    return {
        "Type": "AWS::Serverless::Function",
        "Metadata": {"checkov": {"skip": skips}},
        "Properties": {
            "FunctionName": Sub(named.physical()),
            "ReservedConcurrentExecutions": FindInMap(
                "Environments", Ref("EnvironmentName"), concurrency
            ),
            "Description": description,
            **properties,
        },
    }


def scheduled_function(contract: SourceContract) -> dict[str, Any]:
    settings = contract.api or contract.sftp
    assert settings is not None
    timeout = min(LAMBDA_MAX_TIMEOUT, settings.time_budget_seconds + TIMEOUT_MARGIN_SECONDS)
    # An SFTP run streams each file to a scratch folder in /tmp before it lands it in raw.
    sizing: dict[str, Any] = (
        {"MemorySize": 1024, "EphemeralStorage": {"Size": 4096}}
        if contract.kind == "sftp"
        else {"MemorySize": 512}
    )
    return function(
        names(contract),
        f"Ingests {contract.name} ({contract.kind}) into raw: {contract.description}",
        "IngestConcurrency",
        SCHEDULED_DLQ,
        CodeUri=f"functions/{function_folder(contract)}/",
        Timeout=timeout,
        **sizing,
        Layers=[Ref("StrataLayer"), Ref("IngestLayer")],
        Environment={"Variables": {"STRATA_SOURCE": contract.name}},
        # The next scheduled run is the retry: an immediate one would only meet the same outage.
        EventInvokeConfig={"MaximumRetryAttempts": 0},
        Policies=[policies.policy(policies.scheduled_statements(contract))],
    )


def schedule_role(named: SourceNames) -> dict[str, Any]:
    """The role EventBridge Scheduler assumes to start the function, and nothing else."""
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": f"Lets EventBridge Scheduler start the {named.source} ingestion",
            "AssumeRolePolicyDocument": policies.scheduler_trust(),
            "Policies": [
                {
                    "PolicyName": f"invoke-{named.dashed}-ingestion",
                    "PolicyDocument": policies.invoke_only(named.function),
                }
            ],
        },
    }


def schedule(contract: SourceContract) -> dict[str, Any]:
    named = names(contract)
    return {
        "Type": "AWS::Scheduler::Schedule",
        "Properties": {
            "Name": Sub(named.physical()),
            "Description": f"Ingests {contract.name} on its contract's schedule",
            "ScheduleExpression": contract.schedule or DEFAULT_SCHEDULE,
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            # Off unless SchedulesEnabled (dev and test do not poll the real systems by default).
            "State": If("SchedulesOn", "ENABLED", "DISABLED"),
            "Target": {
                "Arn": GetAtt(named.function, "Arn"),
                "RoleArn": GetAtt(named.schedule_role, "Arn"),
                "Input": json.dumps({"source": contract.name, "trigger": "schedule"}),
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3},
            },
        },
    }


def drop_function(contract: SourceContract) -> dict[str, Any]:
    assert contract.s3_drop is not None
    prefix = contract.s3_drop.prefix
    return function(
        names(contract),
        f"Lands {contract.name} ({contract.kind}) files from landing/{prefix} into raw: "
        f"{contract.description}",
        "LandConcurrency",
        DROP_DLQ,
        CodeUri=f"functions/{function_folder(contract)}/",
        Layers=[Ref("StrataLayer")],
        Environment={"Variables": {"STRATA_SOURCE": contract.name}},
        EventInvokeConfig={
            "MaximumRetryAttempts": 2,
            "MaximumEventAgeInSeconds": 21600,
            "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": LANDING_FAILURES}},
        },
        Events={"ObjectCreated": landing_rule(contract)},
        Policies=[policies.policy(policies.drop_statements(contract))],
    )


def landing_rule(contract: SourceContract) -> dict[str, Any]:
    """The EventBridge rule that starts a drop function on each file under its prefix."""
    assert contract.s3_drop is not None
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {
            "bucket": {"name": [Ref("LandingBucket")]},
            "object": {"key": [{"prefix": contract.s3_drop.prefix}]},
        },
    }
    return {
        "Type": "EventBridgeRule",
        "Properties": {
            # LandingFailuresQueuePolicy admits dead letters from rules named strata-<env>-land-*.
            "RuleName": Sub(names(contract).physical()),
            "Pattern": pattern,
            "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 8},
            "DeadLetterConfig": {"Arn": LANDING_FAILURES},
        },
    }


def errors_alarm(named: SourceNames, description: str) -> dict[str, Any]:
    """An alarm on the function's Errors metric, sent to the alert topic."""
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": Sub(named.physical("-errors")),
            "AlarmDescription": description,
            "Namespace": "AWS/Lambda",
            "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": Ref(named.function)}],
            "Statistic": "Sum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": FindInMap(
                "Environments", Ref("EnvironmentName"), "FunctionErrorsThreshold"
            ),
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [Ref("AlertTopic")],
        },
    }
