"""The local warehouse: one DuckDB database file, serving Data-API-shaped calls.

Statements run synchronously when submitted; their status and results are kept by id, so the
same state machine steps (submit, describe, fetch results) work against it as against Redshift.
Everything in a local run shares one connection per file: DuckDB allows one writing process.

The file is written in an older storage format (``STRATA_DUCKDB_STORAGE_VERSION``, v1.4.0 by
default) so SQL clients bundling DuckDB 1.x open it. A file an earlier Strata wrote in DuckDB
2's own format is rewritten once, on opening, with ``COPY FROM DATABASE`` (tables, views,
comments): the lake keeps its incremental tables and a SQL client can open it again.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from strata import settings as names
from strata.errors import ConfigError, WarehouseError
from strata.warehouse.base import QueryResult, StatementStatus, Warehouse
from strata.warehouse.config import Capabilities, DuckDBConfig
from strata.warehouse.transpile import redshift_to_duckdb


@dataclass
class _Statement:
    status: StatementStatus
    results: list[QueryResult] = field(default_factory=list)


class DuckDBWarehouse(Warehouse):
    dialect = "duckdb"
    # One file per laptop: every target keeps the plain schema names, statements finish
    # before the submit answers, and DuckDB takes comments on a view's columns too.
    capabilities = Capabilities(
        isolates_schemas=False,
        poll_seconds=0,
        comments_on_view_columns=True,
        default_data_api_target="local",
    )

    def __init__(self, config: DuckDBConfig) -> None:
        self.config = config
        self.path = Path(config.path) if str(config.path) != ":memory:" else config.path
        self._lock = threading.RLock()
        self._connection: Any = None
        self._statements: dict[str, _Statement] = {}
        self._tokens: dict[str, str] = {}

    def connection(self) -> Any:
        with self._lock:
            if self._connection is None:
                self._connection = self._open()
            return self._connection

    def _open(self) -> Any:
        import duckdb

        if not isinstance(self.path, Path):
            return duckdb.connect(str(self.path))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        wanted = self.config.storage_version
        try:
            connection = duckdb.connect(
                str(self.path), config={"storage_compatibility_version": wanted}
            )
            written = storage_version(connection)
            if wanted == "latest" or _version(written) <= _version(wanted):
                return connection
            connection.close()
            _rewrite(self.path, wanted)
            return duckdb.connect(str(self.path), config={"storage_compatibility_version": wanted})
        except duckdb.IOException as exc:
            raise WarehouseError(
                f"cannot open the local warehouse {self.path}: {exc} "
                "(close other programs that have it open, e.g. a SQL client)"
            ) from exc
        except duckdb.InvalidInputException as exc:
            raise ConfigError(
                str(exc).split("\n")[0], file="environment", field=names.DUCKDB_STORAGE_VERSION
            ) from exc

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


def storage_version(connection: Any) -> str:
    """The storage format the connection's database file is written in, e.g. ``v1.4.0``."""
    row = connection.execute(
        "SELECT tags FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return str((row[0] if row else {}).get("storage_version", "")).rstrip("+")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)) or (0,)


def _rewrite(path: Path, version: str) -> None:
    """Copy the database into a file of the wanted storage version, then swap it in: a failed
    copy leaves the original untouched."""
    import duckdb

    temporary = path.with_name(path.name + ".rewrite")
    temporary.unlink(missing_ok=True)
    try:
        with duckdb.connect() as connection:
            connection.execute(f"ATTACH {_literal(str(path))} AS strata_old (READ_ONLY)")
            connection.execute(
                f"ATTACH {_literal(str(temporary))} AS strata_new "
                f"(STORAGE_VERSION {_literal(version)})"
            )
            connection.execute("COPY FROM DATABASE strata_old TO strata_new")
    except duckdb.Error as exc:
        temporary.unlink(missing_ok=True)
        raise WarehouseError(
            f"{path} is written in a DuckDB storage format newer than {version}, which SQL "
            f"clients bundling DuckDB 1.x cannot open, and rewriting it failed: {exc}. "
            "Run `make clean-lake` to start a new local lake."
        ) from exc
    os.replace(temporary, path)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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
