"""CSV and TSV: DuckDB's reader, every field as text, ragged or broken records set aside by
``store_rejects`` with their line and raw text."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from strata.contracts.model import CsvFormat
from strata.convert import lines
from strata.convert.inputs import FileRejected, Member
from strata.convert.lines import Layout
from strata.convert.readers.base import BUFFER_SIZE, MAX_LINE_SIZE, TextSource
from strata.convert.sql import ident, literal

csv.field_size_limit(MAX_LINE_SIZE)
UNDECODED = re.compile("[\udc80-\udcff]")  # bytes ``surrogateescape`` could not decode


def read(con: Any, fmt: CsvFormat, member: Member, scratch: Path, index: int) -> TextSource:
    del con, scratch
    first = first_record(fmt, member.path)
    if fmt.header:
        fields = _header_names(first)
    else:
        fields = [f"column_{position}" for position in range(1, len(first) + 1)]
    names = [f"_f{position}" for position in range(len(first))]
    rejects = f"strata_rejects_{index}"
    relation = read_csv_sql(fmt, member.path, names, rejects, index)
    rest = fmt.model_copy(update={"header": False, "skip_rows": 0})

    def piece(path: Path, first: bool) -> str:
        return read_csv_sql(fmt if first else rest, path, names, rejects, index)

    return TextSource(
        relation=relation,
        fields=fields,
        values=[ident(name) for name in names[: len(fields)]],
        raw=_raw_json(fields, names),
        parse_rejects=rejects,
        positional=not fmt.header,
        piece=piece if cuttable(fmt) else None,
        layout=Layout(
            lines.ending(member.path), fmt.quote.encode(), fmt.skip_rows, fmt.header, b"\r"
        ),
    )


def cuttable(fmt: CsvFormat) -> bool:
    """Whether record boundaries can be found by counting quotes: a quote escaped by doubling
    it keeps the count's parity, another escape character would not."""
    return not fmt.quote or fmt.escape in ("", fmt.quote)


def read_csv_sql(fmt: CsvFormat, path: Path, names: list[str], rejects: str, index: int) -> str:
    columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in names)
    nulls = ", ".join(literal(value) for value in fmt.null_values)
    options = {
        "header": fmt.header,
        "skip": fmt.skip_rows,
        "delim": fmt.delimiter,
        "quote": fmt.quote,
        "escape": fmt.escape,
        "auto_detect": False,
        "encoding": "utf-8",
        "compression": "none",
        "hive_partitioning": False,  # raw keys hold ingest_date=…/run_id=… folders
        "strict_mode": True,
        "null_padding": False,
        "max_line_size": MAX_LINE_SIZE,
        "buffer_size": BUFFER_SIZE,
        "store_rejects": True,
        "rejects_table": rejects,
        "rejects_scan": f"strata_reject_scans_{index}",
    }
    rendered = ", ".join(f"{key} = {literal(value)}" for key, value in options.items())
    return (
        f"read_csv({literal(str(path))}, columns = {{{columns}}}, {rendered}, nullstr = [{nulls}])"
    )


def first_record(fmt: CsvFormat, path: Path) -> list[str]:
    """The first record after ``skip_rows`` lines: the header, or the first row's fields."""
    quoting = csv.QUOTE_MINIMAL if fmt.quote else csv.QUOTE_NONE
    escape = fmt.escape if fmt.escape and fmt.escape != fmt.quote else None
    try:
        # Bytes that are not UTF-8 after the first record are DuckDB's to find: they reject
        # their own line, and the file is counted before it goes to quarantine.
        with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
            for _ in range(fmt.skip_rows):
                handle.readline()
            reader = csv.reader(
                handle,
                delimiter=fmt.delimiter,
                quotechar=fmt.quote or None,
                escapechar=escape,
                doublequote=fmt.escape == fmt.quote,
                quoting=quoting,
            )
            first = next(reader, None)
    except csv.Error as exc:
        raise FileRejected(f"unreadable first record: {exc}") from None
    if first and any(UNDECODED.search(value) for value in first):
        what = "header" if fmt.header else "first record"
        raise FileRejected(f"undecodable bytes: the {what} is not valid utf-8")
    if not first or first == [""]:
        raise FileRejected("no header" if fmt.header else "no rows")
    return first


def _header_names(header: list[str]) -> list[str]:
    """Header names; empty names at the end (a trailing delimiter) name no column."""
    names = [name.strip() for name in header]
    while names and names[-1] == "":
        names.pop()
    if not names:
        raise FileRejected("empty header")
    return [name or f"column_{position}" for position, name in enumerate(names, start=1)]


def _raw_json(fields: list[str], names: list[str]) -> str:
    pairs = ", ".join(
        f"{literal(field)}, {ident(name)}" for field, name in zip(fields, names, strict=False)
    )
    return f"CAST(json_object({pairs}) AS VARCHAR)"
