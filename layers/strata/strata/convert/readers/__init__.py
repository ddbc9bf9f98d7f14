"""Readers: each turns one file of its format into rows of text, as a DuckDB table expression.

Every reader returns a :class:`TextSource`: the file's fields (as the file names them) and, for
each, a SQL expression giving its value as text, plus the record's raw text for quarantine.
Typing, checks and output are the same for every format (``typed.py``, ``output.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from strata.contracts.model import SourceContract
from strata.convert.inputs import Member
from strata.convert.readers.base import TextSource


def read(
    con: Any, contract: SourceContract, member: Member, scratch: Path, index: int
) -> TextSource:
    """The text rows of ``member``; raises FileRejected when the file cannot be read at all."""
    return _READERS[contract.format.type]()(con, contract.format, member, scratch, index)


def _csv() -> Callable[..., TextSource]:
    from strata.convert.readers import csv

    return csv.read


def _json() -> Callable[..., TextSource]:
    from strata.convert.readers import json

    return json.read


def _excel() -> Callable[..., TextSource]:
    from strata.convert.readers import excel

    return excel.read


def _parquet() -> Callable[..., TextSource]:
    from strata.convert.readers import parquet

    return parquet.read


def _fixed_width() -> Callable[..., TextSource]:
    from strata.convert.readers import fixed_width

    return fixed_width.read


def _xml() -> Callable[..., TextSource]:
    from strata.convert.readers import xml

    return xml.read


_READERS = {
    "csv": _csv,
    "json": _json,
    "ndjson": _json,
    "xlsx": _excel,
    "parquet": _parquet,
    "fixed_width": _fixed_width,
    "xml": _xml,
}

__all__ = ["TextSource", "read"]
