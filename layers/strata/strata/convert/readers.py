"""Reading a raw file as rows of text, per format. Parse failures (ragged rows, broken quotes)
are recorded by DuckDB's ``store_rejects`` with their line and raw text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strata.contracts.model import CsvFormat, JsonFormat, SourceContract
from strata.convert.sql import literal

REJECTS_TABLE = "strata_reject_errors"
REJECTS_SCAN = "strata_reject_scans"


class UnreadableFileError(Exception):
    """The file as a whole cannot be read: it goes to quarantine with this reason."""


def read_text_rows(contract: SourceContract, path: Path) -> str:
    """A DuckDB table expression yielding the file's rows with every field as text."""
    fmt = contract.format
    if isinstance(fmt, CsvFormat):
        return _csv(fmt, path)
    if isinstance(fmt, JsonFormat):
        return _json(fmt, contract, path)
    raise UnreadableFileError(f"format {fmt.type!r} is not supported yet by the converter")


def _csv(fmt: CsvFormat, path: Path) -> str:
    encoding = {"utf-8-sig": "utf-8", "cp1252": "latin-1"}.get(fmt.encoding, fmt.encoding)
    options = {
        "delim": fmt.delimiter,
        "quote": fmt.quote,
        "escape": fmt.escape,
        "header": fmt.header,
        "skip": fmt.skip_rows,
        "encoding": encoding,
        "compression": fmt.compression if fmt.compression != "none" else "none",
        "all_varchar": True,
        "hive_partitioning": False,  # raw keys hold ingest_date=…/run_id=… folders
        "store_rejects": True,
        "rejects_table": REJECTS_TABLE,
        "rejects_scan": REJECTS_SCAN,
        "strict_mode": True,
        "null_padding": False,
    }
    rendered = ", ".join(f"{key} = {_value(value)}" for key, value in options.items())
    nulls = ", ".join(literal(value) for value in fmt.null_values)
    return f"read_csv({literal(str(path))}, {rendered}, nullstr = [{nulls}])"


def _json(fmt: JsonFormat, contract: SourceContract, path: Path) -> str:
    columns = ", ".join(f"{literal(column.source_field)}: 'VARCHAR'" for column in contract.columns)
    shape = "newline_delimited" if fmt.type == "ndjson" else "auto"
    return (
        f"read_json({literal(str(path))}, format = {literal(shape)}, "
        f"columns = {{{columns}}}, compression = {literal(fmt.compression)}, "
        "hive_partitioning = false)"
    )


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return literal(value)
