"""Parquet: columns matched by name; values go through text so that the schema types them
exactly as for any other format (and a column of the wrong type shows up as drift)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strata.contracts.model import ParquetFormat
from strata.convert.inputs import FileRejected, Member
from strata.convert.readers.base import TextSource
from strata.convert.sql import ident, literal

NESTED = ("STRUCT", "MAP", "UNION")


def read(con: Any, fmt: ParquetFormat, member: Member, scratch: Path, index: int) -> TextSource:
    del fmt, scratch, index
    scan = f"read_parquet({literal(str(member.path))}, hive_partitioning = false)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    except Exception as exc:  # duckdb.Error: the footer or schema cannot be read
        raise FileRejected(f"unreadable Parquet file: {_first_line(exc)}") from None
    fields = [row[0] for row in described]
    types = {row[0]: row[1] for row in described}
    # The file's columns as text, under internal names that cannot clash with the schema's.
    texts = ", ".join(
        f"{_as_text(ident(name), types[name])} AS _f{i}" for i, name in enumerate(fields)
    )
    values = [f"_f{i}" for i in range(len(fields))]
    pairs = ", ".join(
        f"{literal(name)}, {value}" for name, value in zip(fields, values, strict=True)
    )
    return TextSource(
        relation=f"(SELECT {texts} FROM {scan})",
        fields=fields,
        values=values,
        raw=f"CAST(json_object({pairs}) AS VARCHAR)",
        types=types,
    )


def _as_text(column: str, kind: str) -> str:
    if kind.endswith("]") or kind.startswith(NESTED):
        return f"CAST(to_json({column}) AS VARCHAR)"  # lists and structs stay JSON text
    if kind == "BLOB":
        return f"hex({column})"
    return f"CAST({column} AS VARCHAR)"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
