"""``strata_read``: read the lake from Python and notebooks, the same calls locally and on AWS.

    import strata_read as lake

    lake.tables()                                        # layers, tables, descriptions
    lake.read("analytics.customer_lifetime_value", columns=[...], where="orders > 1")
    lake.sql("select channel, sum(revenue) from analytics.fct_orders group by 1")
    lake.read_cleansed("orders", start="2026-11-01", end="2026-11-03")   # partition pruning
    lake.write_adhoc("churn_scores", frame)              # → adhoc.churn_scores

Results are pandas DataFrames (``as_arrow=True``: pyarrow Tables). ``STRATA_RUNTIME`` picks the
backend: ``local`` (the default) reads the DuckDB twin's snapshot, ``aws`` the Redshift Data
API, S3 and Glue as the reader role. Install with ``pip install -e ".[datascience]"``; this
package never ships in a Lambda layer. Named ``strata_read`` because ``strata.lake`` is the
runtime's kernel (key layouts), and what this package does is read.
"""

from __future__ import annotations

from typing import Any

from strata_read.base import Backend, Lake
from strata_read.connect import connect
from strata_read.errors import EmptyLakeError, ReadError, TableNotFoundError

__all__ = [
    "Backend",
    "EmptyLakeError",
    "Lake",
    "ReadError",
    "TableNotFoundError",
    "connect",
    "read",
    "read_cleansed",
    "sql",
    "tables",
    "write_adhoc",
]

_default: Lake | None = None


def _lake() -> Lake:
    global _default
    if _default is None:
        _default = connect()
    return _default


def tables() -> Any:
    """Layers, tables and descriptions (a DataFrame)."""
    return _lake().tables()


def read(
    table: str, columns: list[str] | None = None, where: str | None = None, as_arrow: bool = False
) -> Any:
    """``layer.table``'s rows: ``columns`` only, those matching the SQL condition ``where``."""
    return _lake().read(table, columns=columns, where=where, as_arrow=as_arrow)


def sql(query: str, as_arrow: bool = False) -> Any:
    """A read-only query in the warehouse's SQL."""
    return _lake().sql(query, as_arrow=as_arrow)


def read_cleansed(
    source: str,
    start: Any = None,
    end: Any = None,
    columns: list[str] | None = None,
    as_arrow: bool = False,
) -> Any:
    """A source's cleansed rows, reading only the partitions from ``start`` to ``end``."""
    return _lake().read_cleansed(source, start=start, end=end, columns=columns, as_arrow=as_arrow)


def write_adhoc(name: str, frame: Any) -> str:
    """Create or replace ``adhoc.<name>`` with the frame's rows; returns the table's name."""
    return _lake().write_adhoc(name, frame)
