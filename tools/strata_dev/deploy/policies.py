"""The IAM statements of the per-source functions and schedules: each grants only what its
source needs.

Every function may read the published project, use the lake key, and read and write only its
own state items (``dynamodb:LeadingKeys``, the partition keys of :mod:`strata.lake.state_keys`).
An api/sftp function may also write and list its own raw prefix (``<source>/``) and read only
its own secret; a drop function may read and list only its landing prefix and write only its
raw prefix. A schedule's role may invoke only its own function.
"""

from __future__ import annotations

from typing import Any

from strata.contracts.ingestion import ApiSettings, NoAuth, SftpSettings
from strata.contracts.model import SourceContract
from strata.lake import state_keys
from strata_dev.deploy.cfn import GetAtt, Ref, Sub

POLICY_VERSION = "2012-10-17"
# Secrets Manager names secrets `strata/<env>/<name>` and appends 6 random characters.
SECRET_ARN = (
    "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
    "strata/${EnvironmentName}/"
)
STATE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"]


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


def listing_only(prefix: str) -> dict[str, Any]:
    """The condition that limits ``s3:ListBucket`` to keys under a prefix."""
    return {"StringLike": {"s3:prefix": [prefix]}}


def secret_names(contract: SourceContract) -> list[str]:
    """The secrets the source's function reads (none for an api without auth, or a drop)."""
    if isinstance(contract.api, ApiSettings) and not isinstance(contract.api.auth, NoAuth):
        return [contract.api.auth.secret]  # type: ignore[union-attr]
    if isinstance(contract.sftp, SftpSettings):
        return [contract.sftp.secret]
    return []


def shared_statements(state_partitions: list[str]) -> list[dict[str, Any]]:
    """What every per-source function has: the project (contracts) to read, the lake's key,
    its own state items."""
    return [
        statement("ReadProject", "s3:GetObject", Sub("${ArtifactsBucket.Arn}/project/*")),
        statement(
            "ListProject",
            "s3:ListBucket",
            GetAtt("ArtifactsBucket", "Arn"),
            listing_only("project/*"),
        ),
        statement("LakeKey", ["kms:Decrypt", "kms:GenerateDataKey"], GetAtt("DataKey", "Arn")),
        statement(
            "OwnStateItems",
            list(STATE_ACTIONS),
            GetAtt("StateTable", "Arn"),
            {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": state_partitions}},
        ),
    ]


def scheduled_statements(contract: SourceContract) -> list[dict[str, Any]]:
    """An api/sftp function's: its raw prefix, the shared ones, its secret."""
    source = contract.name
    partitions = [state_keys.ingest(source), state_keys.landed(source), state_keys.pending(source)]
    return [
        statement(
            "WriteOwnRawPrefix",
            ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
            Sub(f"${{RawBucket.Arn}}/{source}/*"),
        ),
        statement(
            "ListOwnRawPrefix",
            "s3:ListBucket",
            GetAtt("RawBucket", "Arn"),
            listing_only(f"{source}/*"),
        ),
        *shared_statements(partitions),
        *(
            statement(
                "ReadOwnSecret",
                "secretsmanager:GetSecretValue",
                Sub(f"{SECRET_ARN}{name}-??????"),
            )
            for name in secret_names(contract)
        ),
    ]


def drop_statements(contract: SourceContract) -> list[dict[str, Any]]:
    """A drop function's: its landing prefix to read, its raw prefix to write, the shared ones."""
    assert contract.s3_drop is not None
    source = contract.name
    # The contract keeps IAM wildcards and URL-encoded characters out of the prefix.
    prefix = contract.s3_drop.prefix
    return [
        statement(
            "ReadOwnLandingPrefix",
            ["s3:GetObject", "s3:GetObjectTagging"],
            Sub(f"${{LandingBucket.Arn}}/{prefix}*"),
        ),
        statement(
            "ListOwnLandingPrefix",
            "s3:ListBucket",
            GetAtt("LandingBucket", "Arn"),
            listing_only(f"{prefix}*"),
        ),
        statement(
            "WriteOwnRawPrefix",
            ["s3:PutObject", "s3:PutObjectTagging", "s3:GetObject", "s3:AbortMultipartUpload"],
            Sub(f"${{RawBucket.Arn}}/{source}/*"),
        ),
        *shared_statements([state_keys.landed(source), state_keys.pending(source)]),
    ]


def scheduler_trust() -> dict[str, Any]:
    """Who may assume a schedule's role: EventBridge Scheduler, for this account only."""
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


def invoke_only(function: str) -> dict[str, Any]:
    """A schedule role's one permission: start its own function."""
    return policy(
        [statement("InvokeOwnFunction", "lambda:InvokeFunction", GetAtt(function, "Arn"))]
    )
