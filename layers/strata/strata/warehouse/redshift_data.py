"""Warehouse on Redshift Serverless through the Redshift Data API.

The Data API is asynchronous (submit, describe, fetch), which is what lets the state machine
poll a long build with Wait states instead of a Lambda paying to wait on it.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from strata.aws_errors import raise_transient
from strata.errors import WarehouseError
from strata.warehouse.base import QueryResult, StatementStatus, Warehouse
from strata.warehouse.config import Capabilities, RedshiftDataConfig

# The Data API's typed field → how to read it. Decimals, dates and timestamps arrive as
# stringValue: Redshift renders them as text.
_FIELD_KINDS = ("longValue", "doubleValue", "booleanValue", "stringValue", "blobValue")


def field_value(field: dict[str, Any]) -> Any:
    if field.get("isNull"):
        return None
    for kind in _FIELD_KINDS:
        if kind in field:
            return field[kind]
    raise WarehouseError(f"unknown field type in result: {sorted(field)}")


class RedshiftDataWarehouse(Warehouse):
    dialect = "redshift"
    capabilities = Capabilities(
        isolates_schemas=True, poll_seconds=5, comments_on_view_columns=False
    )

    def __init__(self, config: RedshiftDataConfig, client: Any = None) -> None:
        self.config = config
        self.client = raise_transient(
            client if client is not None else boto3.client("redshift-data")
        )

    def submit(self, sqls: list[str], *, client_token: str | None = None) -> str:
        """One statement → ExecuteStatement; several → BatchExecuteStatement, which Redshift
        runs as one transaction. A ``client_token`` makes a retried submit return the first
        submission's id instead of running the SQL twice."""
        if not sqls:
            raise WarehouseError("nothing to submit")
        request: dict[str, Any] = {**self.config.request(), "WithEvent": False}
        if client_token:
            request["ClientToken"] = client_token
        try:
            if len(sqls) == 1:
                response = self.client.execute_statement(Sql=sqls[0], **request)
            else:
                response = self.client.batch_execute_statement(Sqls=list(sqls), **request)
        except ClientError as exc:
            where = self.config.workgroup or self.config.cluster
            raise WarehouseError(f"cannot submit to {where}/{self.config.database}: {exc}") from exc
        return response["Id"]

    def _describe(self, statement_id: str) -> dict[str, Any]:
        try:
            return self.client.describe_statement(Id=statement_id)
        except ClientError as exc:
            raise WarehouseError(f"cannot describe statement {statement_id}: {exc}") from exc

    def describe(self, statement_id: str) -> StatementStatus:
        response = self._describe(statement_id)
        return StatementStatus(
            id=response["Id"],
            status=response["Status"],
            error=response.get("Error") or None,
            has_result_set=bool(response.get("HasResultSet")),
        )

    def cancel(self, statement_id: str) -> None:
        try:
            self.client.cancel_statement(Id=statement_id)
        except ClientError as exc:
            raise WarehouseError(f"cannot cancel statement {statement_id}: {exc}") from exc

    def result(self, statement_id: str) -> QueryResult:
        """Rows of the statement, or of a batch's last sub-statement (its ``<id>:<n>``)."""
        substatements = self._describe(statement_id).get("SubStatements") or []
        target = substatements[-1]["Id"] if substatements else statement_id
        columns: list[str] | None = None
        rows: list[tuple[Any, ...]] = []
        paginator = self.client.get_paginator("get_statement_result")
        try:
            for page in paginator.paginate(Id=target):
                if columns is None:
                    columns = [column["name"] for column in page.get("ColumnMetadata", [])]
                rows += [
                    tuple(field_value(field) for field in record) for record in page["Records"]
                ]
        except ClientError as exc:
            raise WarehouseError(f"cannot fetch the result of {target}: {exc}") from exc
        return QueryResult(columns=columns or [], rows=rows)
