"""CSV: DuckDB's sniffer finds the dialect (delimiter, quote, escape, preamble rows, header);
the runtime's CSV reader then reads the sample with exactly those options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strata.contracts.model import CsvFormat
from strata.convert.inputs import FileRejected, Member
from strata.convert.readers import csv as csv_reader
from strata.convert.sql import literal
from strata_dev.sources.guess import FormatGuess, Note
from strata_dev.sources.sample import Sample, SampleError

SNIFF_ROWS = 20_000  # rows the sniffer reads; the sample's prefix bounds it too
LONG_PREAMBLE = 10  # lines: a preamble longer than this is more likely ragged data
UNSET = "(empty)"  # how sniff_csv shows an option it did not find
SHOWN = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}


def infer(con: Any, sample: Sample, scratch: Path) -> FormatGuess:
    sniffed = sniff(con, sample)
    delimiter = sniffed["Delimiter"]
    quote = '"' if sniffed["Quote"] in (UNSET, "") else sniffed["Quote"]
    escape = quote if sniffed["Escape"] in (UNSET, "") else sniffed["Escape"]
    block: dict[str, Any] = {
        "type": "csv",
        "delimiter": delimiter,
        "quote": quote,
        "escape": escape,
        "header": bool(sniffed["HasHeader"]),
        "skip_rows": int(sniffed["SkipRows"]),
        "encoding": sample.encoding or "utf-8",
    }
    notes = {
        "delimiter": Note(f"sniffed: {SHOWN.get(delimiter, repr(delimiter))}"),
        "header": Note(
            "sniffed: the first row names the columns"
            if block["header"]
            else "no header found: columns are named by position, rename them",
            review=not block["header"],
        ),
        "encoding": Note(f"detected from the sample's bytes ({sample.encoding})"),
    }
    skipped = block["skip_rows"]
    if skipped > LONG_PREAMBLE:
        notes["skip_rows"] = Note(
            f"the lines keep one shape only from line {skipped + 1}: a long preamble, or lines "
            "above made ragged by a value holding an unquoted delimiter; check",
            review=True,
        )
    elif skipped:
        notes["skip_rows"] = Note(f"{skipped} line(s) above the header: a preamble")
    fmt = CsvFormat.model_validate(block)
    try:
        source = csv_reader.read(con, fmt, Member(sample.path), scratch, 0)
    except FileRejected as exc:
        raise SampleError(sample.origin, str(exc)) from None
    if len(source.fields) == 1:
        notes["delimiter"] = Note(
            "one column only: no delimiter splits every line alike (a value holding an "
            "unquoted delimiter makes lines ragged); check the delimiter",
            review=True,
        )
    # A record's line, assuming no field spans lines (true of nearly every export).
    first = block["skip_rows"] + (2 if block["header"] else 1)
    where = f"'line ' || (row_number() OVER () + {first - 1})"
    return FormatGuess(block, notes, source, where)


def sniff(con: Any, sample: Sample) -> dict[str, Any]:
    import duckdb

    try:
        cursor = con.execute(
            f"SELECT * FROM sniff_csv({literal(str(sample.path))}, sample_size = {SNIFF_ROWS})"
        )
        row = cursor.fetchone()
    except duckdb.Error as exc:
        raise SampleError(sample.origin, f"not readable as CSV: {exc}") from None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))
