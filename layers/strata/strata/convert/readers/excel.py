"""Excel .xlsx: openpyxl in read-only mode streams the sheet row by row into a CSV in the work
directory (values as text, formulas as the value Excel cached), which DuckDB then reads. A
workbook read by a ``sheets`` pattern is one member per sheet (``inputs.prepare``)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from strata.contracts.model import CsvFormat, ExcelFormat
from strata.convert.inputs import FileRejected, Member
from strata.convert.readers.base import TextSource
from strata.convert.readers.csv import read_csv_sql
from strata.convert.sql import ident, literal


def read(con: Any, fmt: ExcelFormat, member: Member, scratch: Path, index: int) -> TextSource:
    del con
    target = scratch.with_suffix(".sheet.csv")
    fields = _sheet_to_csv(fmt, member, target)
    names = [f"_f{position}" for position in range(len(fields))]
    relation = read_csv_sql(
        CsvFormat(type="csv", header=False),
        target,
        ["_line", *names, "_overflow"],
        f"strata_rejects_{index}",
        index,
    )
    pairs = ", ".join(
        f"{literal(field)}, {ident(name)}" for field, name in zip(fields, names, strict=False)
    )
    return TextSource(
        relation=relation,
        fields=fields,
        values=[ident(name) for name in names],
        raw=f"CAST(json_object({pairs}) AS VARCHAR)",
        line="CAST(_line AS BIGINT)",
        record_problem=(
            "CASE WHEN _overflow IS NOT NULL THEN 'values right of the last named column' END"
        ),
        parse_rejects=f"strata_rejects_{index}",
    )


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheets, in workbook order."""
    workbook = _open(path)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _open(path: Path) -> Any:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FileRejected(f"unreadable xlsx workbook: {exc}") from None


def _sheet_to_csv(fmt: ExcelFormat, member: Member, target: Path) -> list[str]:
    workbook = _open(member.path)
    try:
        rows = _sheet_rows(workbook, member.sheet)
        header = _header(rows, fmt.header_row)
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            for number, row in rows:
                cells = [_text(value) for value in row]
                if not any(cells):
                    continue  # an empty row holds nothing to convert or lose
                overflow = "1" if any(cells[len(header) :]) else ""
                cells = (cells + [""] * len(header))[: len(header)]
                writer.writerow([number, *cells, overflow])
        return header
    finally:
        workbook.close()


def _sheet_rows(workbook: Any, sheet: str | None) -> Iterator[tuple[int, tuple[Any, ...]]]:
    if sheet is not None:
        if sheet not in workbook.sheetnames:
            raise FileRejected(f"no sheet {sheet!r} (the workbook has {workbook.sheetnames})")
        return enumerate(workbook[sheet].iter_rows(values_only=True), start=1)
    for worksheet in workbook.worksheets:
        rows = enumerate(worksheet.iter_rows(values_only=True), start=1)
        for number, row in rows:
            if any(value not in (None, "") for value in row):
                return _chain((number, row), rows)
    raise FileRejected("every sheet of the workbook is empty")


def _chain(
    first: tuple[int, tuple[Any, ...]], rest: Iterator[tuple[int, tuple[Any, ...]]]
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Rows from the first non-empty one on (earlier rows were empty, so numbering holds)."""
    yield first
    yield from rest


def _header(rows: Iterator[tuple[int, tuple[Any, ...]]], header_row: int) -> list[str]:
    for number, row in rows:
        if number < header_row:
            continue
        names = [_text(value).strip() for value in row]
        while names and not names[-1]:
            names.pop()
        if not names:
            break
        return _fill_merged(names)
    raise FileRejected(f"the sheet is empty at its header row {header_row}")


def _fill_merged(names: list[str]) -> list[str]:
    """A merged header cell names only its first column: the next ones get `_2`, `_3`, …"""
    filled, last, repeat = [], "", 1
    for position, name in enumerate(names, start=1):
        if name:
            last, repeat = name, 1
            filled.append(name)
        elif last:
            repeat += 1
            filled.append(f"{last}_{repeat}")
        else:
            filled.append(f"column_{position}")
    return filled


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
