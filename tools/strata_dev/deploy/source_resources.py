"""The ingestion section's resources, as dicts: one function per kind of source, shared by its
sources, and one trigger per source (:mod:`strata_dev.deploy.naming`).

- api/sftp sources: each has its own EventBridge Scheduler schedule whose input names the
  source; every schedule assumes one role that may only start the ingestion functions. The
  schedules run only with ``SchedulesEnabled`` (the ``SchedulesOn`` condition): dev and test do
  not poll the real systems by default.
- s3_drop/manual sources: each has its own EventBridge rule matching "Object Created" events of
  the landing bucket under its ``s3_drop.prefix``, all starting the landing function, which finds
  the source from the key. Events a rule cannot deliver, and events that still fail after the
  function's retries, go to the one shared ``LandingFailuresQueue`` (static part of the
  template). One permission lets the rules named ``strata-<env>-drop-*`` start the function.

Every function reserves the concurrency of its kind in the environment
(``Mappings.Environments``: ``IngestConcurrency``, ``LandConcurrency``), logs to a group encrypted
with the data key, carries checkov's inapplicable findings with their reasons
(``Metadata.checkov.skip``, which ``make checkov`` reads), and has an errors alarm. Its sources'
grants are in policies sized to IAM's limits (:mod:`strata_dev.deploy.policies`).
"""

from __future__ import annotations

import json
from typing import Any

from strata.contracts.model import SourceContract
from strata_dev.deploy import policies
from strata_dev.deploy.cfn import FindInMap, GetAtt, If, Ref, Sub
from strata_dev.deploy.naming import (
    KIND_FUNCTIONS,
    LAND_RULES_PERMISSION,
    LANDING_RULES,
    SCHEDULE_ROLE,
    KindFunction,
    is_drop,
    kind_function,
    names,
    sources_of,
)

DEFAULT_SCHEDULE = "rate(1 hour)"
# The function outlives the run's time budget by this much (manifest, metrics), up to 15 min.
TIMEOUT_MARGIN_SECONDS = 60
LAMBDA_MAX_TIMEOUT = 900
DESCRIPTION_LIMIT = 256
# A scheduled invocation throttled (the kind's concurrency busy with other sources) waits at
# most this long; the source's next schedule fetches what it would have.
SCHEDULED_EVENT_AGE_SECONDS = 3600
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
    "Started by its sources' schedules without retries: the next scheduled run is the retry, "
    "and its errors alarm reports the failure."
)
DROP_DLQ = (
    "Events that still fail after the retries go to LandingFailuresQueue through the on-failure "
    "destination (LandEventInvokeConfig), which checkov does not count as a DLQ."
)
LANDING_FAILURES = GetAtt("LandingFailuresQueue", "Arn")
KIND_LABEL = {"IngestApi": "api", "IngestSftp": "sftp", "Land": "s3_drop and manual"}

Resources = dict[str, dict[str, Any]]


def section(contracts: dict[str, SourceContract]) -> list[tuple[str, Resources]]:
    """The section's resources, grouped by owner (a kind's function, then each source), in
    the order the template lists them."""
    groups: list[tuple[str, Resources]] = []
    for kind in KIND_FUNCTIONS:
        sources = sources_of(contracts, kind)
        if sources:
            groups.append((kind.function, kind_resources(kind, sources)))
    scheduled = [kind.function for kind in KIND_FUNCTIONS if kind.scheduled]
    present = [function for function, _ in groups if function in scheduled]
    if present:
        groups.append((SCHEDULE_ROLE, {SCHEDULE_ROLE: schedule_role(present)}))
    for name in sorted(contracts):
        contract = contracts[name]
        trigger = landing_rule(contract) if is_drop(contract) else schedule(contract)
        groups.append((name, {names(contract).trigger: trigger}))
    return groups


def kind_resources(kind: KindFunction, sources: list[SourceContract]) -> Resources:
    """A kind's function, its log group, its sources' policies and its errors alarm (and, for
    the landing function, the permission its sources' rules use)."""
    inline, *documents = policies.packed_policies(kind, sources)
    managed = {
        kind.sources_policy(number): sources_policy(kind, document, number, len(documents))
        for number, document in enumerate(documents, start=1)
    }
    grants = [
        policies.policy(policies.function_statements(kind)),
        inline,
        *(Ref(name) for name in managed),
    ]
    build = scheduled_function if kind.scheduled else drop_function
    resources: Resources = {
        kind.log_group: log_group(kind),
        kind.function: build(kind, sources, grants),
        **managed,
    }
    if not kind.scheduled:
        resources[LAND_RULES_PERMISSION] = rules_permission(kind)
        resources[kind.event_invoke_config] = landing_retries(kind)
    resources[kind.errors_alarm] = errors_alarm(kind, len(sources))
    return resources


def log_group(kind: KindFunction) -> dict[str, Any]:
    """The function's log group, kept 14 days (90 in prod), encrypted with the data key, and
    deleted with the stack so a redeploy can create it again."""
    return {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "LogGroupName": Sub(f"/aws/lambda/${{{kind.function}}}"),
            "RetentionInDays": If("IsProd", 90, 14),
            "KmsKeyId": GetAtt("DataKey", "Arn"),
        },
    }


def sources_policy(
    kind: KindFunction, document: dict[str, Any], number: int, count: int
) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "Description": (
                f"What the {kind.dashed} function may do for its {KIND_LABEL[kind.stem]} "
                f"sources, each named (managed part {number} of {count}; the first sources' "
                "grants are inline)"
            ),
            "PolicyDocument": document,
        },
    }


def function(
    kind: KindFunction, description: str, concurrency: str, dlq_reason: str, **properties: Any
) -> dict[str, Any]:
    """A kind's function: checkov's skips with their reasons, its name, the reserved
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
            "FunctionName": Sub(kind.physical()),
            "ReservedConcurrentExecutions": FindInMap(
                "Environments", Ref("EnvironmentName"), concurrency
            ),
            "Description": description,
            "CodeUri": f"functions/{kind.folder}/",
            **properties,
        },
    }


def scheduled_function(
    kind: KindFunction, sources: list[SourceContract], grants: list[Any]
) -> dict[str, Any]:
    budgets = [(s.api or s.sftp).time_budget_seconds for s in sources]  # type: ignore[union-attr]
    timeout = min(LAMBDA_MAX_TIMEOUT, max(budgets) + TIMEOUT_MARGIN_SECONDS)
    # An SFTP run streams each file to a scratch folder in /tmp before it lands it in raw.
    sizing: dict[str, Any] = (
        {"MemorySize": 1024, "EphemeralStorage": {"Size": 4096}}
        if "sftp" in kind.kinds
        else {"MemorySize": 512}
    )
    return function(
        kind,
        f"Ingests each {KIND_LABEL[kind.stem]} source into raw, the one its schedule names "
        f"({_count(len(sources))}).",
        "IngestConcurrency",
        SCHEDULED_DLQ,
        Timeout=timeout,
        **sizing,
        Layers=[Ref("StrataLayer"), Ref("IngestLayer")],
        # The next scheduled run is the retry: an immediate one would only meet the same outage.
        EventInvokeConfig={
            "MaximumRetryAttempts": 0,
            "MaximumEventAgeInSeconds": SCHEDULED_EVENT_AGE_SECONDS,
        },
        Policies=grants,
    )


def drop_function(
    kind: KindFunction, sources: list[SourceContract], grants: list[Any]
) -> dict[str, Any]:
    return function(
        kind,
        f"Lands the files of each {KIND_LABEL[kind.stem]} source from its landing prefix into "
        f"raw ({_count(len(sources))}).",
        "LandConcurrency",
        DROP_DLQ,
        Layers=[Ref("StrataLayer")],
        Policies=grants,
    )


def landing_retries(kind: KindFunction) -> dict[str, Any]:
    """The landing function's retries and on-failure destination, declared beside the
    permission the rules use (so cfn-lint's serverless rules see the destination)."""
    return {
        "Type": "AWS::Lambda::EventInvokeConfig",
        "Properties": {
            "FunctionName": Ref(kind.function),
            "Qualifier": "$LATEST",
            "MaximumRetryAttempts": 2,
            "MaximumEventAgeInSeconds": 21600,
            "DestinationConfig": {"OnFailure": {"Destination": LANDING_FAILURES}},
        },
    }


def rules_permission(kind: KindFunction) -> dict[str, Any]:
    """Lets the landing rules of this stack, named ``strata-<env>-drop-<source>``, start the
    landing function: one permission for every drop source's rule."""
    return {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": Ref(kind.function),
            "Principal": "events.amazonaws.com",
            "SourceAccount": Ref("AWS::AccountId"),
            "SourceArn": Sub(
                "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/"
                + LANDING_RULES
            ),
        },
    }


def schedule_role(functions: list[str]) -> dict[str, Any]:
    """The role EventBridge Scheduler assumes to start the ingestion functions, and nothing
    else."""
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": "Lets EventBridge Scheduler start the api and sftp ingestion",
            "AssumeRolePolicyDocument": policies.scheduler_trust(),
            "Policies": [
                {
                    "PolicyName": "invoke-ingestion-functions",
                    "PolicyDocument": policies.invoke_only(functions),
                }
            ],
        },
    }


def schedule(contract: SourceContract) -> dict[str, Any]:
    """The source's schedule: starts its kind's function with the source's name as input."""
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
                "Arn": GetAtt(kind_function(contract).function, "Arn"),
                "RoleArn": GetAtt(SCHEDULE_ROLE, "Arn"),
                "Input": json.dumps({"source": contract.name, "trigger": "schedule"}),
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3},
            },
        },
    }


def landing_rule(contract: SourceContract) -> dict[str, Any]:
    """The EventBridge rule that starts the landing function on each file under the source's
    prefix."""
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
        "Type": "AWS::Events::Rule",
        "Properties": {
            # LandingFailuresQueuePolicy and LandRulesPermission admit rules named
            # strata-<env>-drop-*.
            "Name": Sub(names(contract).physical()),
            "Description": f"Lands {contract.name} ({contract.kind}) files put under its prefix",
            "EventPattern": pattern,
            "State": "ENABLED",
            "Targets": [
                {
                    "Id": "land",
                    "Arn": GetAtt(kind_function(contract).function, "Arn"),
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 8},
                    "DeadLetterConfig": {"Arn": LANDING_FAILURES},
                }
            ],
        },
    }


def errors_alarm(kind: KindFunction, count: int) -> dict[str, Any]:
    """An alarm on the function's Errors metric, sent to the alert topic. Which source failed
    is in the function's log and in the ``IngestFailures`` metric's ``source`` dimension."""
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": Sub(kind.physical("-errors")),
            "AlarmDescription": (
                f"The {kind.dashed} function raised errors (it serves {_count(count)}; its "
                "log names the one that failed)."
            ),
            "Namespace": "AWS/Lambda",
            "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": Ref(kind.function)}],
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


def _count(sources: int) -> str:
    return f"{sources} source{'s' * (sources != 1)}"
