"""The single pass: records numbered in file order (also when duplicated keys force the second
pass through a join), rejected rows set aside without ever reaching the cleansed files, and
lineage written as plain UTF-8 strings."""

from __future__ import annotations

import io
import zipfile

import duckdb
from convert_helpers import BASE, RAW_KEY, accounting, contract, convert_bytes, rejects, rows

from strata.convert.typed import REJECTED, reject_carrier

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


def test_the_reject_record_rides_in_a_text_column_that_no_key_check_reads(tmp_path):
    data = b"id,name,amount\n1,a,2.5\n2,b,oops\n"
    result = convert_bytes(tmp_path, data, contract(primary_key=["id"]))
    assert reject_carrier(contract(primary_key=["id"])) == "name"
    # The accepted row keeps its own name; the rejected one is reported from its raw text.
    assert rows(result, "id, name, _source_file") == [(1, "a", RAW_KEY)]
    [reject] = rejects(result)
    assert (reject["row"], reject["column"], reject["raw"]) == (
        2,
        "amount",
        '{"id":"2","name":"b","amount":"oops"}',
    )


def test_without_such_a_column_source_file_carries_it(tmp_path):
    # "name" is the key: a rejected row's name must still count for duplicates.
    keyed = contract(primary_key=["name"])
    assert reject_carrier(keyed) == "_source_file"
    data = b"id,name,amount\n1,a,2.5\n2,b,oops\n3,b,1\n4,c,1\n"
    result = convert_bytes(tmp_path, data, keyed)

    assert rows(result, "id, name, _source_file") == [(1, "a", RAW_KEY), (4, "c", RAW_KEY)]
    duplicate = "name: duplicate primary key (name) within the file"
    assert [(r["row"], r["reason"]) for r in rejects(result)] == [
        (2, f"amount: cannot read oops as decimal(8,2); {duplicate}"),
        (3, duplicate),
    ]
    assert all(r["source_file"] == RAW_KEY for r in rejects(result))


def test_members_of_an_archive_keep_their_own_source_file(tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.csv", "id,name,amount\n1,a,2.5\n2,b,oops\n")
        zipped.writestr("b.csv", "id,name,amount\n3,c,1\n")
    source = contract(format={"compression": "zip"})
    result = convert_bytes(tmp_path, archive.getvalue(), source, name="f.zip")

    assert rows(result, "id, _source_file") == [(1, f"{RAW_KEY}!a.csv"), (3, f"{RAW_KEY}!b.csv")]
    assert [(r["source_file"], r["row"]) for r in rejects(result)] == [(f"{RAW_KEY}!a.csv", 2)]
    assert [(m.entry, m.rows_in, m.rows_quarantined) for m in result.members] == [
        ("a.csv", 2, 1),
        ("b.csv", 1, 0),
    ]


BY_DAY = contract(
    schema=[
        {"name": "id", "type": "bigint"},
        {"name": "day", "type": "date"},
        {"name": "name", "type": "string"},
    ],
    partitioning={"by": "event_date", "column": "day"},
    primary_key=["id"],
)


def _days(keys_and_days: list[tuple[int, str]]) -> bytes:
    lines = ["id,day,name"] + [f"{key},{day},n{key}" for key, day in keys_and_days]
    return ("\n".join(lines) + "\n").encode()


def test_a_key_repeated_across_partitions_is_found_though_each_file_rises(tmp_path):
    # Each day's file rises (1, 3 and 2, 3): only comparing the files finds the second 3.
    data = _days([(1, "2026-11-01"), (2, "2026-11-02"), (3, "2026-11-01"), (3, "2026-11-02")])
    result = convert_bytes(tmp_path, data, BY_DAY)

    assert rows(result, "id, CAST(event_date AS VARCHAR)") == [(1, "2026-11-01"), (2, "2026-11-02")]
    assert [r["row"] for r in rejects(result)] == [3, 4]


def test_a_key_repeated_in_a_falling_file_is_found(tmp_path):
    data = _days([(5, "2026-11-01"), (4, "2026-11-01"), (5, "2026-11-01"), (1, "2026-11-02")])
    result = convert_bytes(tmp_path, data, BY_DAY)

    assert rows(result, "id") == [(4,), (1,)]
    assert [r["row"] for r in rejects(result)] == [1, 3]


def test_rising_keys_in_disjoint_files_pass_without_a_duplicate(tmp_path):
    data = _days([(1, "2026-11-01"), (2, "2026-11-01"), (7, "2026-11-02"), (9, "2026-11-02")])
    result = convert_bytes(tmp_path, data, BY_DAY)

    assert accounting(result) == (4, 4, 0)


def test_a_key_repeated_on_the_next_row_is_found(tmp_path):
    data = _days([(1, "2026-11-01"), (2, "2026-11-01"), (2, "2026-11-01"), (3, "2026-11-01")])
    result = convert_bytes(tmp_path, data, BY_DAY)

    assert rows(result, "id") == [(1,), (3,)]
    assert [r["row"] for r in rejects(result)] == [2, 3]


def test_accepted_values_type_their_column_as_text_of_those_values(tmp_path):
    schema = [*BASE["schema"], {"name": "status", "type": "string"}]
    rule = {"rule": "accepted_values", "column": "status", "values": ["open", "shut"]}
    source = contract(schema=schema, quality=[rule])
    data = b"id,name,amount,status\n1,a,1.0,open\n2,b,2.0,ajar\n3,c,3.0,\n4,d,4.0,shut\n"
    result = convert_bytes(tmp_path, data, source)

    assert rows(result, "id, status") == [(1, "open"), (3, None), (4, "shut")]
    assert [(r["row"], r["reason"]) for r in rejects(result)] == [
        (2, "status: ajar is not one of open, shut")
    ]
    (path,) = result.files
    kinds = duckdb.sql(
        f"SELECT type, converted_type FROM parquet_schema('{path}') WHERE name = 'status'"
    ).fetchall()
    assert kinds == [("BYTE_ARRAY", "UTF8")]


def test_a_row_without_its_event_date_is_rejected_not_partitioned(tmp_path):
    data = _days([(1, "2026-11-01"), (2, ""), (3, "2026-11-02")])
    result = convert_bytes(tmp_path, data, BY_DAY)

    assert sorted(path.parent.name for path in result.files) == [
        "event_date=2026-11-01",
        "event_date=2026-11-02",
    ]
    assert rows(result, "id") == [(1,), (3,)]
    assert [(r["row"], r["reason"]) for r in rejects(result)] == [
        (2, "day: missing value, needed for the partition event_date")
    ]
    assert not list((tmp_path / "out").rglob(f"*={REJECTED}*"))
