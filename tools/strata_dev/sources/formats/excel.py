"""Excel workbooks: which sheet holds the data and which row names the columns (a title and
blank rows often sit above it); the runtime's Excel reader then reads the sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strata.contracts.model import ExcelFormat
from strata.convert.inputs import FileRejected, Member
from strata.convert.readers import excel as excel_reader
from strata_dev.sources.guess import FormatGuess, Note
from strata_dev.sources.sample import Sample, SampleError

HEADER_SEARCH_ROWS = 30  # rows looked at for the header


def infer(con: Any, sample: Sample, scratch: Path, sheet: str | None = None) -> FormatGuess:
    sheets = _sheets(sample)
    if sheet is not None and sheet not in sheets:
        raise SampleError(sample.origin, f"no sheet {sheet!r}; the sheets: {', '.join(sheets)}")
    filled = [name for name, rows in sheets.items() if any(any(row) for row in rows)]
    if not filled:
        raise SampleError(sample.origin, "no sheet holds any value")
    chosen = sheet or filled[0]
    header_row = header_row_of(sheets[chosen])
    block: dict[str, Any] = {"type": "xlsx", "sheet": chosen, "header_row": header_row}
    others = [name for name in sheets if name != chosen]
    notes = {
        "sheet": Note(
            f"the first sheet holding data; the others: {', '.join(others)}"
            if others and sheet is None
            else "the workbook's only sheet"
            if not others
            else "as asked (--sheet)",
            review=bool(len(filled) > 1 and sheet is None),
        ),
        "header_row": Note(
            "the first row naming every column"
            + (f" ({header_row - 1} row(s) above it skipped)" if header_row > 1 else "")
        ),
    }
    fmt = ExcelFormat.model_validate(block)
    try:
        source = excel_reader.read(con, fmt, Member(sample.path), scratch / "sheet", 0)
    except FileRejected as exc:
        raise SampleError(sample.origin, str(exc)) from None
    return FormatGuess(block, notes, source, "'row ' || CAST(_line AS BIGINT)")


def _sheets(sample: Sample) -> dict[str, list[tuple[Any, ...]]]:
    """Each sheet's first rows."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(sample.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise SampleError(sample.origin, f"unreadable xlsx workbook: {exc}") from None
    try:
        return {
            sheet.title: list(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def header_row_of(rows: list[tuple[Any, ...]]) -> int:
    """The 1-based row whose cells are all text and as many as the widest row's values."""
    widest = max((sum(cell is not None for cell in row) for row in rows), default=0)
    for number, row in enumerate(rows, start=1):
        cells = [cell for cell in row if cell is not None and str(cell).strip()]
        if cells and len(cells) >= max(1, widest - 1) and all(isinstance(c, str) for c in cells):
            return number
    return 1
