"""The single pass: records numbered in file order (also when duplicated keys force the second
pass through a join), rejected rows set aside without ever reaching the cleansed files, and
lineage written as plain UTF-8 strings."""

from __future__ import annotations

import duckdb
from convert_helpers import RAW_KEY, contract, convert_bytes, rejects, rows

from strata.convert.typed import REJECTED

ROWS = 60_000  # several of DuckDB's vectors and Parquet row groups


def _orders(duplicated: set[int], bad: set[int]) -> bytes:
    lines = ["id,name,amount"]
    for row in range(1, ROWS + 1):
        key = 7 if row in duplicated else row
        amount = "oops" if row in bad else f"{row % 997}.5"
        lines.append(f"{key},n{row % 13},{amount}")
    return ("\n".join(lines) + "\n").encode()


def test_record_numbers_follow_the_file_also_when_duplicates_force_a_second_pass(tmp_path):
    duplicated, bad = {7, 31_000, 59_999}, {2, 45_000}
    result = convert_bytes(tmp_path, _orders(duplicated, bad), contract(primary_key=["id"]))

    assert (result.rows_in, result.rows_quarantined) == (ROWS, len(duplicated) + len(bad))
    # In each file's own order: the row numbers rise, and each row is the line it came from.
    for path in result.files:
        found = duckdb.sql(f"SELECT _row_number, id FROM '{path}'").fetchall()
        assert [number for number, _ in found] == sorted(number for number, _ in found)
        assert all(number == key for number, key in found)
    kept = [number for (number,) in rows(result, "_row_number")]
    assert kept == [n for n in range(1, ROWS + 1) if n not in duplicated | bad]
    assert [(r["row"], r["reason"].split(":")[1].strip()[:9]) for r in rejects(result)] == [
        (2, "cannot re"),
        (7, "duplicate"),
        (31_000, "duplicate"),
        (45_000, "cannot re"),
        (59_999, "duplicate"),
    ]


def test_rejected_rows_never_reach_the_cleansed_files(tmp_path):
    result = convert_bytes(tmp_path, _orders(set(), {5, 50_000}))

    assert all(REJECTED not in path.parent.name for path in result.files)
    assert not list((tmp_path / "out").rglob(f"*={REJECTED}*"))
    assert [(r["source_file"], r["row"], r["column"]) for r in rejects(result)] == [
        (RAW_KEY, 5, "amount"),
        (RAW_KEY, 50_000, "amount"),
    ]
    assert rejects(result)[0]["raw"] == '{"id":"5","name":"n5","amount":"oops"}'


def test_lineage_is_written_as_plain_strings(tmp_path):
    result = convert_bytes(tmp_path, b"id,name,amount\n1,a,2.5\n")
    [path] = result.files
    schema = dict(
        duckdb.sql(
            f"SELECT name, converted_type FROM parquet_schema('{path}') "
            "WHERE name IN ('_source_file', '_run_id')"
        ).fetchall()
    )
    assert schema == {"_source_file": "UTF8", "_run_id": "UTF8"}
    assert rows(result, "typeof(_run_id), _run_id, _source_file") == [("VARCHAR", "run-1", RAW_KEY)]
