"""The local warehouse: one DuckDB database file, serving Data-API-shaped calls.

Statements run synchronously when submitted; their status and results are kept by id, so the
same state machine steps (submit, describe, fetch results) work against it as against Redshift.
Everything in a local run shares one connection per file: DuckDB allows one writing process.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from strata.errors import WarehouseError
from strata.warehouse.base import QueryResult, StatementStatus, Warehouse
from strata.warehouse.transpile import redshift_to_duckdb


@dataclass
class _Statement:
    status: StatementStatus
    results: list[QueryResult] = field(default_factory=list)


class DuckDBWarehouse(Warehouse):
    dialect = "duckdb"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if str(path) != ":memory:" else path
        self._lock = threading.RLock()
        self._connection: Any = None
        self._statements: dict[str, _Statement] = {}
        self._tokens: dict[str, str] = {}

    def connection(self) -> Any:
        import duckdb

        with self._lock:
            if self._connection is None:
                if isinstance(self.path, Path):
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    self._connection = duckdb.connect(str(self.path))
                except duckdb.IOException as exc:
                    raise WarehouseError(
                        f"cannot open the local warehouse {self.path}: {exc} "
                        "(close other programs that have it open, e.g. a SQL client)"
                    ) from exc
            return self._connection

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def execute_native(self, sql: str, parameters: list[Any] | None = None) -> QueryResult:
        """DuckDB SQL, run now: for the local catalog's views and for `strata query --duckdb`."""
        with self._lock:
            cursor = self.connection().cursor()
            try:
                cursor.execute(sql, parameters or [])
                return _fetch(cursor)
            finally:
                cursor.close()

    def submit(self, sqls: list[str], *, client_token: str | None = None) -> str:
        if not sqls:
            raise WarehouseError("nothing to run: no SQL statements submitted")
        with self._lock:
            if client_token and client_token in self._tokens:
                return self._tokens[client_token]
            statement_id = str(uuid.uuid4())
            self._statements[statement_id] = self._run(statement_id, sqls)
            if client_token:
                self._tokens[client_token] = statement_id
            return statement_id

    def _run(self, statement_id: str, sqls: list[str]) -> _Statement:
        import duckdb

        cursor = self.connection().cursor()
        results: list[QueryResult] = []
        transaction = len(sqls) > 1
        try:
            if transaction:
                cursor.execute("BEGIN TRANSACTION")
            for sql in sqls:
                result = QueryResult(columns=[])
                for statement in redshift_to_duckdb(sql, lambda: _catalog(cursor)):
                    cursor.execute(statement)
                    result = _fetch(cursor)
                results.append(result)
            if transaction:
                cursor.execute("COMMIT")
        except (duckdb.Error, WarehouseError) as exc:
            if transaction:
                cursor.execute("ROLLBACK")
            failed = StatementStatus(statement_id, "FAILED", error=str(exc).strip())
            return _Statement(failed)
        finally:
            cursor.close()
        has_rows = bool(results and results[-1].columns)
        return _Statement(
            StatementStatus(statement_id, "FINISHED", has_result_set=has_rows), results
        )

    def describe(self, statement_id: str) -> StatementStatus:
        return self._statement(statement_id).status

    def result(self, statement_id: str) -> QueryResult:
        base, _, sub = statement_id.partition(":")
        statement = self._statement(base)
        if statement.status.status != "FINISHED":
            raise WarehouseError(
                f"statement {statement_id} is {statement.status.status}, no result"
            )
        index = int(sub) - 1 if sub else len(statement.results) - 1
        if not 0 <= index < len(statement.results):
            raise WarehouseError(f"statement {statement_id} has no sub-statement {sub}")
        return statement.results[index]

    def _statement(self, statement_id: str) -> _Statement:
        base = statement_id.partition(":")[0]
        try:
            return self._statements[base]
        except KeyError:
            raise WarehouseError(f"no statement {statement_id!r}") from None


def _catalog(cursor: Any) -> dict[str, Any]:
    """Every table's and view's column types, for typing Redshift's numeric results."""
    rows = cursor.execute(
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns"
    ).fetchall()
    catalog: dict[str, Any] = {}
    for schema, table, column, kind in rows:
        catalog.setdefault(schema, {}).setdefault(table, {})[column] = kind
    return catalog


def _fetch(cursor: Any) -> QueryResult:
    if cursor.description is None:
        return QueryResult(columns=[])
    columns = [column[0] for column in cursor.description]
    return QueryResult(columns=columns, rows=[tuple(row) for row in cursor.fetchall()])
