"""The read API's port and the one code path over it.

:class:`Lake` does everything that does not depend on where the lake lives: it resolves table
names (and suggests the closest ones), builds the SQL of :meth:`Lake.read`, checks dates and
adhoc names. A :class:`Backend` answers the few questions that do: which tables exist, run a
read-only query, read a cleansed table's partitions, write an adhoc table. ``local.py`` answers
them from the DuckDB twin, ``aws.py`` with awswrangler (Redshift Data API, S3 and Glue).
"""

from __future__ import annotations

import abc
from typing import Any

from strata_read import partitions
from strata_read.errors import ReadError
from strata_read.tables import CLEANSED, IDENTIFIER, TableInfo, quote, resolve

ADHOC = "adhoc"


class Backend(abc.ABC):
    """Where the lake lives. Implementations never print, and never hold a secret: they sign
    in with the caller's identity (locally there is none; in AWS the reader role)."""

    name: str

    @abc.abstractmethod
    def tables(self) -> list[TableInfo]:
        """Every table and view a reader may read, in every layer (cleansed included)."""

    @abc.abstractmethod
    def relation(self, info: TableInfo) -> str:
        """The table as the warehouse's SQL names it (quoted)."""

    @abc.abstractmethod
    def query(self, sql: str, *, as_arrow: bool) -> Any:
        """Run one read-only query: a pandas DataFrame, or a pyarrow Table."""

    @abc.abstractmethod
    def read_cleansed(
        self,
        table: str,
        start: str | None,
        end: str | None,
        columns: list[str] | None,
        *,
        as_arrow: bool,
    ) -> Any:
        """The cleansed table's rows in the partitions from ``start`` to ``end`` only."""

    @abc.abstractmethod
    def write_adhoc(self, name: str, frame: Any) -> str:
        """Create or replace ``adhoc.<name>`` with the frame's rows; returns the relation."""


class Lake:
    """The read API: the same calls whatever the backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def __repr__(self) -> str:
        return f"Lake(backend={self.backend.name!r})"

    def tables(self) -> Any:
        """Layers, tables and descriptions, as a DataFrame sorted by layer and name."""
        import pandas as pd

        rows = [
            {"layer": t.layer, "table": t.name, "kind": t.kind, "description": t.description}
            for t in sorted(self.backend.tables(), key=lambda t: (t.layer, t.name))
        ]
        return pd.DataFrame(rows, columns=["layer", "table", "kind", "description"])

    def read(
        self,
        table: str,
        columns: list[str] | None = None,
        where: str | None = None,
        as_arrow: bool = False,
    ) -> Any:
        """A table's rows (``columns`` only, those matching the SQL condition ``where``)."""
        info = resolve(table, self.backend.tables())
        select = ", ".join(quote(column) for column in _columns(columns)) if columns else "*"
        sql = f"SELECT {select} FROM {self.backend.relation(info)}"
        if where:
            sql += f" WHERE {where}"
        return self.backend.query(sql, as_arrow=as_arrow)

    def sql(self, query: str, as_arrow: bool = False) -> Any:
        """Any read-only query, in the warehouse's own SQL (DuckDB locally, Redshift in AWS)."""
        if not query.strip():
            raise ReadError("sql(): the query is empty")
        return self.backend.query(query, as_arrow=as_arrow)

    def read_cleansed(
        self,
        source: str,
        start: Any = None,
        end: Any = None,
        columns: list[str] | None = None,
        as_arrow: bool = False,
    ) -> Any:
        """A source's cleansed rows from the partitions between ``start`` and ``end``
        (inclusive dates; either may be left open): only those partitions' files are read."""
        first = partitions.as_day(start, "start")
        last = partitions.as_day(end, "end")
        partitions.check_range(first, last)
        cleansed = [info for info in self.backend.tables() if info.layer == CLEANSED]
        name = source if "." in source else f"{CLEANSED}.{source}"
        info = resolve(name, cleansed)
        return self.backend.read_cleansed(
            info.name, first, last, _columns(columns) if columns else None, as_arrow=as_arrow
        )

    def write_adhoc(self, name: str, frame: Any) -> str:
        """Create or replace the table ``adhoc.<name>`` with the frame's rows: scores, segments,
        anything worth sharing. Returns the table's name."""
        if not IDENTIFIER.fullmatch(name) or name.lower() != name:
            raise ReadError(
                f"write_adhoc: {name!r} is not a table name: lower-case letters, digits and "
                "underscores, e.g. 'churn_scores'"
            )
        if len(frame.columns) == 0:
            raise ReadError(f"write_adhoc: the frame for {name!r} has no columns")
        return self.backend.write_adhoc(name, frame)


def _columns(columns: list[str] | str) -> list[str]:
    listed = [columns] if isinstance(columns, str) else list(columns)
    bad = [column for column in listed if not IDENTIFIER.fullmatch(column)]
    if bad:
        raise ReadError(f"columns: {', '.join(map(repr, bad))} are not column names")
    return listed
