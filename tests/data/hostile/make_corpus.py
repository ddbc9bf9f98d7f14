"""Writes the hostile corpus next to this script: small files that break naive converters.

    python tests/data/hostile/make_corpus.py

Each file's expected fate (converted with exact counts, or quarantined with the reason) is in
``tests/convert/test_hostile_corpus.py``. The 10 MB field is not committed: ``big_field`` builds
it on the fly.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = "id,name,amount\n"
FIXED_TIME = (2026, 11, 24, 6, 0, 0)


def csv_files() -> dict[str, bytes]:
    return {
        "embedded_newlines_quotes.csv": (
            HEADER + '1,"line one\nline two",1\n2,"say ""hi"", then ""bye""",2\n'
            '3,"comma, inside",3\n'
        ).encode(),
        "ragged_rows.csv": (HEADER + "1,a,1\n2,b\n3,c,3,surplus\n4,d,4\n").encode(),
        "bom_utf8.csv": b"\xef\xbb\xbf" + (HEADER + "1,Zo\u00eb,1\n").encode(),
        "cp1252.csv": (HEADER + "1,caf\u00e9 \u20ac,1\n").encode("cp1252"),
        "utf16.csv": (HEADER + "1,\u00e9t\u00e9,1\n").encode("utf-16"),
        "mixed_encodings.csv": (HEADER + "1,Zo\u00eb,1\n").encode()
        + "2,Zo\u00eb,2\n".encode("latin-1"),
        "invalid_dates.csv": (
            b"id,day\n1,2026-11-24\n2,2026-02-30\n3,2026-13-01\n4,yesterday\n5,24/11/2026\n"
        ),
        "integer_overflow.csv": (
            b"id,small\n1,2147483647\n2,2147483648\n99999999999999999999,1\n"
            b"-9223372036854775808,1\n"
        ),
        "empty.csv": b"",
        "header_only.csv": HEADER.encode(),
        "duplicate_headers.csv": b"id,name,amount,name\n1,a,1,b\n",
        "trailing_delimiters.csv": b"id,name,amount,\n1,a,1,\n2,b,2,\n",
        "truncated.csv.gz": _truncated_gzip((HEADER + "1,a,1\n" * 2000).encode()),
        "several_entries.zip": _zip(
            {
                "2026-11-01.csv": (HEADER + "1,a,1\n2,b,2\n").encode(),
                "2026-11-02.csv": (HEADER + "3,c,3\n4,d,oops\n").encode(),
                "__MACOSX/._2026-11-01.csv": b"\x00\x05\x16\x07",
                "readme/": b"",
            }
        ),
        "wrong_format.csv": _workbook_bytes(lambda book: book.active.append(["id"])),
    }


def json_files() -> dict[str, bytes]:
    deep: object = "bottom"
    for _ in range(200):
        deep = {"level": deep}
    return {
        "trailing_garbage.json": b'[{"id": 1, "name": "a"}] and then some',
        "trailing_garbage.ndjson": b'{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n}{garbage\n',
        "deeply_nested.json": json.dumps(
            {"data": {"items": [{"id": 1, "name": "a", "meta": {"deep": deep, "tags": [1]}}]}}
        ).encode(),
    }


def excel_files() -> dict[str, bytes]:
    def merged(book):
        sheet = book.active
        sheet.title = "orders"
        sheet.append(["id", "Customer", None, "amount", "twice"])  # Customer spans B1:C1
        sheet.append([1, "a", "Lyon", 1.5, "=D2*2"])
        sheet.append([2, "b", "Nice", 2.5, "=D3*2"])
        sheet.append([3, "c", "Metz", 3, "=D4*2"])  # no cached value: never calculated
        sheet.merge_cells("B1:C1")

    def empty_first(book):
        book.active.title = "cover"
        data = book.create_sheet("data")
        data.append(["id", "name", "amount"])
        data.append([1, "a", 1])
        book.create_sheet("notes")

    formulas = {"E2": "3", "E3": "5"}  # the values Excel would have cached
    return {
        "merged_header_formulas.xlsx": _workbook_bytes(merged, formulas),
        "empty_sheets.xlsx": _workbook_bytes(empty_first),
    }


def big_field(size: int = 10 * 1024 * 1024) -> bytes:
    return (HEADER + f'1,"{"x" * size}",1\n2,b,2\n').encode()


def _truncated_gzip(data: bytes) -> bytes:
    compressed = gzip.compress(data, mtime=0)
    return compressed[: len(compressed) // 2]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, FIXED_TIME), data)
    return buffer.getvalue()


def _workbook_bytes(build, cached: dict[str, str] | None = None) -> bytes:
    """An xlsx from openpyxl; ``cached`` adds the values Excel caches for formula cells."""
    import openpyxl

    book = openpyxl.Workbook()
    build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    entries = {}
    with zipfile.ZipFile(buffer) as archive:
        for name in archive.namelist():
            entries[name] = archive.read(name)
    for cell, value in (cached or {}).items():
        sheet = "xl/worksheets/sheet1.xml"
        entries[sheet] = re.sub(
            rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v\s*/>'.encode(),
            rf"\1<v>{value}</v>".encode(),
            entries[sheet],
        )
    return _zip(entries)


def main() -> None:
    for name, data in {**csv_files(), **json_files(), **excel_files()}.items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
