"""What a reader hands to the rest of the conversion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from strata.convert.lines import Layout
from strata.convert.sql import literal

# DuckDB refuses longer CSV lines (or NDJSON records): a 10 MB field still fits. Its read
# buffer must hold a whole line; left alone it would be sized for 8 lines (too much memory).
MAX_LINE_SIZE = 16 * 1024 * 1024
BUFFER_SIZE = 2 * MAX_LINE_SIZE
# Between a record's line number and its JSON text in a records file written by a reader
# (XML, JSON documents): JSON escapes this character, so it never occurs in the record.
RECORD_SEPARATOR = "\x01"


@dataclass
class TextSource:
    """One file's records as text.

    ``relation`` is a SQL table expression; the other SQL expressions are evaluated over it.
    Its columns start with an underscore, so they never clash with the schema's names.
    """

    relation: str
    fields: list[str]  # the file's column names, in file order (duplicates kept)
    values: list[str]  # per field, a SQL expression giving its value as text (NULL when empty)
    raw: str  # SQL: the record's original text, kept for quarantine
    line: str = "NULL"  # SQL: where the record is in the file (a line or sheet row), if known
    record_problem: str | None = None  # SQL: why the whole record is unusable, or NULL
    types: dict[str, str] = field(default_factory=dict)  # field → type, for typed formats
    parse_rejects: str | None = None  # DuckDB rejects table with records the parser refused
    positional: bool = False  # no header: the schema's columns are the fields in order
    sparse: bool = False  # records omit empty fields (JSON): an absent nullable column is no drift
    # For line-based text (CSV, NDJSON): ``relation`` over a piece of the file cut at a record
    # boundary, given the piece and whether it starts the file (header, rows to skip). Pieces
    # of a large file are converted side by side (``convert/pieces.py``).
    piece: Callable[[Path, bool], str] | None = None
    # For line-based text: how its records lie on its lines, to tell a reject's line and
    # number in the file (``lines.number_records``).
    layout: Layout | None = None

    def value(self, name: str) -> str:
        return self.values[self.fields.index(name)]


def text_lines(path: Path, index: int, skip: int = 0) -> str:
    """SQL: the file's lines after ``skip`` lines, one ``_text`` each (blank lines left out);
    a line DuckDB cannot split (a stray control byte) is a parse reject."""
    options = (
        f"columns = {{'_text': 'VARCHAR'}}, header = false, delim = {literal(chr(1))}, "
        f"skip = {skip}, quote = '', escape = '', auto_detect = false, strict_mode = true, "
        f"null_padding = false, max_line_size = {MAX_LINE_SIZE}, buffer_size = {BUFFER_SIZE}, "
        "encoding = 'utf-8', "
        "compression = 'none', hive_partitioning = false, store_rejects = true, "
        f"rejects_table = 'strata_rejects_{index}', rejects_scan = 'strata_reject_scans_{index}'"
    )
    return (
        f"(SELECT _text FROM read_csv({literal(str(path))}, {options}) "
        "WHERE _text IS NOT NULL AND trim(_text) <> '')"
    )


def records_file(path: Path) -> str:
    """SQL: a records file (``_line``, ``RECORD_SEPARATOR``, the record's JSON text per line)
    as ``_line`` and ``_text``. Its lines were written whole, so DuckDB reads each one or fails
    the file: none is lost."""
    options = (
        f"columns = {{'_line': 'BIGINT', '_text': 'VARCHAR'}}, header = false, "
        f"delim = {literal(RECORD_SEPARATOR)}, quote = '', escape = '', auto_detect = false, "
        f"strict_mode = true, max_line_size = {MAX_LINE_SIZE + 32}, "
        f"buffer_size = {BUFFER_SIZE + 64}, encoding = 'utf-8', compression = 'none', "
        "hive_partitioning = false"
    )
    return f"(SELECT _line, _text FROM read_csv({literal(str(path))}, {options}))"
