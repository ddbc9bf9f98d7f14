"""A dashboard query: read-only checked, routed, run, and its result made JSON.

Queries are Redshift SQL, like the models. One that reads ``strata_meta.*`` runs in the run
reports' in-memory database (:mod:`strata.site.meta`); every other runs in the warehouse
through its port (``Warehouse.run``): DuckDB locally, the Data API on AWS. Only a single
``SELECT`` (``WITH``, ``UNION``...) is accepted, so a page can never write to the warehouse.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from strata.errors import StrataError
from strata.site.meta import SCHEMA as META_SCHEMA
from strata.site.meta import MetaDatabase
from strata.warehouse.base import QueryResult, Warehouse

# A page embeds its results; past this many rows a query's result is cut (and says so).
MAX_ROWS = 5000
# How often a waiting query is polled: a dashboard query takes a second or two on Redshift.
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Reads:
    """What a query reads and returns, as far as its text tells."""

    tables: list[str]  # relations as written, lowercase: ``analytics.daily_revenue``
    columns: list[str] | None  # its output columns, None when ``*`` or unnamed
    meta: bool  # it reads the run reports (``strata_meta``), not the warehouse


class QueryError(StrataError):
    """A dashboard query that cannot be read or run; ``line`` is within the query's SQL."""

    def __init__(self, message: str, line: int = 1) -> None:
        self.line = line
        super().__init__(message)


def analyse(sql: str) -> Reads:
    """The tables a single read-only query reads and the columns it returns."""
    from sqlglot import exp

    from strata.warehouse.redshift_sql import parse_redshift

    try:
        statements = parse_redshift(sql)
    except StrataError as exc:
        raise QueryError(str(exc), _line_of(str(exc))) from exc
    if len(statements) != 1:
        raise QueryError(f"one query per block, not {len(statements)} statements")
    statement = statements[0]
    if not isinstance(statement, exp.Query) or statement.find(exp.Into):
        raise QueryError("only a SELECT query may stand here: the site reads, never writes")
    ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
    tables = sorted(
        {
            f"{table.db}.{table.name}".lower() if table.db else table.name.lower()
            for table in statement.find_all(exp.Table)
            if table.db or table.name.lower() not in ctes
        }
    )
    names = statement.named_selects
    columns = None if any(name in ("", "*") for name in names) else names
    meta = [t for t in tables if t.startswith(META_SCHEMA + ".")]
    if meta and len(meta) != len(tables):
        others = ", ".join(t for t in tables if t not in meta)
        raise QueryError(
            f"a query reads either the run reports ({META_SCHEMA}.*) or the warehouse, "
            f"not both (it also reads {others})"
        )
    return Reads(tables, columns, bool(meta))


def _line_of(message: str) -> int:
    import re

    found = re.search(r"\bline (\d+)", message)
    return int(found.group(1)) if found else 1


# One warehouse query's longest wait, and what is kept back of a deadline for writing the
# site once the queries are done (a Lambda's budget: docs/consumers.md, "The site on AWS").
QUERY_TIMEOUT = 120.0
RESERVE = 30.0


class QueryRunner:
    """Runs a page's queries: the warehouse for the data, the reports' database for quality.
    With a ``deadline`` (``time.monotonic()``) each warehouse query waits at most until
    ``RESERVE`` seconds before it, and none starts once that time has passed."""

    def __init__(
        self,
        warehouse: Warehouse,
        meta: Callable[[], MetaDatabase],
        *,
        deadline: float | None = None,
    ) -> None:
        self.warehouse = warehouse
        self._meta_factory = meta
        self._meta: MetaDatabase | None = None
        self.deadline = deadline
        self._submitted: dict[str, str] = {}  # SQL → its statement, submitted by start()

    def timeout(self) -> float:
        """How long the next warehouse query may take; QueryError when no time is left."""
        if self.deadline is None:
            return QUERY_TIMEOUT
        left = self.deadline - RESERVE - time.monotonic()
        if left <= 0:
            raise QueryError("not run: the site's time budget is spent (see the run report)")
        return min(QUERY_TIMEOUT, left)

    def start(self, sqls: Iterable[str]) -> None:
        """Submit the warehouse queries among ``sqls`` at once, so that they run side by side
        while :meth:`run` waits for each in turn: on Redshift a page's queries then take as
        long as the slowest, not the sum. One that cannot be read or submitted is left to
        :meth:`run`, which says why."""
        for sql in sqls:
            if sql in self._submitted:
                continue
            try:
                if analyse(sql).meta:
                    continue
                self.timeout()  # none starts once the time budget is spent
                self._submitted[sql] = self.warehouse.submit([sql])
            except StrataError:
                continue

    def run(self, sql: str) -> QueryResult:
        reads = analyse(sql)
        if reads.meta:
            if self._meta is None:
                self._meta = self._meta_factory()
            return self._meta.run(sql)
        statement = self._submitted.pop(sql, None)
        try:
            timeout = self.timeout()
            if statement is None:
                statement = self.warehouse.submit([sql])
            return self.warehouse.wait(statement, timeout=timeout, poll=POLL_SECONDS)
        except StrataError as exc:
            if statement is not None:
                self._cancel(statement)
            raise QueryError(str(exc)) from exc

    def _cancel(self, statement: str) -> None:
        # A query given up on (out of time) stops using the warehouse; one already ended
        # cannot be cancelled, which is fine.
        with contextlib.suppress(StrataError):
            self.warehouse.cancel(statement)

    def close(self) -> None:
        for statement in self._submitted.values():
            self._cancel(statement)
        self._submitted.clear()
        if self._meta is not None:
            self._meta.close()
            self._meta = None


def result_json(result: QueryResult) -> dict[str, Any]:
    """A result as the page embeds it: column names and rows of JSON values."""
    rows = result.rows[:MAX_ROWS]
    return {
        "columns": list(result.columns),
        "rows": [[json_value(value) for value in row] for row in rows],
        "truncated": len(result.rows) > MAX_ROWS,
    }


def json_value(value: Any) -> Any:
    """Numbers as numbers (decimals too: charts need them), times as ISO text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)
