"""Every reject says where it is: its file, its line as an editor shows it (where the format has
lines), its number among the file's records, the column at fault and the reason, each in its
own field, whether the parser refused the record or a check rejected its values."""

from __future__ import annotations

import csv

from convert_helpers import accounting, contract, convert_bytes, rejects

from strata.convert.lines import Layout, number_records

CSV = (
    b"id,name,amount\n"
    b"1,a,1\n"
    b"\n"  # a blank line is no record
    b"2,b,x\n"  # record 2, line 4: a bad amount
    b"3,c\n"  # record 3, line 5: refused by the parser
    b'4,"two\nlines",2\n'  # record 4, lines 6-7
    b"5,e,y\n"  # record 5, line 8
    b"6,f,3,surplus\n"  # record 6, line 9: refused
    b"7,g,z\n"  # record 7, line 10
)


def places(result) -> list[tuple]:
    return [(r["row"], r["line"], r["column"], r["reason"].split(":")[0]) for r in rejects(result)]


def test_csv_rejects_carry_their_line_row_and_column_whoever_rejected_them(tmp_path):
    result = convert_bytes(tmp_path, CSV, contract())

    assert accounting(result) == (7, 2, 5)
    assert places(result) == [
        (2, 4, "amount", "amount"),
        (3, 5, "amount", "MISSING COLUMNS"),
        (5, 8, "amount", "amount"),
        (6, 9, None, "TOO MANY COLUMNS"),
        (7, 10, "amount", "amount"),
    ]
    assert {r["source_file"] for r in rejects(result)} == {
        "things/ingest_date=2026-11-24/run_id=r1/f.csv"
    }


def test_ndjson_rejects_carry_their_line_and_no_reason_in_the_column_field(tmp_path):
    data = b'{"id": 1}\n\n{"id": "x"}\n   \n{"id": 3}}\n[4]\n'
    source = contract(format={"type": "ndjson"})
    result = convert_bytes(tmp_path, data, source, name="f.ndjson")

    assert accounting(result) == (4, 1, 3)
    assert places(result) == [
        (2, 3, "id", "id"),
        (3, 5, None, "not valid JSON"),
        (4, 6, None, "not a JSON object"),
    ]


def test_blank_lines_at_the_end_leave_the_lines_of_the_records_alone(tmp_path):
    data = b"id,name,amount\n1,a,1\n2,b,x\n3,c,2\n\n\n"
    result = convert_bytes(tmp_path, data, contract())

    assert accounting(result) == (3, 2, 1)
    assert places(result) == [(2, 3, "amount", "amount")]


def test_records_are_placed_across_blocks_as_pythons_csv_reader_places_them(tmp_path):
    # Quoted values on every line, a few of them over two lines, blank lines: some blocks are
    # counted whole, others walked line by line; Python's csv module is the reference.
    lines = ["id,name"]
    for number in range(1, 200_001):
        name = f'"n{number}\nmore"' if number % 40_000 == 0 else f'"n, {number}"'
        lines.append(f"{number},{name}" + ("\n" if number % 70_000 == 0 else ""))
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n")
    starts, line = [], 1
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for record in reader:
            if record:
                starts.append(line + 1)
            line = reader.line_num
    refused = [starts[number - 1] for number in (3, 150_000)]  # say the parser refused these
    rows = [1, 2, 39_999, 120_000, 199_998]
    found = number_records(path, Layout(b"\n", b'"', 0, True), 200_000, rows, refused)

    assert found.by_line == {starts[2]: 3, starts[149_999]: 150_000}
    # Row r is the r-th record the parser read: after the refused record 3, record r + 1.
    numbers = {1: 1, 2: 2, 39_999: 40_000, 120_000: 120_001, 199_998: 200_000}
    assert found.by_row == {row: (starts[n - 1], n) for row, n in numbers.items()}
