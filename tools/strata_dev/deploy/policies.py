"""The IAM statements of the ingestion functions and their triggers.

One function serves every source of its kind (:mod:`strata_dev.deploy.naming`), so its role holds
the union of its sources' grants, each still named source by source: the raw prefix of each
source (``<source>/*``), the state items of each (``dynamodb:LeadingKeys``, the partition keys of
:mod:`strata.lake.state_keys`), each api/sftp source's own secret by name, each drop source's
landing prefix. Nothing is granted by a wildcard over sources: a function may not touch a source
of another kind, nor any prefix or secret no contract of its kind names. What the sharing
widens: the api function may write the raw prefix, and read the secret, of every api source
(likewise sftp, and the landing function every drop source's prefixes), where a function per
source could reach only its own.

The per-source grants are packed into policies that fit IAM's limits, counted with every
generated name at its longest (:mod:`strata_dev.deploy.policy_size`): first inline, in what the
role's 10,240 characters leave beside the grants every function has (the published project, the
lake key), then in managed policies of at most 6,144 characters each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strata.contracts.ingestion import ApiSettings, NoAuth, SftpSettings
from strata.contracts.model import SourceContract
from strata.errors import ConfigError
from strata.lake import state_keys
from strata_dev.deploy.cfn import GetAtt, Ref, Sub
from strata_dev.deploy.naming import KindFunction
from strata_dev.deploy.policy_size import (
    MANAGED_POLICY_LIMIT,
    ROLE_INLINE_LIMIT,
    deployed_length,
)

POLICY_VERSION = "2012-10-17"
# Secrets Manager names secrets `strata/<env>/<name>` and appends 6 random characters.
SECRET_ARN = (
    "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
    "strata/${EnvironmentName}/"
)
STATE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"]
# SAM attaches AWSLambdaBasicExecutionRole and (with tracing) AWSXrayWriteOnlyAccess to each
# function's role; a role carries at most 10 managed policies (the default quota).
MAX_SOURCES_POLICIES = 8
# Room left in a role's inline budget for the policies SAM adds itself.
SAM_INLINE_ROOM = 1_000


def statement(
    sid: str, action: str | list[str], resource: Any, condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One Allow statement; ``action`` stays a string when there is one."""
    granted: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": action,
        "Resource": resource,
    }
    if condition is not None:
        granted["Condition"] = condition
    return granted


def policy(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": statements}


def listing_only(prefixes: list[str]) -> dict[str, Any]:
    """The condition that limits ``s3:ListBucket`` to keys under these prefixes."""
    return {"StringLike": {"s3:prefix": prefixes}}


def secret_names(contract: SourceContract) -> list[str]:
    """The secrets the source's ingestion reads (none for an api without auth, or a drop)."""
    if isinstance(contract.api, ApiSettings) and not isinstance(contract.api.auth, NoAuth):
        return [contract.api.auth.secret]  # type: ignore[union-attr]
    if isinstance(contract.sftp, SftpSettings):
        return [contract.sftp.secret]
    return []


def function_statements(kind: KindFunction) -> list[dict[str, Any]]:
    """What the kind's function has, whatever its sources: the published project (contracts)
    to read, the lake's key, and for the landing function the failures queue (the events that
    still fail after its retries, its on-failure destination)."""
    failures = statement(
        "SendFailedEvents", "sqs:SendMessage", GetAtt("LandingFailuresQueue", "Arn")
    )
    return [
        *([] if kind.scheduled else [failures]),
        statement("ReadProject", "s3:GetObject", Sub("${ArtifactsBucket.Arn}/project/*")),
        statement(
            "ListProject",
            "s3:ListBucket",
            GetAtt("ArtifactsBucket", "Arn"),
            listing_only(["project/*"]),
        ),
        statement("LakeKey", ["kms:Decrypt", "kms:GenerateDataKey"], GetAtt("DataKey", "Arn")),
    ]


def state_statement(partitions: list[str]) -> dict[str, Any]:
    return statement(
        "SourcesStateItems",
        list(STATE_ACTIONS),
        GetAtt("StateTable", "Arn"),
        {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": partitions}},
    )


def raw_prefixes(sources: list[SourceContract]) -> list[Sub]:
    return [Sub(f"${{RawBucket.Arn}}/{source.name}/*") for source in sources]


def scheduled_statements(sources: list[SourceContract]) -> list[dict[str, Any]]:
    """An api/sftp function's grants for these sources: their raw prefixes, their state items
    (lock, watermark, last attempt and delivery; landing ledger; pending), their secrets."""
    secrets = sorted({name for source in sources for name in secret_names(source)})
    partitions = [
        key(source.name)
        for source in sources
        for key in (state_keys.ingest, state_keys.landed, state_keys.pending)
    ]
    granted = [
        statement(
            "WriteSourcesRawPrefixes",
            ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
            raw_prefixes(sources),
        ),
        statement(
            "ListSourcesRawPrefixes",
            "s3:ListBucket",
            GetAtt("RawBucket", "Arn"),
            listing_only([f"{source.name}/*" for source in sources]),
        ),
        state_statement(partitions),
    ]
    if secrets:
        arns = [Sub(f"{SECRET_ARN}{name}-??????") for name in secrets]
        granted.append(statement("ReadSourcesSecrets", "secretsmanager:GetSecretValue", arns))
    return granted


def drop_statements(sources: list[SourceContract]) -> list[dict[str, Any]]:
    """The landing function's grants for these sources: their landing prefixes to read, their
    raw prefixes to write, their state items (landing ledger, pending, last delivery)."""
    # The contract keeps IAM wildcards and URL-encoded characters out of the prefixes.
    prefixes = [source.s3_drop.prefix for source in sources if source.s3_drop is not None]
    partitions = [
        key(source.name)
        for source in sources
        for key in (state_keys.ingest, state_keys.landed, state_keys.pending)
    ]
    return [
        statement(
            "ReadSourcesLandingPrefixes",
            ["s3:GetObject", "s3:GetObjectTagging"],
            [Sub(f"${{LandingBucket.Arn}}/{prefix}*") for prefix in prefixes],
        ),
        statement(
            "ListSourcesLandingPrefixes",
            "s3:ListBucket",
            GetAtt("LandingBucket", "Arn"),
            listing_only([f"{prefix}*" for prefix in prefixes]),
        ),
        statement(
            "WriteSourcesRawPrefixes",
            ["s3:PutObject", "s3:PutObjectTagging", "s3:GetObject", "s3:AbortMultipartUpload"],
            raw_prefixes(sources),
        ),
        state_statement(partitions),
    ]


def sources_statements(kind: KindFunction) -> Callable[[list[SourceContract]], list[Any]]:
    return scheduled_statements if kind.scheduled else drop_statements


def inline_budget(kind: KindFunction) -> int:
    """What a function's role has left for inline source grants: IAM's 10,240 for all its
    inline policies, less the grants every function has and room for what SAM adds (an
    on-failure destination's ``sqs:SendMessage``)."""
    common = deployed_length(policy(function_statements(kind)))
    return ROLE_INLINE_LIMIT - common - SAM_INLINE_ROOM


def packed_policies(kind: KindFunction, sources: list[SourceContract]) -> list[dict[str, Any]]:
    """The kind's per-source grants as policy documents, sources in name order and whole (a
    source's grants are never split): the first fills the role's inline budget
    (:func:`inline_budget`), each next one a managed policy (6,144 characters deployed)."""
    build = sources_statements(kind)
    limits = [inline_budget(kind), *([MANAGED_POLICY_LIMIT] * MAX_SOURCES_POLICIES)]
    groups: list[list[SourceContract]] = [[]]
    for source in sources:
        group = groups[-1]
        if group and deployed_length(policy(build([*group, source]))) > limits[len(groups) - 1]:
            if len(groups) == len(limits):
                raise ConfigError(
                    f"the {kind.dashed} function's {len(sources)} sources need more than "
                    f"{MAX_SOURCES_POLICIES} managed policies (IAM's default quota is 10 per "
                    "role, SAM attaches 2): split the sources over two stacks, or raise the "
                    "role's quota and MAX_SOURCES_POLICIES",
                    field="name",
                )
            group = []
            groups.append(group)
        if deployed_length(policy(build([source]))) > MANAGED_POLICY_LIMIT:
            raise ConfigError(f"source {source.name!r}: its grants alone pass IAM's size limit")
        group.append(source)
    return [policy(build(group)) for group in groups if group]


def scheduler_trust() -> dict[str, Any]:
    """Who may assume the schedules' role: EventBridge Scheduler, for this account only."""
    return policy(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "scheduler.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": Ref("AWS::AccountId")}},
            }
        ]
    )


def invoke_only(functions: list[str]) -> dict[str, Any]:
    """The schedules' role's one permission: start the ingestion functions."""
    arns = [GetAtt(function, "Arn") for function in functions]
    return policy([statement("InvokeIngestionFunctions", "lambda:InvokeFunction", arns)])
