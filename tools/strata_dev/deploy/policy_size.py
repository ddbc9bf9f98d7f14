"""How long an IAM policy document is once CloudFormation has filled in its intrinsics, at the
worst: IAM's limits count the deployed JSON's characters without whitespace (managed policy
6,144; a role's inline policies together 10,240), and a bucket's generated name, a region or a
partition is only known at deploy time, so each is counted at its longest.

Reads both the generators' values (:mod:`strata_dev.deploy.cfn`) and CloudFormation's long form
(``{"Fn::Sub": ...}``, as the SAM translation prints it).
"""

from __future__ import annotations

import json
import re
from typing import Any

from strata_dev.deploy.cfn import FindInMap, GetAtt, If, Ref, Sub

MANAGED_POLICY_LIMIT = 6_144
ROLE_INLINE_LIMIT = 10_240
# Managed policies a role may carry (the default quota; it can be raised to 20).
ROLE_MANAGED_POLICIES = 10

# The longest value each pseudo parameter and attribute can take.
LONGEST = {
    "AWS::Partition": "aws-iso-b",  # aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b
    "AWS::Region": "x" * 16,  # ap-southeast-5 is 14
    "AWS::AccountId": "1" * 12,
    "AWS::StackName": "x" * 128,
    "EnvironmentName": "prod",  # dev | test | prod
}
# A resource's physical id or ARN whose name CloudFormation generates: S3 bucket names are at
# most 63 characters; other ARNs here stay under 200.
BUCKET_ARN = "arn:aws-us-gov:s3:::" + "b" * 63
OTHER = "x" * 200
PLACEHOLDER = re.compile(r"\$\{([^}!]+)\}")


def longest(name: str) -> str:
    """The longest text a ``${name}`` (or ``!Ref name``) can become."""
    if name in LONGEST:
        return LONGEST[name]
    if name.endswith("Bucket.Arn"):
        return BUCKET_ARN
    if name.endswith("Bucket"):
        return "b" * 63
    return OTHER


def resolved(value: Any) -> Any:
    """The value with every intrinsic replaced by its longest possible text."""
    if isinstance(value, Ref):
        return longest(value.name)
    if isinstance(value, Sub):
        return PLACEHOLDER.sub(lambda m: longest(m[1]), value.text)
    if isinstance(value, GetAtt):
        return longest(f"{value.resource}.{value.attribute}")
    if isinstance(value, If):
        return max((resolved(value.when_true), resolved(value.when_false)), key=_length)
    if isinstance(value, FindInMap):
        return OTHER
    if isinstance(value, dict):
        if len(value) == 1:
            (key, argument), *_ = value.items()
            if key == "Ref":
                return longest(argument)
            if key == "Fn::Sub":
                text = argument if isinstance(argument, str) else argument[0]
                return PLACEHOLDER.sub(lambda m: longest(m[1]), text)
            if key == "Fn::GetAtt":
                parts = argument if isinstance(argument, list) else argument.split(".", 1)
                return longest(".".join(parts))
            if key == "Fn::If":
                return max((resolved(argument[1]), resolved(argument[2])), key=_length)
        return {key: resolved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [resolved(item) for item in value]
    return value


def _length(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")))


def deployed_length(document: Any) -> int:
    """The document's length in IAM's count (no whitespace), every name at its longest."""
    return _length(resolved(document))
