"""Patch points in moto that let the real pipeline definition run in-process.

moto is pinned (pyproject, requirements/): these touch its internals.
- Lambda tasks call the handlers in this process instead of a Docker container.
- ``aws-sdk:redshiftdata:*`` tasks reach moto's redshift-data, which is served by the local
  DuckDB warehouse instead of returning canned rows: Execute/BatchExecuteStatement (with
  ClientToken; a workgroup or a cluster, IAM or SecretArn, refused like the Data API refuses
  a connection naming both targets or neither, or a DbUser on a workgroup), DescribeStatement,
  CancelStatement, GetStatementResult (``<id>:<n>`` too).
  Test hooks hold statements STARTED for some polls, or end them ABORTED.
- A state machine whose earlier execution holds a thread lock can be copied again (moto
  deep-copies the machine on every StartExecution).
- The definition's parse tree is kept per definition text: moto parses the whole ASL with a
  pure-Python ANTLR parser on CreateStateMachine and again on every StartExecution, about a
  second each for the pipeline. The tree is only read; every parse still gets fresh
  evaluation components from it.
- A distributed Map's ItemReader and ResultWriter reach the lake's folders for the buckets
  served locally (:mod:`strata_dev.local.distributed_map`).
"""

from __future__ import annotations

import copy
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from strata.warehouse.base import Warehouse, data_api_field
from strata_dev.local import distributed_map

Handler = Callable[[dict[str, Any], Any], Any]

_handlers: dict[str, Handler] = {}
_served: dict[str, Warehouse] = {}
# (owner, attribute, original value or _MISSING): undone by uninstall()
_originals: list[tuple[Any, str, Any]] = []
_MISSING = object()
# definition text -> ANTLR parse tree, kept across installs (the tree depends on the text only)
_parse_trees: dict[str, Any] = {}
_PARSE_TREES_KEPT = 8


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
    _patch_parser()
    distributed_map.install(_set)


def uninstall() -> None:
    while _originals:
        owner, name, original = _originals.pop()
        if original is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
    _handlers.clear()
    _served.clear()
    _hooks.clear()
    _held.clear()
    _aliases.clear()
    distributed_map.clear()


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


def hold_statements(containing: str, polls: int | None = None) -> None:
    """Test hook: statements whose SQL contains ``containing`` stay STARTED for ``polls``
    DescribeStatement calls before they run (``None``: until cancelled)."""
    _hooks.append(_Hook(containing, polls=polls))


def abort_statements(containing: str) -> None:
    """Test hook: statements whose SQL contains ``containing`` end ABORTED without running,
    as when an operator cancels them."""
    _hooks.append(_Hook(containing, abort=True))


@dataclass
class _Hook:
    containing: str
    polls: int | None = None
    abort: bool = False


@dataclass
class _Held:
    sqls: list[str]
    token: str | None
    polls_left: int | None


_hooks: list[_Hook] = []
_held: dict[str, _Held] = {}
_aliases: dict[str, str] = {}  # served statement id → the warehouse's id


def _patch_redshift_data() -> None:
    from moto.redshiftdata import exceptions, models, responses
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

    def settle(statement: Any, warehouse_id: str) -> None:
        status = _served["current"].describe(warehouse_id)
        _aliases[statement.id] = warehouse_id
        statement.status = status.status
        statement.error = status.error
        statement.has_result_set = status.has_result_set
        for sub in statement.sub_statements:
            sub["Status"] = status.status

    def run(backend: Any, sqls: list[str], token: str | None, **fields: Any) -> Any:
        statement = ServedStatement(query_string="; ".join(sqls), **fields)
        statement.sub_statements = [
            {"Id": f"{statement.id}:{n}", "Status": "STARTED", "QueryString": sql}
            for n, sql in enumerate(sqls, start=1)
        ]
        backend.statements[statement.id] = statement
        hook = next((h for h in _hooks if any(h.containing in sql for sql in sqls)), None)
        if hook is not None and hook.abort:
            statement.status = "ABORTED"
        elif hook is not None:
            _held[statement.id] = _Held(sqls, token, hook.polls)
        else:
            settle(statement, _served["current"].submit(sqls, client_token=token))
        return statement

    def execute_statement(self: Any) -> Any:
        statement = run(
            self.redshiftdata_backend,
            [self._get_param("Sql")],
            self._get_param("ClientToken"),
            **_statement_fields(self),
        )
        return 200, {}, json.dumps(_submitted(statement))

    def batch_execute_statement(self: Any) -> Any:
        statement = run(
            self.redshiftdata_backend,
            self._get_param("Sqls"),
            self._get_param("ClientToken"),
            **_statement_fields(self),
        )
        return 200, {}, json.dumps(_submitted(statement))

    def describe_statement(self: Any, statement_id: str) -> Any:
        statement = self.statements.get(statement_id)
        if statement is None:
            raise exceptions.ResourceNotFoundException()
        held = _held.get(statement_id)
        if held is not None and held.polls_left is not None:
            if held.polls_left <= 0:
                del _held[statement_id]
                settle(statement, _served["current"].submit(held.sqls, client_token=held.token))
            else:
                held.polls_left -= 1
        return statement

    def cancel_statement(self: Any, statement_id: str) -> None:
        statement = self.statements.get(statement_id)
        if statement is None:
            raise exceptions.ResourceNotFoundException()
        if _held.pop(statement_id, None) is None:
            raise exceptions.ValidationException(
                f"Could not cancel a query that is already in {statement.status} state "
                f"with ID: {statement_id}"
            )
        statement.status = "ABORTED"

    def get_statement_result(self: Any, statement_id: str) -> Any:
        base, _, sub = statement_id.partition(":")
        served = _aliases.get(base, base) + (f":{sub}" if sub else "")
        result = _served["current"].result(served)
        metadata = [
            dict(models.ColumnMetadata(None, True, True, name, 1)) for name in result.columns
        ]
        records = [[data_api_field(value) for value in row] for row in result.rows]
        return models.StatementResult(metadata, records, len(records))

    backend = models.RedshiftDataAPIServiceBackend
    _set(backend, "describe_statement", describe_statement)
    _set(backend, "cancel_statement", cancel_statement)
    _set(backend, "get_statement_result", get_statement_result)
    _set(responses.RedshiftDataAPIServiceResponse, "execute_statement", execute_statement)
    _set(
        responses.RedshiftDataAPIServiceResponse, "batch_execute_statement", batch_execute_statement
    )


def _statement_fields(response: Any) -> dict[str, Any]:
    from moto.redshiftdata.exceptions import ValidationException

    cluster = response._get_param("ClusterIdentifier")
    workgroup = response._get_param("WorkgroupName")
    if bool(cluster) == bool(workgroup):
        raise ValidationException("Either ClusterIdentifier or WorkgroupName must be provided")
    if workgroup and response._get_param("DbUser"):
        raise ValidationException("DbUser is not supported for serverless workgroups")
    if response._get_param("DbUser") and response._get_param("SecretArn"):
        raise ValidationException("Specify either DbUser or SecretArn, not both")
    return {
        "cluster_identifier": response._get_param("ClusterIdentifier")
        or response._get_param("WorkgroupName"),
        "database": response._get_param("Database"),
        "db_user": response._get_param("DbUser"),
        "query_parameters": response._get_param("Parameters") or [],
        "secret_arn": response._get_param("SecretArn"),
    }


def _submitted(statement: Any) -> dict[str, Any]:
    return {"Id": statement.id, "CreatedAt": statement.created_at, "Database": statement.database}


def _patch_state_machine_copy() -> None:
    from moto.stepfunctions.models import StateMachine

    def deepcopy_without_executions(self: Any, memo: dict[int, Any]) -> Any:
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            setattr(clone, name, [] if name == "executions" else copy.deepcopy(value, memo))
        return clone

    _set(StateMachine, "__deepcopy__", deepcopy_without_executions)


def _patch_parser() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    original = AmazonStateLanguageParser.parse

    def parse(definition: str) -> tuple[Any, Any]:
        tree = _parse_trees.get(definition)
        if tree is None:
            program, tree = original(definition)
            if len(_parse_trees) >= _PARSE_TREES_KEPT:
                _parse_trees.pop(next(iter(_parse_trees)))
            _parse_trees[definition] = tree
            return program, tree
        return Preprocessor().visit(tree), tree

    _set(AmazonStateLanguageParser, "parse", staticmethod(parse))
