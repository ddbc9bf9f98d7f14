"""Warehouse port, shaped like the Redshift Data API.

Statements are submitted, described and their results fetched by id: in AWS the state machine
itself submits and polls (no Lambda waits on a query); locally a DuckDB database file serves
the same calls, transpiling Redshift SQL to DuckDB.
"""

from __future__ import annotations

import abc
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from strata.errors import WarehouseError
from strata.warehouse.config import Capabilities

TERMINAL = frozenset({"FINISHED", "FAILED", "ABORTED"})
DATA_API_MAX_BATCH = 40  # statements in one BatchExecuteStatement


@dataclass(frozen=True)
class StatementStatus:
    id: str
    status: str  # SUBMITTED | PICKED | STARTED | FINISHED | FAILED | ABORTED
    error: str | None = None
    has_result_set: bool = False


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


class Warehouse(abc.ABC):
    dialect = "redshift"
    # What this warehouse can do, read by the planner without an instance (sqlmesh's
    # engine adapters declare theirs the same way).
    capabilities: ClassVar[Capabilities]

    @abc.abstractmethod
    def submit(self, sqls: list[str], *, client_token: str | None = None) -> str:
        """Run statements in order, as one transaction when several; returns a statement id."""

    @abc.abstractmethod
    def describe(self, statement_id: str) -> StatementStatus: ...

    @abc.abstractmethod
    def result(self, statement_id: str) -> QueryResult:
        """Rows of the last statement submitted under this id."""

    def cancel(self, statement_id: str) -> None:
        """Stop a statement that has not finished (it ends ABORTED)."""
        raise WarehouseError(f"statement {statement_id} cannot be cancelled here")

    def run(self, sql: str, *, timeout: float = 300.0, poll: float = 0.5) -> QueryResult:
        """Submit one statement and wait for it: for the CLI, tests and the site's dashboard
        queries (bounded by the site function's own deadline); the pipeline's statements are
        polled by the state machine, never by a Lambda."""
        return self.wait(self.submit([sql]), timeout=timeout, poll=poll)

    def wait(self, statement_id: str, *, timeout: float = 300.0, poll: float = 0.5) -> QueryResult:
        """Wait for a submitted statement and return its rows (see :meth:`run`)."""
        deadline = time.monotonic() + timeout
        status = self.describe(statement_id)
        while status.status not in TERMINAL:
            if time.monotonic() > deadline:
                raise WarehouseError(
                    f"statement {statement_id} still {status.status} after {timeout}s"
                )
            time.sleep(poll)
            status = self.describe(statement_id)
        if status.status != "FINISHED":
            raise WarehouseError(f"statement {status.status}: {status.error}")
        return self.result(statement_id) if status.has_result_set else QueryResult(columns=[])


def data_api_field(value: Any) -> dict[str, Any]:
    """A value as the Data API's GetStatementResult types it."""
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}  # decimals, dates and timestamps travel as text


def data_api_result(result: QueryResult) -> dict[str, Any]:
    """A result shaped like the page the state machine gets from GetStatementResult."""
    return {
        "columns": [{"name": name} for name in result.columns],
        "records": [[data_api_field(value) for value in row] for row in result.rows],
    }
