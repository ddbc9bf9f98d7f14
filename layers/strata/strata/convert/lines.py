"""Lines as an editor counts them, for the records DuckDB's rejects place by byte position.

DuckDB's own ``line`` does not count the newlines inside quoted values, nor can a piece of a
file (``pieces.py``) know the lines before it; the bytes can. Lines end with LF (or CRLF), or,
in a file whose first block holds CR but no LF, with CR (classic Mac text).

A reject's ``line_byte_position`` counts from 1 and, after a CRLF, points at the LF: either way
the bytes before it hold exactly the line ends that precede the record.
"""

from __future__ import annotations

from pathlib import Path

from strata.convert.ranges import BLOCK


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


def physical_lines(path: Path, positions: list[int]) -> list[int]:
    """The line of each record that DuckDB's rejects place at a ``line_byte_position``
    (sorted)."""
    before, _ = line_ends(path, positions, ending(path))
    return [count + 1 for count in before]
