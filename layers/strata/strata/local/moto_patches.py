"""Patch points in moto that let the real pipeline definition run in-process.

moto is pinned (pyproject, requirements/): these touch its internals.
- Lambda tasks call the handlers in this process instead of a Docker container.
- ``aws-sdk:redshiftdata:*`` tasks reach moto's redshift-data, which is served by the local
  DuckDB warehouse instead of returning canned rows; BatchExecuteStatement is added.
- A state machine whose earlier execution holds a thread lock can be copied again (moto
  deep-copies the machine on every StartExecution).
"""

from __future__ import annotations

import copy
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from strata.warehouse.base import Warehouse

Handler = Callable[[dict[str, Any], Any], Any]

_handlers: dict[str, Handler] = {}
_served: dict[str, Warehouse] = {}
# (owner, attribute, original value or _MISSING): undone by uninstall()
_originals: list[tuple[Any, str, Any]] = []
_MISSING = object()


@dataclass
class LambdaContext:
    """Enough of Lambda's context object for Powertools and our handlers."""

    function_name: str
    aws_request_id: str = "local"
    memory_limit_in_mb: int = 2048
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def register_handler(function_name: str, handler: Handler) -> None:
    _handlers[function_name] = handler


def serve_warehouse(warehouse: Warehouse) -> None:
    _served["current"] = warehouse


def install() -> None:
    """Apply the patches (idempotent); :func:`uninstall` restores moto as it was."""
    if _originals:
        return
    _patch_lambda()
    _patch_redshift_data()
    _patch_state_machine_copy()


def uninstall() -> None:
    while _originals:
        owner, name, original = _originals.pop()
        if original is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
    _handlers.clear()
    _served.clear()


def _set(owner: Any, name: str, value: Any) -> None:
    _originals.append((owner, name, owner.__dict__.get(name, _MISSING)))
    setattr(owner, name, value)


def invoke_handler(function_name: str, event: Any) -> tuple[Any, bool]:
    """Run a registered handler; returns (payload, errored) shaped like Lambda's response."""
    handler = _handlers.get(function_name)
    if handler is None:
        error = {
            "errorType": "ResourceNotFoundException",
            "errorMessage": f"no local handler for {function_name}",
        }
        return error, True
    try:
        return handler(event, LambdaContext(function_name)), False
    except Exception as exc:  # a Lambda reports any exception as its result
        return {
            "errorType": type(exc).__name__,
            "errorMessage": str(exc),
            "stackTrace": traceback.format_exception(exc)[-5:],
        }, True


def _patch_lambda() -> None:
    from moto.awslambda.models import LambdaFunction

    def invoke(self: Any, body: str, request_headers: Any, response_headers: Any) -> bytes:
        event = json.loads(body) if body else {}
        payload, errored = invoke_handler(self.function_name, event)
        if errored:
            response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps(payload, default=str).encode("utf-8")

    _set(LambdaFunction, "invoke", invoke)


def _patch_redshift_data() -> None:
    from moto.redshiftdata import models, responses
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service,
    )

    # A Final dict in moto: add the key (other code never uses it, so it is left in place).
    overrides = state_task_service.StateTaskService._SERVICE_NAME_SFN_TO_BOTO_OVERRIDES
    overrides["redshiftdata"] = "redshift-data"

    class ServedStatement(models.Statement):
        error: str | None = None

        def __iter__(self) -> Any:
            yield from super().__iter__()
            if self.error:
                yield "Error", self.error

    def run(backend: Any, sqls: list[str], token: str | None, **fields: Any) -> Any:
        warehouse = _served["current"]
        statement_id = warehouse.submit(sqls, client_token=token)
        status = warehouse.describe(statement_id)
        statement = ServedStatement(query_string="; ".join(sqls), **fields)
        statement.id = statement_id
        statement.status = status.status
        statement.error = status.error
        statement.has_result_set = status.has_result_set
        statement.sub_statements = [
            {"Id": f"{statement_id}:{n}", "Status": status.status, "QueryString": sql}
            for n, sql in enumerate(sqls, start=1)
        ]
        backend.statements[statement_id] = statement
        return statement

    def execute_statement(self: Any, sql: str, **fields: Any) -> Any:
        return run(self, [sql], None, **_statement_fields(fields))

    def get_statement_result(self: Any, statement_id: str) -> Any:
        result = _served["current"].result(statement_id)
        metadata = [
            dict(models.ColumnMetadata(None, True, True, name, 1)) for name in result.columns
        ]
        records = [[_field(value) for value in row] for row in result.rows]
        return models.StatementResult(metadata, records, len(records))

    def batch_execute_statement(self: Any) -> Any:
        statement = run(
            self.redshiftdata_backend,
            self._get_param("Sqls"),
            self._get_param("ClientToken"),
            **_statement_fields(
                {
                    "cluster_identifier": self._get_param("ClusterIdentifier")
                    or self._get_param("WorkgroupName"),
                    "database": self._get_param("Database"),
                    "db_user": self._get_param("DbUser"),
                    "secret_arn": self._get_param("SecretArn"),
                }
            ),
        )
        body = {
            "Id": statement.id,
            "CreatedAt": statement.created_at,
            "Database": statement.database,
        }
        return 200, {}, json.dumps(body)

    _set(models.RedshiftDataAPIServiceBackend, "execute_statement", execute_statement)
    _set(models.RedshiftDataAPIServiceBackend, "get_statement_result", get_statement_result)
    _set(
        responses.RedshiftDataAPIServiceResponse, "batch_execute_statement", batch_execute_statement
    )


def _statement_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "cluster_identifier": fields.get("cluster_identifier"),
        "database": fields.get("database"),
        "db_user": fields.get("db_user"),
        "query_parameters": fields.get("parameters") or [],
        "secret_arn": fields.get("secret_arn"),
    }


def _field(value: Any) -> dict[str, Any]:
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}  # decimals, dates and timestamps travel as text


def _patch_state_machine_copy() -> None:
    from moto.stepfunctions.models import StateMachine

    def deepcopy_without_executions(self: Any, memo: dict[int, Any]) -> Any:
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            setattr(clone, name, [] if name == "executions" else copy.deepcopy(value, memo))
        return clone

    _set(StateMachine, "__deepcopy__", deepcopy_without_executions)
