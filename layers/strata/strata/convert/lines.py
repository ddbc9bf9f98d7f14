"""Lines as an editor counts them, for the records DuckDB's rejects place by byte position.

DuckDB's own ``line`` does not count the newlines inside quoted values, nor can a piece of a
file (``pieces.py``) know the lines before it; the bytes can. Lines end with LF (or CRLF), or,
in a file whose first block holds CR but no LF, with CR (classic Mac text).

A reject's raw line (``csv_line``) starts at the byte before its ``line_byte_position`` (which
counts from 1). After blank lines it starts with them (and after a CRLF with its LF): the
record's line is the line of that first byte plus the line ends at the start of the raw line.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Layout:
    """How records lie on the lines of a text file, for ``number_records``."""

    end: bytes  # the line end (see ``ending``)
    quote: bytes = b""  # the quote that lets a record span lines; b"" when none can
    skipped: int = 0  # lines before the first record (``skip_rows``)
    header: bool = False  # the first record names the columns
    blank: bytes = b"\r"  # what a line holds that is no record at all (the reader skips it)


@dataclass
class Numbered:
    """Where rejected records are. By row (the records the parser read, numbered from 1):
    their line and their number among all the file's records; by line (the records the
    parser refused): their number among all records."""

    by_row: dict[int, tuple[int, int]]
    by_line: dict[int, int]


def number_records(
    path: Path,
    layout: Layout,
    records: int,
    rows: list[int],
    refused: list[int],
    line_ends: int | None = None,
) -> Numbered:
    """Places the rejected records of ``path``, which holds ``records`` records: ``rows`` by
    their number among the records the parser read, ``refused`` by the line of the records
    the parser refused. ``line_ends``: those in the file, when already counted.

    When the file has exactly as many lines as its records take one each (no blank line
    between them, no line break inside a value), the numbers say the lines. Otherwise the
    records are walked up to the last one asked for: a block of lines with no quote and no
    blank line at C speed, other blocks line by line."""
    base = layout.skipped + int(layout.header)
    if _content_lines(path, layout, line_ends) == base + records:
        return _arithmetic(base, rows, refused)
    walk = _Walk(layout, rows, refused)
    rest = b""
    with path.open("rb") as handle:
        while walk.wanted():
            block = rest + handle.read(BLOCK)
            if len(block) == len(rest):  # the end of the file: its last line has no end
                walk.lines(block.split(layout.end) if block else [])
                break
            cut = block.rfind(layout.end) + 1
            walk.block(block[:cut])
            rest = block[cut:]
    return Numbered(walk.by_row, walk.by_line)


def _content_lines(path: Path, layout: Layout, line_ends: int | None) -> int:
    """The lines of ``path`` up to its last line that is not blank (-1: not worked out, for
    a blank tail longer than a block)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(size - BLOCK, 0))
        tail = handle.read()
    values = len(tail.rstrip(layout.blank + layout.end))
    if not values and size > len(tail):
        return -1
    if line_ends is None:
        line_ends = line_ends_in(path, layout.end)
    # The first line end after the last value ends its line; the others end blank lines.
    trailing = tail[values:].count(layout.end)
    return line_ends - max(trailing - 1, 0) + (0 if trailing else 1)


def line_ends_in(path: Path, end: bytes) -> int:
    """The line ends in the whole of ``path``."""
    return line_ends(path, [], end, whole=True)[1]


def _arithmetic(base: int, rows: list[int], refused: list[int]) -> Numbered:
    """One record a line after ``base`` lines: record k is on line ``base`` + k."""
    skipped = sorted(line - base for line in refused)
    by_row = {}
    for row in rows:
        number, previous = row, 0
        while number != previous:  # the row-th record not refused
            previous, number = number, row + bisect_right(skipped, number)
        by_row[row] = (base + number, number)
    return Numbered(by_row, {line: line - base for line in refused})


class _Walk:
    """The state of ``number_records`` between blocks."""

    def __init__(self, layout: Layout, rows: list[int], refused: list[int]) -> None:
        self.layout, self.rows, self.refused = layout, sorted(set(rows)), sorted(set(refused))
        self.line = 0  # lines passed
        self.records = 0  # records passed (not the header)
        self.read = 0  # of which the parser read
        self.start = 0  # the line the current record starts on; 0 between records
        self.odd = False  # inside a quoted value
        self.header = layout.header  # still to pass
        self.by_row: dict[int, tuple[int, int]] = {}
        self.by_line: dict[int, int] = {}
        blank = {bytes([byte]) for byte in layout.blank + layout.end}
        self.blank_starts = tuple(blank)
        self.blank_lines = [layout.end + byte for byte in blank]
        self.not_quote = bytes(
            byte for byte in range(256) if bytes([byte]) not in (layout.quote, layout.end)
        )

    def wanted(self) -> bool:
        return len(self.by_row) < len(self.rows) or len(self.by_line) < len(self.refused)

    def block(self, block: bytes) -> None:
        """The lines of ``block`` (whole lines: it ends with a line end)."""
        end, at = self.layout.end, 0
        while (self.start or self.header or self.line < self.layout.skipped) and at < len(block):
            following = block.index(end, at) + 1  # the lines before the records, one by one
            self.lines([block[at : following - 1]])
            at = following
        block = block[at:]
        if not self._one_record_a_line(block):
            self.lines(block.split(end)[:-1])
            return
        count = block.count(end)
        first, last = self.line + 1, self.line + count
        refused = self.refused[bisect_left(self.refused, first) : bisect_right(self.refused, last)]
        for line in refused:
            self.by_line[line] = self.records + line - self.line
        read = count - len(refused)
        wanted = self.rows[
            bisect_right(self.rows, self.read) : bisect_right(self.rows, self.read + read)
        ]
        for row in wanted:
            # The line of the block's (row - read)-th record the parser read.
            line, previous = self.line + row - self.read, 0
            while line != previous:
                previous, line = line, self.line + row - self.read + bisect_right(refused, line)
            self.by_row[row] = (line, self.records + line - self.line)
        self.line, self.records, self.read = last, self.records + count, self.read + read

    def _one_record_a_line(self, block: bytes) -> bool:
        """No blank line, and every line holds an even number of quotes (deleting every other
        byte, then the pairs of quotes, leaves none): each line is one record."""
        if block.startswith(self.blank_starts) or any(b in block for b in self.blank_lines):
            return False
        quote = self.layout.quote
        if not quote or quote not in block:
            return True
        return quote not in block.translate(None, self.not_quote).replace(quote * 2, b"")

    def lines(self, lines: list[bytes]) -> None:
        layout = self.layout
        for text in lines:
            self.line += 1
            if not self.start:
                if self.line <= layout.skipped or not text.strip(layout.blank):
                    continue
                self.start = self.line
            if layout.quote:
                self.odd ^= text.count(layout.quote) % 2 == 1
            if not self.odd:
                self._record(self.start)
                self.start = 0

    def _record(self, start: int) -> None:
        if self.header:
            self.header = False
            return
        self.records += 1
        if _holds(self.refused, start):
            self.by_line[start] = self.records
            return
        self.read += 1
        if _holds(self.rows, self.read):
            self.by_row[self.read] = (start, self.records)


def _holds(values: list[int], value: int) -> bool:
    at = bisect_left(values, value)
    return at < len(values) and values[at] == value
