"""The hostile corpus (tests/data/hostile): every file is converted with exact row accounting or
quarantined whole with the right reason, and converting it again gives identical output."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest
from convert_helpers import accounting, contract, convert_bytes, rejects, rows

CORPUS = Path(__file__).resolve().parents[1] / "data" / "hostile"

_spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
assert _spec is not None and _spec.loader is not None
make_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_corpus)

DATES = [{"name": "id", "type": "int", "nullable": False}, {"name": "day", "type": "date"}]
NUMBERS = [
    {"name": "id", "type": "bigint", "nullable": False},
    {"name": "small", "type": "int"},
]
EXCEL = [
    {"name": "id", "type": "int", "nullable": False},
    {"name": "customer", "type": "string", "source_name": "Customer"},
    {"name": "city", "type": "string", "source_name": "Customer_2"},
    {"name": "amount", "type": "decimal(8,2)"},
    {"name": "twice", "type": "double"},
]
NESTED = [
    {"name": "id", "type": "int"},
    {"name": "name", "type": "string"},
    {"name": "deep", "type": "json", "source_name": "meta.deep"},
    {"name": "tags", "type": "json", "source_name": "meta.tags"},
]

# file → (contract changes, (rows in, out, quarantined), file-level reason or None). A file
# quarantined whole counts the rows read from it; those whose rows cannot be read at all say so
# (ROWS_UNKNOWN).
CASES = {
    "embedded_newlines_quotes.csv": ({}, (3, 3, 0), None),
    "ragged_rows.csv": ({}, (4, 2, 2), None),
    "bom_utf8.csv": ({}, (1, 1, 0), None),
    "cp1252.csv": ({"format": {"encoding": "auto"}}, (1, 1, 0), None),
    "utf16.csv": ({"format": {"encoding": "utf-16"}}, (1, 1, 0), None),
    "mixed_encodings.csv": ({}, (2, 0, 2), "undecodable bytes: line 3 is not valid utf-8"),
    "invalid_dates.csv": ({"schema": DATES}, (5, 1, 4), None),
    "integer_overflow.csv": ({"schema": NUMBERS}, (4, 2, 2), None),
    "empty.csv": ({}, (0, 0, 0), "empty file"),
    "header_only.csv": ({}, (0, 0, 0), None),
    "duplicate_headers.csv": ({}, (1, 0, 1), "duplicate columns 'name', 'name'"),
    "trailing_delimiters.csv": ({}, (2, 2, 0), None),
    "truncated.csv.gz": ({}, (0, 0, 0), "corrupt gzip: the file is truncated"),
    "several_entries.zip": ({}, (4, 3, 1), None),
    "wrong_format.csv": ({}, (0, 0, 0), "wrong format: an xlsx workbook"),
    "trailing_garbage.json": (
        {"format": {"type": "json"}},
        (0, 0, 0),
        "malformed JSON at line 1, column 26",
    ),
    "trailing_garbage.ndjson": ({"format": {"type": "ndjson"}}, (3, 2, 1), None),
    "deeply_nested.json": (
        {
            "format": {"type": "json", "records_path": "data.items", "flatten_depth": 1},
            "schema": NESTED,
        },
        (1, 1, 0),
        None,
    ),
    "merged_header_formulas.xlsx": ({"format": {"type": "xlsx"}, "schema": EXCEL}, (3, 3, 0), None),
    "empty_sheets.xlsx": ({"format": {"type": "xlsx"}}, (1, 1, 0), None),
}

ROWS_UNKNOWN = {"truncated.csv.gz", "wrong_format.csv", "trailing_garbage.json"}


def convert_case(tmp_path: Path, name: str, data: bytes | None = None):
    changes, _, _ = CASES.get(name, ({}, None, None))
    return convert_bytes(
        tmp_path, data or (CORPUS / name).read_bytes(), contract(**changes), name=name
    )


def test_every_corpus_file_has_an_expected_fate():
    committed = {path.name for path in CORPUS.iterdir() if path.suffix != ".py"}
    assert committed == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_file_is_converted_or_quarantined_with_exact_accounting(tmp_path, name):
    _, counts, reason = CASES[name]
    result = convert_case(tmp_path, name)
    assert accounting(result) == counts
    assert result.rows_unknown == (name in ROWS_UNKNOWN)
    if reason is None:
        assert result.file_rejected_reason is None
        assert len(rows(result)) == counts[1]
        assert len(rejects(result)) == counts[2]
    else:
        assert result.file_rejected_reason is not None and reason in result.file_rejected_reason
        assert result.files == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_converting_a_corpus_file_twice_gives_identical_output(tmp_path, name):
    first = convert_case(tmp_path / "one", name)
    second = convert_case(tmp_path / "two", name)
    assert _digest(first) == _digest(second)


def _digest(result) -> tuple:
    files = [(path.parent.name, path.name, _sha(path)) for path in result.files]
    rejected = _sha(result.rejects_file) if result.rejects_file else None
    return files, rejected, result.file_rejected_reason, accounting(result)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_corpus_script_writes_the_committed_text_files(tmp_path):
    generated = {**make_corpus.csv_files(), **make_corpus.json_files()}
    for name, data in generated.items():
        if name.endswith((".csv", ".json", ".ndjson")) and name != "wrong_format.csv":
            assert (CORPUS / name).read_bytes() == data, name


# --- what each file's rows became ------------------------------------------------------------


def test_embedded_newlines_and_quotes_survive(tmp_path):
    result = convert_case(tmp_path, "embedded_newlines_quotes.csv")
    assert [name for (name,) in rows(result, "name")] == [
        "line one\nline two",
        'say "hi", then "bye"',
        "comma, inside",
    ]


def test_ragged_rows_are_rejected_with_their_line_and_raw_text(tmp_path):
    result = convert_case(tmp_path, "ragged_rows.csv")
    found = [(r["line"], r["column"], r["reason"].split(":")[0], r["raw"]) for r in rejects(result)]
    assert found == [
        (3, "amount", "MISSING COLUMNS", "2,b"),
        (4, None, "TOO MANY COLUMNS", "3,c,3,surplus"),
    ]


def test_invalid_dates_and_integer_overflow_are_rejected_per_value(tmp_path):
    dates = convert_case(tmp_path / "d", "invalid_dates.csv")
    assert [r["reason"] for r in rejects(dates)] == [
        "day: cannot read 2026-02-30 as date",
        "day: cannot read 2026-13-01 as date",
        "day: cannot read yesterday as date",
        "day: cannot read 24/11/2026 as date",
    ]
    overflow = convert_case(tmp_path / "o", "integer_overflow.csv")
    assert [r["reason"] for r in rejects(overflow)] == [
        "small: cannot read 2147483648 as int",
        "id: cannot read 99999999999999999999 as bigint",
    ]
    assert rows(overflow, "id") == [(1,), (-9223372036854775808,)]


def test_a_ten_megabyte_field_is_converted_whole(tmp_path):
    result = convert_case(tmp_path, "big_field.csv", make_corpus.big_field())
    assert accounting(result) == (2, 2, 0)
    assert rows(result, "length(name)") == [(10 * 1024 * 1024,), (1,)]


def test_zip_entries_are_accounted_one_by_one(tmp_path):
    result = convert_case(tmp_path, "several_entries.zip")
    assert [(m.entry, m.rows_in, m.rows_out, m.rows_quarantined) for m in result.members] == [
        ("2026-11-01.csv", 2, 2, 0),
        ("2026-11-02.csv", 2, 1, 1),
    ]


def test_deep_json_below_the_flatten_depth_stays_json_text(tmp_path):
    result = convert_case(tmp_path, "deeply_nested.json")
    [(deep, tags)] = rows(result, "deep, tags")
    assert deep.startswith('{"level":{"level":') and deep.count("level") == 200
    assert tags == "[1]"


def test_excel_merged_header_cells_and_formula_values(tmp_path):
    result = convert_case(tmp_path, "merged_header_formulas.xlsx")
    assert rows(result, "id, customer, city, amount, twice") == [
        (1, "a", "Lyon", 1.5, 3.0),
        (2, "b", "Nice", 2.5, 5.0),
        (3, "c", "Metz", 3.0, None),  # a formula Excel never calculated has no value
    ]


def test_excel_empty_sheets_are_skipped_unless_named(tmp_path):
    assert convert_case(tmp_path / "a", "empty_sheets.xlsx").rows_out == 1
    named = contract(format={"type": "xlsx", "sheet": "notes"})
    data = (CORPUS / "empty_sheets.xlsx").read_bytes()
    result = convert_bytes(tmp_path / "b", data, named, name="f.xlsx")
    assert result.file_rejected_reason == "the sheet is empty at its header row 1"
