"""Raw → cleansed on real files and real Parquet: typing, quarantine reasons, accounting."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from strata.contracts.loader import parse_contract
from strata.convert.converter import FileConversion, Lineage, convert_file

CONTRACT = """
name: things
description: test source
owner: tests
kind: s3_drop
s3_drop: {prefix: things/}
format: {type: csv, null_values: ["", "NULL"]}
schema:
  - {name: id, type: bigint, nullable: false, source_name: ID}
  - {name: seen_at, type: timestamp, nullable: false, source_name: Seen At}
  - {name: price, type: "decimal(8,2)"}
  - {name: kind, type: string}
  - {name: active, type: boolean}
primary_key: [id]
partitioning: {by: event_date, column: seen_at}
timezone: Europe/Paris
quality:
  - {rule: accepted_values, column: kind, values: [a, b]}
  - {rule: range, column: price, min: 0, max: 1000}
reject_threshold: 0.5
"""
LINEAGE = Lineage(
    "things/ingest_date=2026-11-24/run_id=x/f.csv", "2026-11-24 08:00:00", "run-1", "2026-11-24"
)


def convert(tmp_path: Path, text: str, contract_text: str = CONTRACT) -> FileConversion:
    contract = parse_contract(contract_text, "things.yaml")
    raw = tmp_path / "f.csv"
    raw.write_text(text, encoding="utf-8")
    return convert_file(contract, raw, LINEAGE, tmp_path / "out", "fid")


def read_output(result: FileConversion) -> list[tuple]:
    files = ", ".join(f"'{path}'" for path in result.files)
    return duckdb.sql(
        f"SELECT id, seen_at, price, kind, active, event_date FROM read_parquet([{files}], "
        "hive_partitioning = true) ORDER BY id"
    ).fetchall()


def rejects(result: FileConversion) -> list[dict]:
    assert result.rejects_file is not None
    return [json.loads(line) for line in result.rejects_file.read_text().splitlines()]


def test_good_rows_are_typed_converted_to_utc_and_partitioned_by_utc_date(tmp_path):
    result = convert(
        tmp_path,
        "ID,Seen At,price,kind,active\n"
        "1,2026-11-01 00:30:00,9.99,a,true\n"
        "2,2026-11-01 12:00:00,,b,false\n",
    )
    assert (result.rows_in, result.rows_out, result.rows_quarantined) == (2, 2, 0)
    rows = read_output(result)
    assert str(rows[0][1]) == "2026-10-31 23:30:00"  # 00:30 in Paris (UTC+1) is 23:30 UTC
    assert str(rows[0][5]) == "2026-10-31"
    assert str(rows[0][2]) == "9.99" and rows[1][2] is None and rows[1][4] is False
    assert result.partitions == {"2026-10-31": 1, "2026-11-01": 1}
    assert {path.parent.name for path in result.files} == {
        "event_date=2026-10-31",
        "event_date=2026-11-01",
    }


def test_bad_rows_go_to_quarantine_with_column_reason_and_raw_text(tmp_path):
    result = convert(
        tmp_path,
        "ID,Seen At,price,kind,active\n"
        "1,2026-11-01 10:00:00,1.00,a,true\n"
        "2,2026-11-31 10:00:00,1.00,a,true\n"
        "3,2026-11-01 10:00:00,-4,a,true\n"
        "4,2026-11-01 10:00:00,1.00,z,true\n"
        "5,2026-11-01 10:00:00,abc,a,true\n"
        ",2026-11-01 10:00:00,1.00,a,true\n"
        "7,2026-11-01 10:00:00,1.00,a,true,extra\n"
        "8,2026-11-01 10:00:00,1.00,a,true\n",
        CONTRACT.replace("reject_threshold: 0.5", "reject_threshold: 0.9"),
    )
    assert (result.rows_in, result.rows_out, result.rows_quarantined) == (8, 2, 6)
    by_reason = {entry["reason"]: entry for entry in rejects(result)}
    reasons = " | ".join(by_reason)
    assert "seen_at: cannot read 2026-11-31 10:00:00 as timestamp" in reasons
    assert "price: -4.00 is below the minimum 0" in reasons
    assert "kind: z is not one of a, b" in reasons
    assert "price: cannot read abc as decimal(8,2)" in reasons
    assert "id: missing value" in reasons
    assert "TOO MANY COLUMNS" in reasons
    ragged = next(entry for entry in by_reason.values() if "TOO MANY" in entry["reason"])
    assert ragged["line"] == 8 and ragged["raw"].endswith("true,extra")
    typed = next(entry for entry in by_reason.values() if "minimum" in entry["reason"])
    assert typed["column"] == "price" and json.loads(typed["raw"])["price"] == "-4"
    assert [row[0] for row in read_output(result)] == [1, 8]


def test_duplicate_primary_keys_within_a_file_are_all_quarantined(tmp_path):
    result = convert(
        tmp_path,
        "ID,Seen At,price,kind,active\n1,2026-11-01 10:00:00,1,a,t\n1,2026-11-01 11:00:00,2,a,t\n"
        "2,2026-11-01 10:00:00,1,a,t\n2,2026-11-01 10:00:00,1,a,t\n3,2026-11-01 10:00:00,1,a,t\n",
        CONTRACT.replace("reject_threshold: 0.5", "reject_threshold: 0.9"),
    )
    assert (result.rows_out, result.rows_quarantined) == (1, 4)
    assert all("duplicate primary key" in entry["reason"] for entry in rejects(result))


def test_too_many_rejects_quarantine_the_whole_file(tmp_path):
    result = convert(
        tmp_path,
        "ID,Seen At,price,kind,active\n1,bad,1,a,t\n2,bad,1,a,t\n3,2026-11-01 10:00:00,1,a,t\n",
    )
    assert (
        result.file_rejected_reason is not None
        and "2 of 3 rows rejected" in result.file_rejected_reason
    )
    assert (result.rows_in, result.rows_out, result.rows_quarantined) == (3, 0, 3)
    assert result.files == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty file"),
        ("ID,Seen At,price,kind\n1,2026-11-01 10:00:00,1,a\n", "missing column 'active'"),
        ("ID,Seen At,price,kind,active,color\n", "unexpected column 'color'"),
    ],
)
def test_unreadable_files_are_quarantined_whole_with_the_reason(tmp_path, text, reason):
    result = convert(tmp_path, text)
    assert result.file_rejected_reason is not None and reason in result.file_rejected_reason
    assert result.rows_out == 0


def test_header_only_file_converts_to_nothing_without_error(tmp_path):
    result = convert(tmp_path, "ID,Seen At,price,kind,active\n")
    assert (result.rows_in, result.rows_out, result.rows_quarantined, result.files) == (0, 0, 0, [])
    assert result.file_rejected_reason is None


def test_evolve_policy_tolerates_missing_columns_as_nulls(tmp_path):
    result = convert(
        tmp_path,
        "ID,Seen At,price,kind\n1,2026-11-01 10:00:00,1,a\n",
        CONTRACT + "schema_change: evolve\n",
    )
    assert result.rows_out == 1 and result.drift == ["missing column 'active'"]


def test_converting_twice_gives_identical_parquet(tmp_path):
    text = (
        "ID,Seen At,price,kind,active\n1,2026-11-01 10:00:00,1,a,t\n2,2026-11-02 10:00:00,2,b,f\n"
    )
    first = convert(tmp_path / "one", text) if (tmp_path / "one").mkdir() is None else None
    second = convert(tmp_path / "two", text) if (tmp_path / "two").mkdir() is None else None
    assert first is not None and second is not None
    assert [p.read_bytes() for p in first.files] == [p.read_bytes() for p in second.files]


@pytest.mark.parametrize("days", [3, 12])  # separate writes, then one partitioned write
def test_partitioned_output_is_stable_and_complete_whatever_the_partition_count(tmp_path, days):
    lines = ["ID,Seen At,price,kind,active"]
    lines += [f"{i},2026-11-{1 + i % days:02d} 10:00:00,1,a,t" for i in range(1, 3001)]
    text = "\n".join(lines) + "\n"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first, second = convert(tmp_path / "one", text), convert(tmp_path / "two", text)
    assert len(first.files) == days and sum(first.partitions.values()) == 3000
    assert [p.read_bytes() for p in first.files] == [p.read_bytes() for p in second.files]
    assert [(p.parent.name, p.name) for p in first.files] == [
        (p.parent.name, p.name) for p in second.files
    ]
