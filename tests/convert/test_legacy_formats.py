"""Formats that legacy systems and vendors bring: fixed-width text, XML, tar and zip archives
with a members pattern, several sheets of a workbook, European numbers, trailers that count
the records, and vendor JSON shapes. Each converts to typed rows, or rejects what it cannot
read with its line and reason, and accounts for every record."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile

import pytest
from convert_helpers import accounting, contract, convert_bytes, rejects, rows
from pydantic import ValidationError

from strata.contracts.model import FixedWidthFormat, XmlFormat
from strata.convert import engine, pieces
from strata.convert.readers import json_stream
from strata.errors import ContractError

# --- fixed-width text ------------------------------------------------------------------------

LAYOUT = [
    {"name": "id", "width": 4},
    {"name": "name", "width": 10},
    {"name": "amount", "start": 16, "end": 23},  # a filler column at 15
]
FIXED = contract(
    format={"type": "fixed_width", "fields": LAYOUT, "encoding": "latin-1", "skip_rows": 1}
)


def fixed(**changes: object) -> object:
    return contract(format={"type": "fixed_width", "fields": LAYOUT, **changes})


def test_fixed_width_fields_by_position_trimmed_and_decoded(tmp_path):
    data = "HEADER 2026-11-24\n0001Zoë       |00012.50\n  02Bob       |    3.00\n\n".encode(
        "latin-1"
    )
    result = convert_bytes(tmp_path, data, FIXED, name="f.txt")
    assert accounting(result) == (2, 2, 0)
    assert rows(result, "id, name, amount") == [(1, "Zoë", 12.5), (2, "Bob", 3)]


def test_fixed_width_trim_none_keeps_the_padding(tmp_path):
    data = b"0001Ann       |00012.50\n"
    result = convert_bytes(tmp_path, data, fixed(trim="none"), name="f.txt")
    assert rows(result, "name") == [("Ann       ",)]


def test_fixed_width_lines_of_the_wrong_length_are_rejected_with_their_line(tmp_path):
    data = b"0001Ann       |00012.50\n0002Bob\n0003Cy        |00001.00 trailing\n"
    result = convert_bytes(tmp_path, data, fixed(line_length="exact"), name="f.txt")
    assert accounting(result) == (3, 1, 2)
    found = [(r["line"], r["reason"]) for r in rejects(result)]
    assert found == [
        (2, "line is 7 characters long, the layout needs 23"),
        (3, "line is 32 characters long, the layout needs 23"),
    ]
    result = convert_bytes(tmp_path / "least", data, fixed(line_length="at_least"), name="f.txt")
    assert accounting(result) == (3, 2, 1)


def test_fixed_width_values_that_cannot_be_typed_name_line_and_field(tmp_path):
    data = b"HDR\n0001Ann       |000x2.50\n"
    result = convert_bytes(tmp_path, data, FIXED, name="f.txt")
    [reject] = rejects(result)
    assert (reject["line"], reject["column"]) == (2, "amount")
    assert reject["reason"] == "amount: cannot read 000x2.50 as decimal(8,2)"
    assert reject["raw"] == "0001Ann       |000x2.50"


def test_a_large_fixed_width_file_in_pieces_gives_what_one_pass_gives(tmp_path, monkeypatch):
    lines = ["HDR"] + [
        f"{n:04d}{'n' + str(n % 7):<10}|{n % 97:05d}.{n % 100:02d}"
        if n % 333
        else f"{n:04d}bad       |xx"
        for n in range(1, 4001)
    ]
    data = ("\n".join([*lines, "TRL4000", ""]) + "\n").encode()
    source = fixed(skip_rows=1, footer_rows=1, row_count=r"^TRL(\d+)")
    monkeypatch.setattr(pieces, "MIN_PIECE", 16 << 10)
    monkeypatch.setattr(engine, "cores", lambda: 1)
    alone = convert_bytes(tmp_path / "one", data, source, name="f.txt")
    monkeypatch.setattr(engine, "cores", lambda: 3)
    cuts, real = [], pieces.cut
    monkeypatch.setattr(pieces, "cut", lambda *args: cuts.append(real(*args)) or cuts[-1])
    cut = convert_bytes(tmp_path / "three", data, source, name="f.txt")
    assert len(cuts[0]) == 3
    assert accounting(cut) == accounting(alone) == (4000, 3988, 12)
    assert rows(cut) == rows(alone)
    assert cut.rejects_file.read_bytes() == alone.rejects_file.read_bytes()
    assert [r["line"] for r in rejects(cut)][:2] == [334, 667]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([{"name": "a", "width": 4}, {"name": "b", "start": 3, "width": 2}], "overlaps field 'a'"),
        ([{"name": "a", "width": 4, "end": 4}], "give `width` or `end`"),
        ([{"name": "a", "start": 5, "end": 2}], "`end` is before `start`"),
        ([{"name": "a", "width": 2}, {"name": "a", "width": 2}], "duplicate field names: a"),
    ],
)
def test_fixed_width_layouts_that_cannot_be_read_are_refused(fields, message):
    with pytest.raises(ValidationError, match=message):
        FixedWidthFormat(type="fixed_width", fields=fields)


# --- trailers and row counts -----------------------------------------------------------------

COUNTED = {"footer_rows": 1, "row_count": r"^TRAILER,(\d+)"}


def test_a_trailer_line_is_no_record_and_its_count_is_checked(tmp_path):
    data = b"id,name,amount\n1,a,1\n2,b,x\nTRAILER,2\n\n"
    result = convert_bytes(tmp_path, data, contract(format=COUNTED))
    assert result.file_rejected_reason is None
    assert accounting(result) == (2, 1, 1)  # the bad amount is a record: it counts
    assert rows(result, "id") == [(1,)]


def test_a_trailer_whose_count_differs_quarantines_the_file_with_both_numbers(tmp_path):
    data = b"id,name,amount\n1,a,1\n2,b,2\nTRAILER,3\n"
    result = convert_bytes(tmp_path, data, contract(format=COUNTED))
    assert result.file_rejected_reason == (
        "row count mismatch: footer line 4 ('TRAILER,3') announces 3 record(s), the file holds 2"
    )
    assert accounting(result) == (2, 0, 2)
    assert result.files == []


def test_a_count_in_a_header_line_of_a_gzipped_file(tmp_path):
    text = b"RECORDS=2\nid,name,amount\n1,a,1\n2,b,2\nEND\n"
    source = contract(format={"skip_rows": 1, "footer_rows": 1, "row_count": r"RECORDS=(\d+)"})
    result = convert_bytes(tmp_path, gzip.compress(text), source)
    assert (accounting(result), result.file_rejected_reason) == ((2, 2, 0), None)
    wrong = convert_bytes(tmp_path / "w", gzip.compress(text.replace(b"=2", b"=5")), source)
    assert "header line 1 ('RECORDS=5') announces 5 record(s)" in wrong.file_rejected_reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"id,name,amount\n1,a,1\nTOTAL 1\n", "row_count: no footer line matches"),
        (b"TRAILER,1\n", "footer_rows is 2, but the file has only 1 non-blank line(s)"),
    ],
)
def test_a_footer_that_is_not_there_quarantines_the_file(tmp_path, data, reason):
    rows_wanted = 2 if data.startswith(b"TRAILER") else 1
    source = contract(format={**COUNTED, "footer_rows": rows_wanted})
    result = convert_bytes(tmp_path, data, source)
    assert reason in result.file_rejected_reason
    assert result.files == []


def test_a_row_count_pattern_needs_one_group_and_lines_to_search():
    with pytest.raises(ContractError, match=r"things.yaml:\d+: format.row_count: .*one group"):
        contract(format={"footer_rows": 1, "row_count": r"^T\d+"})
    with pytest.raises(ContractError, match="set footer_rows or skip_rows"):
        contract(format={"row_count": r"^T(\d+)"})


# --- European CSV ----------------------------------------------------------------------------

EUROPEAN = {"delimiter": ";", "decimal_separator": ",", "thousands_separator": "."}


def test_european_numbers_are_read_and_misplaced_marks_rejected_not_misread(tmp_path):
    data = "id;name;amount\n1;a;1.234,50\n2;b;-12,5\n3;c;12.34,5\n4;d;1.5\n5;e;0,125\n".encode(
        "cp1252"
    )
    result = convert_bytes(tmp_path, data, contract(format={**EUROPEAN, "encoding": "cp1252"}))
    assert rows(result, "id, amount") == [(1, 1234.5), (2, -12.5)]
    reasons = [r["reason"] for r in rejects(result)]
    assert reasons == [
        "amount: cannot read 12.34,5 as decimal(8,2)",
        "amount: cannot read 1.5 as decimal(8,2)",
        "amount: 0,125 has more decimal places than decimal(8,2) keeps (see `rounding`)",
    ]


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        ({"thousands_separator": ","}, '"12,345.5"', 12345.5),
        ({"delimiter": ";", "thousands_separator": "'"}, "1'234.5", 1234.5),
        (
            {"delimiter": ";", "decimal_separator": ",", "thousands_separator": " "},
            "1 234,5",
            1234.5,
        ),
    ],
)
def test_other_digit_groupings(tmp_path, fmt, text, expected):
    delimiter = fmt.get("delimiter", ",")
    data = f"id{delimiter}name{delimiter}amount\n1{delimiter}a{delimiter}{text}\n".encode()
    result = convert_bytes(tmp_path, data, contract(format=fmt))
    assert rows(result, "amount") == [(expected,)]


def test_number_marks_must_differ():
    with pytest.raises(ContractError, match="must differ from decimal_separator"):
        contract(format={"decimal_separator": ",", "thousands_separator": ","})


# --- XML -------------------------------------------------------------------------------------

STOCK = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<s:Stock xmlns:s="urn:stock" xmlns:o="urn:other">
  <s:Items>
    <s:Item id="1" o:flag="y"><s:name>Cr\xe8me &amp; co</s:name><s:price cur="EUR">1.50</s:price>
      <s:supplier code="7"><s:name>Acme</s:name><s:address><s:city>Lyon</s:city></s:address>
      </s:supplier><s:tag>a</s:tag><s:tag>b</s:tag></s:Item>
    <s:Item id="2"><s:name/><s:price>x</s:price></s:Item>
  </s:Items>
  <o:Items><o:Item id="99"/></o:Items>
</s:Stock>
"""


def xml_source(**fmt: object) -> object:
    schema = [
        {"name": "id", "type": "bigint", "source_name": "@id"},
        {"name": "name", "type": "string"},
        {"name": "amount", "type": "decimal(8,2)", "source_name": "price"},
        {"name": "currency", "type": "string", "source_name": "price.@cur"},
        {"name": "supplier", "type": "string", "source_name": "supplier.name"},
        {"name": "supplier_code", "type": "int", "source_name": "supplier.@code"},
        {"name": "address", "type": "string", "source_name": "supplier.address"},
        {"name": "tags", "type": "json", "source_name": "tag"},
    ]
    base = {"type": "xml", "record_path": "Stock/Items/Item", "flatten_depth": 2}
    return contract(format={**base, **fmt}, schema=schema, schema_change="ignore")


def test_xml_records_attributes_elements_namespaces_and_nesting(tmp_path):
    source = xml_source(record_path="s:Stock/s:Items/s:Item", namespaces={"s": "urn:stock"})
    result = convert_bytes(tmp_path, STOCK, source, name="f.xml")
    assert accounting(result) == (2, 1, 1)
    assert rows(result, "id, name, amount, currency, supplier, supplier_code, address, tags") == [
        (1, "Crème & co", 1.5, "EUR", "Acme", 7, "<city>Lyon</city>", '["a","b"]')
    ]
    [reject] = rejects(result)
    assert (reject["line"], reject["reason"]) == (7, "amount: cannot read x as decimal(8,2)")
    assert json.loads(reject["raw"]) == {"@id": "2", "name": "", "price": "x"}
    assert "unexpected column 'flag'" not in " ".join(result.drift)
    assert "unexpected column '@flag'" in " ".join(result.drift)  # attributes by local name


def test_xml_names_match_any_namespace_unless_prefixed(tmp_path):
    result = convert_bytes(tmp_path, STOCK, xml_source(record_path="Stock/*/Item"), name="f.xml")
    assert [row[0] for row in rows(result, "id")] == [1, 99]  # both Items, either namespace


def test_xml_one_level_keeps_deeper_elements_as_xml_text(tmp_path):
    schema = [
        {"name": "id", "type": "bigint", "source_name": "@id"},
        {"name": "supplier", "type": "string"},
        {"name": "supplier_code", "type": "int", "source_name": "supplier.@code"},
    ]
    fmt = {"type": "xml", "record_path": "Stock/Items/Item", "flatten_depth": 1}
    source = contract(format=fmt, schema=schema, schema_change="ignore")
    result = convert_bytes(tmp_path, STOCK, source, name="f.xml")
    assert rows(result, "id, supplier, supplier_code") == [
        (1, "<name>Acme</name><address><city>Lyon</city></address>", 7),
        (2, None, None),
        (99, None, None),  # in the other namespace: an unprefixed path matches any
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            STOCK.replace(b"</s:Items>", b"</s:Item>"),
            "malformed XML at line 8, column 5: mismatched tag",
        ),
        (b"<Other><Items/></Other>", "the root element is <Other>, but record_path"),
        (
            b'<!DOCTYPE Stock [<!ENTITY a "aaaa">]><Stock/>',
            "XML entity declarations are refused (entity 'a')",
        ),
        (b"<Stock><Items><Item id='1'>\xff</Item></Items></Stock>", "malformed XML at line 1"),
    ],
    ids=["malformed", "wrong-root", "entities", "undecodable"],
)
def test_xml_that_cannot_be_read_quarantines_the_file_with_where(tmp_path, data, reason):
    result = convert_bytes(tmp_path, data, xml_source(), name="f.xml")
    assert reason in result.file_rejected_reason
    assert (result.rows_out, result.files) == (0, [])


def simple_xml(**fmt: object) -> object:
    schema = [
        {"name": "id", "type": "bigint", "source_name": "@id"},
        {"name": "name", "type": "string"},
    ]
    return contract(format={"type": "xml", "record_path": "R/I", **fmt}, schema=schema)


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        ("<R><I id='1'><name>Zoë</name></I></R>".encode("cp1252"), {"encoding": "cp1252"}),
        (
            "<?xml version='1.0' encoding='UTF-16'?><R><I id='1'><name>Zoë</name></I></R>".encode(
                "utf-16"
            ),
            {},
        ),
        (gzip.compress("<R><I id='1'><name>Zoë</name></I></R>".encode()), {}),
    ],
    ids=["declared-cp1252", "utf-16-by-its-declaration", "gzipped"],
)
def test_xml_encodings_and_containers(tmp_path, data, fmt):
    result = convert_bytes(tmp_path, data, simple_xml(**fmt), name="f.xml")
    assert rows(result, "id, name") == [(1, "Zoë")]


def test_xml_files_in_a_zip_are_each_accounted_and_an_empty_one_holds_no_rows(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", "<R><I id='1'><name>a</name></I></R>")
        archive.writestr("b.xml", "<R>\n<I id='2'><name>b</name></I>\n<I id='x'/></R>")
        archive.writestr("c.xml", "<R></R>")
        archive.writestr("notes.txt", "x")
    result = convert_bytes(tmp_path, buffer.getvalue(), simple_xml(members="*.xml"), name="f.zip")
    counts = [(m.entry, m.rows_in, m.rows_out) for m in result.members]
    assert counts == [("a.xml", 1, 1), ("b.xml", 2, 1), ("c.xml", 0, 0)]
    [reject] = rejects(result)
    assert (reject["source_file"].rsplit("!", 1)[1], reject["line"]) == ("b.xml", 3)


def test_a_column_deeper_than_flatten_depth_is_a_contract_error():
    with pytest.raises(ContractError, match=r"'supplier.name' is 2 level\(s\) deep"):
        xml_source(flatten_depth=1)
    assert xml_source(flatten_depth=2).column("currency").source_field == "price.@cur"


def test_xml_format_checks_its_prefixes():
    with pytest.raises(ValidationError, match="prefix 'x' is not in `namespaces`"):
        XmlFormat(type="xml", record_path="x:Stock/Item")


# --- archives --------------------------------------------------------------------------------


def tar_gz(files: dict[str, bytes], compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if compress else "w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


CSV_A = b"id,name,amount\n1,a,1\n2,b,x\n"
CSV_B = b"id,name,amount\n3,c,3\n"


@pytest.mark.parametrize("compress", [True, False], ids=["tar.gz", "tar"])
def test_tar_members_matching_the_pattern_are_each_accounted(tmp_path, compress):
    data = tar_gz(
        {"out/b.csv": CSV_B, "out/a.csv": CSV_A, "out/manifest.json": b"{}", "../up.csv": CSV_B},
        compress,
    )
    source = contract(format={"members": "out/*.csv"})
    result = convert_bytes(tmp_path, data, source, name="f.tar.gz")
    assert accounting(result) == (3, 2, 1)
    counts = [(m.entry, m.rows_in, m.rows_out, m.rows_quarantined) for m in result.members]
    assert counts == [("out/a.csv", 2, 1, 1), ("out/b.csv", 1, 1, 0)]
    assert rejects(result)[0]["source_file"].endswith("f.csv!out/a.csv")
    assert result.drift == [
        "archive entry '../up.csv' skipped (not in members)",
        "archive entry 'out/manifest.json' skipped (not in members)",
    ]
    assert not (tmp_path / "up.csv").exists()


@pytest.mark.parametrize(
    ("data", "fmt", "reason"),
    [
        (tar_gz({"a.txt": b"x"}), {"members": "*.csv"}, "no entry of the tar archive matches"),
        (tar_gz({"a.csv": CSV_A})[:-40], {}, "corrupt tar archive"),
        (tar_gz({"a.csv": CSV_A}), {"compression": "gzip"}, "(say tar)"),
        (gzip.compress(CSV_A), {"compression": "tar"}, "not a tar file"),
    ],
    ids=["no-match", "truncated", "declared-gzip", "not-tar"],
)
def test_tar_archives_that_cannot_be_read_are_quarantined(tmp_path, data, fmt, reason):
    result = convert_bytes(tmp_path, data, contract(format=fmt), name="f.tar.gz")
    assert reason in result.file_rejected_reason
    assert result.files == []


def test_zip_members_pattern_over_many_entries(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for store in range(1, 21):
            archive.writestr(f"stores/s{store:02d}.csv", f"id,name,amount\n{store},s,1\n")
        archive.writestr("README.txt", "not data")
    source = contract(format={"members": "stores/*.csv"})
    result = convert_bytes(tmp_path, buffer.getvalue(), source, name="f.zip")
    assert accounting(result) == (20, 20, 0)
    assert len(result.members) == 20
    assert result.drift == ["archive entry 'README.txt' skipped (not in members)"]


# --- workbooks -------------------------------------------------------------------------------


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, lines in sheets.items():
        sheet = book.create_sheet(title)
        for line in lines:
            sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = ["id", "name", "amount"]


def test_sheets_matching_a_pattern_are_each_a_part(tmp_path):
    data = workbook(
        {
            "Notes": [["read me"]],
            "Q1": [HEADER, [1, "a", 1.5], [2, "b", "x"]],
            "Q2": [HEADER, [3, "c", 2]],
        }
    )
    result = convert_bytes(
        tmp_path, data, contract(format={"type": "xlsx", "sheets": "Q*"}), name="f.xlsx"
    )
    counts = [(m.entry, m.rows_in, m.rows_out) for m in result.members]
    assert counts == [("Q1", 2, 1), ("Q2", 1, 1)]
    [reject] = rejects(result)
    assert (reject["source_file"].rsplit("!", 1)[1], reject["line"]) == ("Q1", 3)


def test_a_workbook_without_a_matching_sheet_says_which_it_has(tmp_path):
    data = workbook({"Notes": [["x"]]})
    result = convert_bytes(
        tmp_path, data, contract(format={"type": "xlsx", "sheets": "Q*"}), name="f.xlsx"
    )
    assert result.file_rejected_reason == "no sheet matches 'Q*' (the workbook has ['Notes'])"


def test_a_matching_sheet_without_the_header_names_the_sheet(tmp_path):
    data = workbook({"Q1": [HEADER, [1, "a", 1]], "Q2": []})
    result = convert_bytes(
        tmp_path, data, contract(format={"type": "xlsx", "sheets": "Q*"}), name="f.xlsx"
    )
    assert result.file_rejected_reason.startswith("Q2: ")
    assert result.members[0].rows_in == 1  # the sheet before it is counted


def test_sheet_and_sheets_are_exclusive():
    with pytest.raises(ContractError, match="not both"):
        contract(format={"type": "xlsx", "sheet": "A", "sheets": "A*"})


# --- vendor JSON shapes ----------------------------------------------------------------------


def test_records_under_data_with_a_meta_block(tmp_path):
    body = {"data": [{"id": 1, "name": "a", "amount": "1.5"}], "meta": {"page": 1, "total": 1}}
    source = contract(format={"type": "json", "records_path": "data"})
    result = convert_bytes(tmp_path, json.dumps(body).encode(), source, name="f.json")
    assert rows(result, "id, name, amount") == [(1, "a", 1.5)]


VENDOR = """{
  "meta": {"note": "braces } and ] in a string", "pages": [[1], {"a": []}]},
  "data": [
    {"id": 1, "name": "a", "amount": 12345678901.5},
    {
      "id": 2,
      "name": "line\\nbreak",
      "amount": "x"
    },
    {"id": 3, "name": "c", "amount": 0.125E1}
  ],
  "links": {"next": null}
}
"""


@pytest.mark.parametrize("chunk", [1 << 20, 3], ids=["one-chunk", "three-characters-a-chunk"])
def test_vendor_documents_are_streamed_record_by_record_with_their_lines(
    tmp_path, monkeypatch, chunk
):
    monkeypatch.setattr(json_stream, "CHUNK", chunk)  # every boundary crossed, numbers too
    source = contract(
        format={"type": "json", "records_path": "data"},
        schema=[
            {"name": "id", "type": "bigint"},
            {"name": "name", "type": "string"},
            {"name": "amount", "type": "double"},
        ],
    )
    result = convert_bytes(tmp_path, VENDOR.encode(), source, name="f.json")
    assert rows(result, "id, name, amount") == [(1, "a", 12345678901.5), (3, "c", 1.25)]
    [reject] = rejects(result)
    assert (reject["line"], reject["reason"]) == (5, "amount: cannot read x as double")
    assert json.loads(reject["raw"]) == {"id": 2, "name": "line\nbreak", "amount": "x"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"data": {"id": 1}}', "records_path 'data' is a OBJECT, not a list"),
        (b'{"data": []} {"data": []}', "expected one JSON document holding 'data'"),
        (b'[{"data": []}]', "expected one JSON document holding 'data'"),
        (b'{"meta": 1, "rows": []}', "records_path 'data' not found in the document"),
        (b'{"data": [{"id": 1},\n{"id": 2]}', "malformed JSON at line 2, column 9"),
        (b'{"data": [{"id": 1}], "meta": {"page": ', "malformed JSON at line 1, column 40"),
    ],
    ids=["not-a-list", "two-documents", "an-array", "missing", "broken-record", "truncated"],
)
def test_vendor_documents_that_cannot_be_read_are_quarantined(tmp_path, data, reason):
    source = contract(format={"type": "json", "records_path": "data"})
    result = convert_bytes(tmp_path, data, source, name="f.json")
    assert result.file_rejected_reason.startswith(reason)
    assert result.files == []


def test_gzipped_json_lines_reject_a_broken_line_with_its_number(tmp_path):
    lines = b'{"id": 1, "name": "a"}\n{"id": 2, "na\n{"id": 3, "name": "c"}\n'
    source = contract(format={"type": "ndjson"})
    result = convert_bytes(tmp_path, gzip.compress(lines), source, name="f.ndjson.gz")
    assert accounting(result) == (3, 2, 1)
    assert [(r["line"], r["reason"]) for r in rejects(result)] == [(2, "not valid JSON")]
