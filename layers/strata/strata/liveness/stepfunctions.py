"""AWS liveness: a pipeline step's owner is its Step Functions execution, alive while the
execution is RUNNING (``DescribeExecution``). An ingestion Lambda serves no execution: its
owner is its invocation, which Lambda ends at the function's timeout, so its lease decides."""

from __future__ import annotations

import uuid
from typing import Any

from strata.liveness.base import Liveness

EXECUTION_PREFIX = "arn:aws:states:"


class ExecutionLiveness(Liveness):
    def __init__(self, client: Any = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("stepfunctions")
        return self._client

    def owner(self, execution_arn: str | None = None) -> str:
        return execution_arn or f"lambda:{uuid.uuid4().hex}"

    def is_alive(self, owner: str) -> bool | None:
        if not owner.startswith(EXECUTION_PREFIX):
            return None
        from botocore.exceptions import ClientError

        try:
            status = self.client.describe_execution(executionArn=owner)["status"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
                return False
            return None  # unknown (throttled, no permission): let the lease decide
        return status == "RUNNING"

    def describe(self, owner: str) -> str:
        if owner.startswith(EXECUTION_PREFIX):
            return f"execution {owner.rsplit(':', 1)[-1]}"
        return owner
