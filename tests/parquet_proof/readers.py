"""Three independent Parquet readers, each asked for a file's rows and its metadata.

DuckDB (its own C++ reader), pyarrow (Arrow's C++ reader, a different code base) and
fastparquet (Python, with its own Thrift decoder of the footer). A footer that one of them
accepts and another refuses, or reads differently, fails the proof. Each reader's values
are compared with its own reading of the parts (exact), and across readers in one canonical
form (fastparquet reads decimals as floats and timestamps as nanoseconds).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from pathlib import Path
from typing import Any

import duckdb

READERS = ("duckdb", "pyarrow", "fastparquet")


def rows(reader: str, path: Path) -> list[tuple[Any, ...]]:
    """Every row of the file, in file order, as that reader's Python values."""
    if reader == "duckdb":
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        # No column from the folder's name (``event_date=…``): the file's own columns only.
        return con.execute(
            "SELECT * FROM read_parquet(?, hive_partitioning = false)", [str(path)]
        ).fetchall()
    if reader == "pyarrow":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        return list(zip(*(column.to_pylist() for column in table.columns), strict=True))
    import fastparquet

    frame = fastparquet.ParquetFile(str(path)).to_pandas()
    # pandas' missing values (NaN, NA, NaT) do not equal themselves: None, as the others say.
    columns = [[canonical(value) for value in frame[name].tolist()] for name in frame.columns]
    return list(zip(*columns, strict=True)) if columns else []


def canonical(value: Any) -> Any:
    """One form for every reader's value: decimals as floats (``same`` compares numbers with
    a relative tolerance of 1e-12), missing values as None, instants as naive UTC datetimes,
    dates as dates, numpy scalars as Python's."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    type_name = type(value).__name__
    if type_name in ("NaTType", "NAType"):
        return None
    if type_name == "datetime64":  # numpy's: its ``item()`` of nanoseconds is an int
        import pandas as pd

        value = pd.Timestamp(value)
        type_name = "Timestamp"
    if type_name == "Timestamp":  # pandas
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        return canonical(value.item())
    return value


def same(left: Any, right: Any) -> bool:
    left, right = canonical(left), canonical(right)
    if (
        isinstance(left, dt.datetime)
        and isinstance(right, dt.date)
        and not isinstance(right, dt.datetime)
    ):
        return left.date() == right and left.time() == dt.time()
    if (
        isinstance(right, dt.datetime)
        and isinstance(left, dt.date)
        and not isinstance(left, dt.datetime)
    ):
        return same(right, left)
    if isinstance(left, float) and isinstance(right, int | float) and not isinstance(right, bool):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(right, float) and isinstance(left, int) and not isinstance(left, bool):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-12)
    return left == right


def row_groups(reader: str, path: Path) -> list[dict[str, Any]]:
    """Per row group: its row count and, per column (by its path), the null count and the
    statistics' min and max, as that reader reports them."""
    if reader == "duckdb":
        con = duckdb.connect()
        found = con.execute(
            "SELECT row_group_id, row_group_num_rows, path_in_schema, stats_null_count, "
            "stats_min_value, stats_max_value FROM parquet_metadata(?) "
            "ORDER BY row_group_id, column_id",
            [str(path)],
        ).fetchall()
        groups: dict[int, dict[str, Any]] = {}
        for group, count, column, nulls, low, high in found:
            entry = groups.setdefault(group, {"rows": count, "columns": {}})
            entry["columns"][column] = (nulls, low, high)
        return [groups[key] for key in sorted(groups)]
    if reader == "pyarrow":
        import pyarrow.parquet as pq

        metadata = pq.ParquetFile(path).metadata
        result = []
        for index in range(metadata.num_row_groups):
            group = metadata.row_group(index)
            columns = {}
            for position in range(group.num_columns):
                chunk = group.column(position)
                stats = chunk.statistics
                columns[chunk.path_in_schema] = (
                    (stats.null_count, stats.min, stats.max)
                    if stats is not None and stats.has_min_max
                    else (stats.null_count if stats is not None else None, None, None)
                )
            result.append({"rows": group.num_rows, "columns": columns})
        return result
    import fastparquet

    parquet = fastparquet.ParquetFile(str(path))
    stats = parquet.statistics  # decoded by fastparquet: {"min": {col: [per group]}, ...}
    count = len(parquet.row_groups)

    def at(kind: str, name: str, index: int) -> Any:
        # A column with no min/max in any group is listed once, as [None].
        found = stats[kind][name]
        return canonical(found[index]) if len(found) == count else None

    return [
        {
            "rows": group.num_rows,
            "columns": {
                name: tuple(at(kind, name, index) for kind in ("null_count", "min", "max"))
                for name in stats["min"]
            },
        }
        for index, group in enumerate(parquet.row_groups)
    ]


def schema(reader: str, path: Path) -> Any:
    """The file's schema as that reader reports it."""
    if reader == "duckdb":
        con = duckdb.connect()
        return con.execute(
            "SELECT name, type, type_length, repetition_type, converted_type, scale, precision, "
            "logical_type FROM parquet_schema(?)",
            [str(path)],
        ).fetchall()
    if reader == "pyarrow":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        # The Parquet schema's text without its first line (the object's address).
        return str(parquet.schema).split("\n", 1)[1], parquet.schema_arrow
    import fastparquet

    # Its pandas dtypes follow the null counts (a column with nulls reads as nullable), so
    # only the schema itself is compared.
    parquet = fastparquet.ParquetFile(str(path))
    return str(parquet.schema), parquet.columns


def total_rows(reader: str, path: Path) -> int:
    if reader == "duckdb":
        return (
            duckdb.connect()
            .execute("SELECT num_rows FROM parquet_file_metadata(?)", [str(path)])
            .fetchone()[0]
        )
    if reader == "pyarrow":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    import fastparquet

    return fastparquet.ParquetFile(str(path)).count()
