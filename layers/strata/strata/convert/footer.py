"""Footer lines (trailers, totals) set apart from a text file's records, and the record count a
sender writes in its header or trailer lines, to check against the records read.

The footer is found from the end of the file: memory stays flat and a large file is not read
twice. The records before it are handed to the reader as a file of their own: the work
directory's copy cut short in place, or the raw file's records copied in the kernel
(``ranges.copy_range``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from strata.contracts.model import CsvFormat, FixedWidthFormat
from strata.convert import lines
from strata.convert.errors import FileRejected
from strata.convert.ranges import copy_range

FIRST_LOOK = 64 << 10  # bytes read from the end to find the footer, first
MAX_LOOK = 64 << 20  # a footer longer than this is not one a sender wrote


@dataclass(frozen=True)
class Count:
    """The number of records a header or footer line announces, and where it says so."""

    rows: int
    text: str  # the line, as written
    line: int  # its line number among the header lines; for a footer line, after the records
    records: Path | None = None  # for a footer line: the records before it, to number it

    def describe(self) -> str:
        """Where the count is, as an editor numbers lines."""
        if self.records is None:
            return f"header line {self.line} ({self.text!r})"
        end = lines.ending(self.records)
        _, ends = lines.line_ends(self.records, [], end, whole=True)
        return f"footer line {ends + self.line} ({self.text!r})"


def split(fmt: CsvFormat | FixedWidthFormat, path: Path, target: Path) -> tuple[Path, Count | None]:
    """The file holding only ``path``'s lines before its footer (``path`` itself when there is
    no footer), and the count announced in the header or footer lines, if ``row_count`` asks."""
    end = lines.ending(path)
    header = _header(path, fmt.skip_rows, end) if fmt.row_count else []
    records, footer = path, []
    if fmt.footer_rows:
        footer, start = _footer(path, fmt.footer_rows, end)
        records = _cut(path, start, target)
    if fmt.row_count is None:
        return records, None
    return records, _count(fmt.row_count, header, footer, records)


def _footer(path: Path, wanted: int, end: bytes) -> tuple[list[tuple[str, int]], int]:
    """The last ``wanted`` non-blank lines, in file order, each with its line number counted
    from the line after the records; and the offset where the first of them starts."""
    size = path.stat().st_size
    look = min(size, FIRST_LOOK)
    while True:
        with path.open("rb") as handle:
            handle.seek(size - look)
            tail = handle.read(look)
        parts = tail.split(end)
        whole = look == size  # else the first part may be the end of a longer line
        starts, at = [], size - look
        for part in parts:
            starts.append(at)
            at += len(part) + len(end)
        found = []
        for index in range(len(parts) - 1, 0 if not whole else -1, -1):
            if parts[index].strip(b" \t\r"):
                found.append(index)
                if len(found) == wanted:
                    first = found[-1]
                    texts = [
                        (_decode(parts[i].rstrip(b"\r"), "footer"), i - first + 1)
                        for i in reversed(found)
                    ]
                    return texts, starts[first]
        if whole:
            raise FileRejected(
                f"footer_rows is {wanted}, but the file has only {len(found)} non-blank line(s)"
            )
        if look >= MAX_LOOK:
            raise FileRejected(f"footer_rows: the last {wanted} line(s) pass {MAX_LOOK} bytes")
        look = min(size, look * 16)


def _cut(path: Path, start: int, target: Path) -> Path:
    """The records before ``start``: the work directory's own copy is cut short in place."""
    if path.parent == target.parent:
        os.truncate(path, start)
        return path
    with path.open("rb") as source, target.open("wb") as out:
        copy_range(source, out, 0, start)
    return target


def _header(path: Path, count: int, end: bytes) -> list[str]:
    """The first ``count`` lines (those ``skip_rows`` skips)."""
    head = b""
    with path.open("rb") as handle:
        while head.count(end) < count and len(head) < MAX_LOOK:
            block = handle.read(FIRST_LOOK)
            if not block:
                break
            head += block
    found = head.split(end)[:count]
    return [_decode(line.rstrip(b"\r"), "header") for line in found]


def _count(pattern: str, header: list[str], footer: list[tuple[str, int]], records: Path) -> Count:
    compiled = re.compile(pattern)
    places = [(text, line, records) for text, line in reversed(footer)]
    places += [(text, line, None) for line, text in enumerate(header, start=1)]
    for text, line, where in places:
        match = compiled.search(text)
        if match is None:
            continue
        digits = (match.group(1) or "").strip()
        if not digits.isdigit():
            raise FileRejected(f"row_count: {text!r} gives {digits!r}, not a number of records")
        return Count(int(digits), text, line, where)
    looked = " and ".join(
        name for name, lines_ in (("header", header), ("footer", footer)) if lines_
    )
    raise FileRejected(f"row_count: no {looked} line matches {pattern!r}")


def _decode(line: bytes, where: str) -> str:
    try:
        return line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRejected(f"undecodable bytes: a {where} line is not valid utf-8") from None
