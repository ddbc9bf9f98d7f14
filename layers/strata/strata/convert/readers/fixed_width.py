"""Fixed-width text: each line one record, each field at fixed character positions. DuckDB
reads the lines (as NDJSON's are read, a large file in pieces side by side); each field is the
substring at its positions, trimmed as the contract says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strata.contracts.model import FixedWidthFormat
from strata.convert import lines
from strata.convert.inputs import Member
from strata.convert.lines import Layout
from strata.convert.readers.base import TextSource, text_lines
from strata.convert.sql import ident, literal

TRIM = {"both": "trim({})", "left": "ltrim({})", "right": "rtrim({})", "none": "{}"}


def read(con: Any, fmt: FixedWidthFormat, member: Member, scratch: Path, index: int) -> TextSource:
    del con, scratch
    names = [field.name for field in fmt.fields]

    def relation(path: Path, first: bool) -> str:
        return _fields(fmt, text_lines(path, index, fmt.skip_rows if first else 0))

    return TextSource(
        relation=relation(member.path, True),
        fields=names,
        values=[ident(f"_f{position}") for position in range(len(names))],
        raw="_text",
        record_problem=_length_problem(fmt),
        parse_rejects=f"strata_rejects_{index}",
        piece=relation,
        layout=Layout(lines.ending(member.path), skipped=fmt.skip_rows, blank=b" \r"),
    )


def _fields(fmt: FixedWidthFormat, texts: str) -> str:
    """Each field's value as text: its characters, trimmed; NULL when one of ``null_values``."""
    nulls = ", ".join(literal(value) for value in fmt.null_values) or "NULL"
    columns = []
    for position, (start, end) in enumerate(fmt.spans()):
        value = TRIM[fmt.trim].format(f"substring(_text, {start}, {end - start + 1})")
        columns.append(
            f"CASE WHEN {value} IN ({nulls}) THEN NULL ELSE {value} END AS {ident(f'_f{position}')}"
        )
    return f"(SELECT _text, {', '.join(columns)} FROM {texts})"


def _length_problem(fmt: FixedWidthFormat) -> str | None:
    """SQL: why a line is too short or too long for the layout, or NULL."""
    needed = fmt.spans()[-1][1]
    if fmt.line_length == "any":
        return None
    wrong = "length(_text) < " if fmt.line_length == "at_least" else "length(_text) <> "
    expected = "at least " if fmt.line_length == "at_least" else ""
    return (
        f"CASE WHEN {wrong}{needed} THEN 'line is ' || length(_text) || "
        f"{literal(f' characters long, the layout needs {expected}{needed}')} END"
    )
