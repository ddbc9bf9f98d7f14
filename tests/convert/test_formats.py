"""Formats, encodings and containers: each read into the same typed rows, or quarantined whole
with the reason."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import duckdb
import pytest
from convert_helpers import RAW_KEY, accounting, contract, convert_bytes, rejects, rows

TEXT = "id,name,amount\n1,Zoë,1.50\n2,Crème brûlée €,2.00\n"
EXPECTED = [(1, "Zoë"), (2, "Crème brûlée €")]


def names(result) -> list[tuple]:
    return rows(result, "id, name")


# --- CSV and TSV options ---------------------------------------------------------------------


def test_tsv_with_skipped_preamble_lines_and_no_quoting(tmp_path):
    data = b'exported by shop\n\nid\tname\tamount\n1\t"quoted\t1.5\n'
    source = contract(format={"delimiter": "\t", "skip_rows": 2, "quote": "", "escape": ""})
    result = convert_bytes(tmp_path, data, source)
    assert accounting(result) == (1, 1, 0)
    assert names(result) == [(1, '"quoted')]


def test_semicolon_csv_with_crlf_and_doubled_quotes(tmp_path):
    data = b'id;name;amount\r\n1;"say ""hi""; then go";1,5\r\n2;"two\r\nlines";2\r\n'
    source = contract(format={"delimiter": ";"})
    result = convert_bytes(tmp_path, data, source)
    assert accounting(result) == (2, 1, 1)  # 1,5 is not a decimal
    assert names(result) == [(2, "two\r\nlines")]
    assert "cannot read 1,5 as decimal(8,2)" in rejects(result)[0]["reason"]


def test_csv_without_header_maps_the_schema_by_position(tmp_path):
    source = contract(format={"header": False})
    result = convert_bytes(tmp_path, b"1,a,1\n2,b,2\n", source)
    assert names(result) == [(1, "a"), (2, "b")]


def test_null_tokens_are_read_as_null(tmp_path):
    source = contract(format={"null_values": ["", "NULL", "n/a"]})
    result = convert_bytes(tmp_path, b"id,name,amount\n1,NULL,n/a\n", source)
    assert rows(result, "id, name, amount") == [(1, None, None)]


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "encoded"),
    [
        ("utf-8", TEXT.encode("utf-8")),
        ("utf-8", b"\xef\xbb\xbf" + TEXT.encode("utf-8")),
        ("utf-8-sig", b"\xef\xbb\xbf" + TEXT.encode("utf-8")),
        ("cp1252", TEXT.encode("cp1252")),
        ("utf-16", TEXT.encode("utf-16")),  # with a BOM
        ("utf-16", TEXT.encode("utf-16-be")),  # no BOM, big-endian
        ("utf-16", TEXT.encode("utf-16-le")),  # no BOM, little-endian
        ("auto", TEXT.encode("utf-8")),
        ("auto", b"\xef\xbb\xbf" + TEXT.encode("utf-8")),
        ("auto", TEXT.encode("cp1252")),
        ("auto", TEXT.encode("utf-16")),
        ("auto", TEXT.encode("utf-16-be")),
    ],
)
def test_declared_and_detected_encodings_read_the_same_text(tmp_path, declared, encoded):
    result = convert_bytes(tmp_path, encoded, contract(format={"encoding": declared}))
    assert result.file_rejected_reason is None
    assert names(result) == EXPECTED


def test_latin1_reads_bytes_that_are_control_characters_in_cp1252_terms(tmp_path):
    data = "id,name,amount\n1,Zoë ±,1\n".encode("latin-1")
    result = convert_bytes(tmp_path, data, contract(format={"encoding": "latin-1"}))
    assert names(result) == [(1, "Zoë ±")]
    assert result.members[0].encoding == "latin-1"


def test_auto_detection_records_the_encoding_it_chose(tmp_path):
    result = convert_bytes(tmp_path, TEXT.encode("cp1252"), contract(format={"encoding": "auto"}))
    assert result.members[0].encoding == "cp1252"


@pytest.mark.parametrize(
    ("declared", "data", "reason"),
    [
        ("utf-8", TEXT.encode("cp1252"), "undecodable bytes: line 2 is not valid utf-8"),
        ("cp1252", b"id,name,amount\n1,\x81,1\n", "undecodable bytes: byte 17 is not valid cp1252"),
        ("utf-16", TEXT.encode("utf-16")[:-1], "undecodable bytes"),
        (
            "auto",
            "id,name,amount\n1,Zoë,1\n".encode() + "2,Zoë,1\n".encode("latin-1"),
            "mixed encodings",
        ),
    ],
)
def test_undecodable_bytes_quarantine_the_file(tmp_path, declared, data, reason):
    result = convert_bytes(tmp_path, data, contract(format={"encoding": declared}))
    assert result.file_rejected_reason is not None and reason in result.file_rejected_reason
    assert (result.rows_out, result.files) == (0, [])


# --- containers ------------------------------------------------------------------------------


def test_gzip_is_recognised_by_its_bytes_whatever_the_name(tmp_path):
    result = convert_bytes(tmp_path, gzip.compress(TEXT.encode()), name="f.csv")
    assert names(result) == EXPECTED


def test_truncated_gzip_quarantines_the_file_with_the_reason(tmp_path):
    data = gzip.compress((TEXT * 200).encode())
    result = convert_bytes(tmp_path, data[: len(data) // 2], name="f.csv.gz")
    assert result.file_rejected_reason == "corrupt gzip: the file is truncated"
    assert accounting(result) == (0, 0, 0)


def test_declared_gzip_that_is_not_gzip_is_quarantined(tmp_path):
    result = convert_bytes(tmp_path, TEXT.encode(), contract(format={"compression": "gzip"}))
    assert result.file_rejected_reason == "not a gzip file, although the contract says gzip"


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_each_zip_entry_is_converted_and_accounted_separately(tmp_path):
    data = zipped(
        {
            "b.csv": b"id,name,amount\n3,c,3\n4,d,x\n",
            "a.csv": b"id,name,amount\n1,a,1\n2,b,2\n",
            "__MACOSX/._a.csv": b"junk",
            "docs/": b"",
        }
    )
    result = convert_bytes(tmp_path, data, name="f.zip")
    assert accounting(result) == (4, 3, 1)
    assert [(m.entry, m.rows_in, m.rows_out, m.rows_quarantined) for m in result.members] == [
        ("a.csv", 2, 2, 0),
        ("b.csv", 2, 1, 1),
    ]
    assert rows(result, "_source_file, _row_number, id") == [
        (f"{RAW_KEY}!a.csv", 1, 1),
        (f"{RAW_KEY}!a.csv", 2, 2),
        (f"{RAW_KEY}!b.csv", 1, 3),
    ]
    assert len(result.files) == 1  # one output file per raw object per partition
    [reject] = rejects(result)
    assert (reject["source_file"], reject["row"]) == (f"{RAW_KEY}!b.csv", 2)


def test_an_unreadable_zip_entry_quarantines_the_whole_archive(tmp_path):
    data = zipped({"a.csv": TEXT.encode(), "b.csv": b"id,other\n1,2\n"})
    result = convert_bytes(tmp_path, data, name="f.zip")
    assert result.file_rejected_reason is not None
    assert result.file_rejected_reason.startswith("b.csv: the file's columns do not match")
    # Every entry was read: their rows count, all quarantined.
    assert (accounting(result), result.rows_unknown) == ((3, 0, 3), False)


def test_an_entry_that_cannot_be_read_leaves_the_archives_rows_unknown(tmp_path):
    data = zipped({"a.csv": TEXT.encode(), "b.csv": b"\n", "c.csv": TEXT.encode()})
    result = convert_bytes(tmp_path, data, name="f.zip")
    assert result.file_rejected_reason == "b.csv: no header"
    # The rows of a.csv were read and count; b.csv's and c.csv's are unknown.
    assert (accounting(result), result.rows_unknown) == ((2, 0, 2), True)


def test_an_empty_zip_is_quarantined(tmp_path):
    result = convert_bytes(tmp_path, zipped({"folder/": b""}), name="f.zip")
    assert result.file_rejected_reason == "zip archive holds no files"


# --- JSON ------------------------------------------------------------------------------------


def json_contract(**fmt: object):
    return contract(format={"type": "json", **fmt})


def test_json_array_of_records(tmp_path):
    data = json.dumps([{"id": 1, "name": "a", "amount": 1.5}, {"id": "2", "name": None}])
    result = convert_bytes(tmp_path, data.encode(), json_contract(), name="f.json")
    assert rows(result, "id, name, amount") == [(1, "a", 1.5), (2, None, None)]


def test_ndjson_broken_lines_are_rejected_with_their_record_number(tmp_path):
    data = b'{"id": 1, "name": "a"}\n\n{"id": 2, "name": "b"}}\n[3]\n{"id": 4}\n'
    result = convert_bytes(tmp_path, data, json_contract(type="ndjson"), name="f.ndjson")
    assert accounting(result) == (4, 2, 2)
    assert [(r["row"], r["reason"], r["raw"]) for r in rejects(result)] == [
        (2, "not valid JSON", '{"id": 2, "name": "b"}}'),
        (3, "not a JSON object", "[3]"),
    ]
    assert rows(result, "_row_number, id") == [(1, 1), (4, 4)]


def test_nested_records_under_a_path_flattened_to_the_declared_depth(tmp_path):
    document = {
        "meta": {"page": 1},
        "data": {
            "items": [
                {"id": 1, "customer": {"name": "a", "address": {"city": "Lyon"}}, "tags": [1, 2]},
                {"id": 2, "customer": {"name": "b", "address": {"city": "Nice", "zip": "06"}}},
            ]
        },
    }
    source = contract(
        format={"type": "json", "records_path": "data.items", "flatten_depth": 1},
        schema=[
            {"name": "id", "type": "bigint"},
            {"name": "customer_name", "type": "string", "source_name": "customer.name"},
            {"name": "address", "type": "json", "source_name": "customer.address"},
            {"name": "tags", "type": "json"},
        ],
    )
    result = convert_bytes(tmp_path, json.dumps(document).encode(), source, name="f.json")
    assert rows(result, "id, customer_name, address, tags") == [
        (1, "a", '{"city":"Lyon"}', "[1,2]"),
        (2, "b", '{"city":"Nice","zip":"06"}', None),
    ]


def test_a_missing_records_path_quarantines_the_file(tmp_path):
    source = json_contract(records_path="data.rows")
    result = convert_bytes(tmp_path, b'{"data": {"items": []}}', source, name="f.json")
    assert result.file_rejected_reason == "records_path 'data.rows' not found in the document"


@pytest.mark.parametrize(
    ("data", "records_path", "reason"),
    [
        (b'[{"id": 1}] trailing', None, "line 1, column 13: expecting value"),
        (
            b'[{"id": 1},\n {"id": 2,, "name": "b"}]',
            None,
            "line 2, column 11: expecting property name enclosed in double quotes",
        ),
        (b'{"data": {"items": [\n  {"id": 1}\n  {"id": 2}]}}', "data.items", "line 3, column 3"),
    ],
)
def test_malformed_json_is_quarantined_with_where_an_editor_shows_it(
    tmp_path, data, records_path, reason
):
    source = json_contract(records_path=records_path)
    result = convert_bytes(tmp_path, data, source, name="f.json")
    assert result.file_rejected_reason is not None
    assert result.file_rejected_reason.startswith(f"malformed JSON at {reason}")
    assert result.rows_unknown


# --- Excel -----------------------------------------------------------------------------------


def workbook(build) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_sheet_header_row_and_typed_cells(tmp_path):
    import datetime as dt

    def build(book):
        book.active.title = "cover"
        sheet = book.create_sheet("data")
        sheet.append(["Orders report"])
        sheet.append(["id", "name", "amount", "day"])
        sheet.append([1, "a", 1.5, dt.datetime(2026, 11, 1, 10, 0)])
        sheet.append([None, None, None, None])
        sheet.append([2.0, "b", "#DIV/0!", dt.date(2026, 11, 2)])

    source = contract(
        format={"type": "xlsx", "sheet": "data", "header_row": 2},
        schema=[*contract().model_dump(by_alias=True)["schema"], {"name": "day", "type": "date"}],
    )
    result = convert_bytes(tmp_path, workbook(build), source, name="f.xlsx")
    assert accounting(result) == (2, 1, 1)
    assert rows(result, "id, name, amount, CAST(day AS VARCHAR)") == [(1, "a", 1.5, "2026-11-01")]
    [reject] = rejects(result)
    assert (reject["line"], reject["column"]) == (5, "amount")


def test_excel_wrong_format_and_missing_sheet_are_quarantined(tmp_path):
    source = contract(format={"type": "xlsx", "sheet": "nope"})
    result = convert_bytes(tmp_path, TEXT.encode(), source, name="f.xlsx")
    assert result.file_rejected_reason == "wrong format: not an xlsx workbook (not a zip)"
    result = convert_bytes(tmp_path, workbook(lambda book: None), source, name="f.xlsx")
    assert result.file_rejected_reason == "no sheet 'nope' (the workbook has ['Sheet'])"


# --- Parquet ---------------------------------------------------------------------------------


def test_parquet_input_is_typed_by_the_contract(tmp_path):
    path = tmp_path / "in.parquet"
    duckdb.sql(
        "COPY (SELECT 1::INTEGER AS id, 'a' AS name, 1.5::DECIMAL(4,2) AS amount UNION ALL "
        f"SELECT 2, NULL, NULL) TO '{path}'"
    )
    source = contract(format={"type": "parquet"})
    result = convert_bytes(tmp_path, path.read_bytes(), source, name="f.parquet")
    assert rows(result, "id, name, amount") == [(1, "a", 1.5), (2, None, None)]


def test_a_retyped_parquet_column_is_drift(tmp_path):
    path = tmp_path / "in.parquet"
    duckdb.sql(f"COPY (SELECT 1.5::DOUBLE AS id, 'a' AS name, 1 AS amount) TO '{path}'")
    source = contract(format={"type": "parquet"})
    result = convert_bytes(tmp_path, path.read_bytes(), source, name="f.parquet")
    assert result.file_rejected_reason is not None
    assert "retyped column 'id': the file has DOUBLE, the contract bigint" in (
        result.file_rejected_reason
    )


def test_truncated_parquet_is_quarantined(tmp_path):
    path = tmp_path / "in.parquet"
    duckdb.sql(f"COPY (SELECT 1 AS id) TO '{path}'")
    data = path.read_bytes()[:-10]
    result = convert_bytes(tmp_path, data, contract(format={"type": "parquet"}), name="f.parquet")
    assert result.file_rejected_reason == "corrupt Parquet file: truncated (no PAR1 footer)"
