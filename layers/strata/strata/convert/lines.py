"""Lines as an editor counts them, for the records DuckDB's rejects place by byte position.

DuckDB's own ``line`` does not count the newlines inside quoted values, nor can a piece of a
file (``pieces.py``) know the lines before it; the bytes can. Lines end with LF (or CRLF), or,
in a file whose first block holds CR but no LF, with CR (classic Mac text).

A reject's raw line (``csv_line``) starts at the byte before its ``line_byte_position`` (which
counts from 1). After blank lines it starts with them (and after a CRLF with its LF): the
record's line is the line of that first byte plus the line ends at the start of the raw line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strata.convert.ranges import BLOCK
from strata.convert.sql import ident


def ending(path: Path) -> bytes:
    """The bytes that end a line in ``path``."""
    with path.open("rb") as handle:
        first = handle.read(BLOCK)
    return b"\r" if b"\n" not in first and b"\r" in first else b"\n"


def line_ends(
    path: Path, positions: list[int], end: bytes, whole: bool = False
) -> tuple[list[int], int]:
    """The line ends before each of ``positions`` (sorted), and the line ends counted in all:
    up to the last position, or in the whole file (``whole``)."""
    found, ends, done = [], 0, 0
    with path.open("rb") as handle:
        for position in [*positions, *([-1] if whole else [])]:
            while done < position or position < 0:
                block = handle.read(BLOCK if position < 0 else min(BLOCK, position - done))
                if not block:
                    break
                ends, done = ends + block.count(end), done + len(block)
            found.append(ends)
    return found[: len(positions)], ends


def place(con: Any, rejects: str, table: str, path: Path, end: bytes, whole: bool = False) -> int:
    """Creates the temp ``table`` (position, line): the line in ``path`` of the first byte of
    each reject in DuckDB's ``rejects`` table (its ``line_byte_position`` counts from 1).
    Returns the line ends counted (see ``line_ends``)."""
    where = con.execute(
        f"SELECT DISTINCT line_byte_position FROM {ident(rejects)} ORDER BY 1"
    ).fetchall()
    positions = [position for (position,) in where]
    before, ends = line_ends(path, [max(position - 1, 0) for position in positions], end, whole)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT unnest($1) AS position, "
        "unnest($2) + 1 AS line",
        [positions, before],
    )
    return ends


def leading_ends_sql(raw: str, end: bytes) -> str:
    """SQL: the line ends among the CR and LF bytes that the raw line ``raw`` starts with
    (the blank lines before its record)."""
    blank = f"left({raw}, length({raw}) - length(ltrim({raw}, chr(13) || chr(10))))"
    return f"(length({blank}) - length(replace({blank}, chr({ord(end)}), '')))"
