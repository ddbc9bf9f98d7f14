"""The proof of the hand-written footer rewrite (``convert/parquet_concat.py``): a file joined
from parts is read back by three independent readers (DuckDB, pyarrow, fastparquet) exactly as
each reads the parts, the three agree with each other on every value, and their metadata agree:
row counts, per-column statistics (min, max, null count) of every row group, and the schema.

The parts hold every shape the conversion writes: every contract type (text, int, bigint,
decimals of the three physical widths, double, boolean, date, timestamp, JSON text), ENUM
columns (dictionary pages: accepted values and the lineage constants), nulls (a column with
none, some, and only nulls), text with multibyte characters, many row groups per part, and an
empty part (a partition with no row). A second test joins what the conversion itself writes
when it cuts a file into pieces.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import duckdb
import pytest
import readers
import yaml

from strata.contracts.loader import parse_contract
from strata.convert import engine, pieces
from strata.convert.converter import Lineage, convert_file
from strata.convert.output import PARQUET_OPTIONS
from strata.convert.parquet_concat import append

ROWS = (5_000, 0, 3_000, 4_321)  # the second part: an empty partition
STATUSES = ("placed", "shipped", "lost")
WORDS = ("café", "日本語のテキスト", "emoji 🎉 party", "plain", "Ünïcödé straße")  # 2-4 byte chars
SOURCE_FILE = "raw/orders/ingest_date=2026-11-24/ünï-file.csv"


def write_part(path: Path, index: int, start: int, rows: int) -> Path:
    con = duckdb.connect()  # each part from its own connection, as the pieces are written
    con.execute(f"CREATE TYPE status AS ENUM {STATUSES}")
    con.execute(
        f"""
        COPY (
            SELECT
                ({start} + range)::BIGINT AS n,
                CASE WHEN range % 11 = 0 THEN NULL ELSE (range % 1000)::INTEGER - 500 END
                    AS small,
                CASE WHEN range % 7 = 0 THEN NULL
                     ELSE {list(WORDS)}[1 + range % 5] || ' #' || {index} END AS text,
                (range % 100000 / 100)::DECIMAL(8, 2) AS d8,
                ((range * 37) % 100000 / 100 - 250)::DECIMAL(12, 2) AS d12,
                ((range * 7919)::DECIMAL(38, 10) / 3)::DECIMAL(38, 10) AS d38,
                CASE WHEN range % 13 = 0 THEN NULL ELSE range / 7.0 END::DOUBLE AS x,
                CASE WHEN range % 3 = 0 THEN NULL ELSE range % 2 = 0 END AS flag,
                DATE '2024-01-01' + (range % 400)::INTEGER AS day,
                TIMESTAMP '2024-01-01 00:00:00.123456' + (range * INTERVAL 61 SECOND) AS at,
                '{{"k": ' || range || ', "name": "' || {list(WORDS)}[1 + range % 5] || '"}}'
                    AS doc,
                {list(STATUSES)}[1 + range % 3]::status AS status,
                CAST('{SOURCE_FILE}' AS ENUM ('{SOURCE_FILE}')) AS _source_file,
                TIMESTAMP '2026-11-24 08:00:00' AS _ingested_at,
                ({start} + range + 1)::BIGINT AS _row_number,
                CAST(NULL AS VARCHAR) AS never
            FROM range({rows})
        ) TO '{path}' ({PARQUET_OPTIONS}, ROW_GROUP_SIZE 2048)
        """
    )
    return path


@pytest.fixture(scope="module")
def joined(tmp_path_factory) -> tuple[list[Path], Path]:
    folder = tmp_path_factory.mktemp("proof")
    parts, start = [], 0
    for index, rows in enumerate(ROWS):
        parts.append(write_part(folder / f"part{index}.parquet", index, start, rows))
        start += rows
    target = folder / "joined.parquet"
    shutil.copyfile(parts[0], target)  # the conversion joins into the first part's file
    append([target, *parts[1:]])
    return parts, target


@pytest.mark.parametrize("reader", readers.READERS)
def test_each_reader_reads_the_joined_file_as_it_reads_the_parts(joined, reader):
    parts, target = joined
    expected = [row for part in parts for row in readers.rows(reader, part)]
    assert len(expected) == sum(ROWS)
    assert readers.rows(reader, target) == expected
    assert readers.total_rows(reader, target) == sum(ROWS)


def test_the_three_readers_agree_on_every_value(joined):
    _, target = joined
    duck, arrow, fast = (readers.rows(reader, target) for reader in readers.READERS)
    assert len(duck) == len(arrow) == len(fast) == sum(ROWS)
    for index, (one, two, three) in enumerate(zip(duck, arrow, fast, strict=True)):
        for column, (a, b, c) in enumerate(zip(one, two, three, strict=True)):
            assert readers.same(a, b) and readers.same(a, c), (index, column, a, b, c)
    # The values the shapes are about came through: multibyte text, all three decimal
    # widths, nulls, the ENUMs.
    assert {row[2] for row in duck} - {None} == {f"{w} #{i}" for w in WORDS for i in (0, 2, 3)}
    assert sum(row[15] is None for row in duck) == sum(ROWS)
    assert {row[11] for row in duck} == set(STATUSES)


@pytest.mark.parametrize("reader", readers.READERS)
def test_each_reader_finds_every_row_group_of_the_parts_with_its_statistics(joined, reader):
    parts, target = joined
    expected = [group for part in parts for group in readers.row_groups(reader, part)]
    found = readers.row_groups(reader, target)
    assert found == expected
    assert len(found) >= 6  # many row groups (DuckDB makes them of 2,048 rows at least)
    assert sum(group["rows"] for group in found) == sum(ROWS)


def test_the_three_readers_agree_on_the_statistics(joined):
    _, target = joined
    duck, arrow, fast = (readers.row_groups(reader, target) for reader in readers.READERS)
    assert [g["rows"] for g in duck] == [g["rows"] for g in arrow] == [g["rows"] for g in fast]
    for one, two, three in zip(duck, arrow, fast, strict=True):
        assert set(one["columns"]) == set(two["columns"]) == set(three["columns"])
        for column, (nulls, low, high) in one["columns"].items():
            arrow_nulls, arrow_low, arrow_high = two["columns"][column]
            fast_nulls, fast_low, fast_high = three["columns"][column]
            assert nulls == arrow_nulls == fast_nulls, column
            # pyarrow and fastparquet decode the statistics to values; DuckDB prints them.
            assert readers.same(arrow_low, fast_low) and readers.same(arrow_high, fast_high), (
                column, arrow_low, fast_low, arrow_high, fast_high,
            )  # fmt: skip
            assert (low is None) == (arrow_low is None) and (high is None) == (arrow_high is None)
            for printed, value in ((low, arrow_low), (high, arrow_high)):
                assert _printed_as(printed, value), (column, printed, value)


def _printed_as(printed: str | None, value: object) -> bool:
    """Whether DuckDB's printed statistic is pyarrow's value."""
    if printed is None or value is None:
        return printed is value
    if isinstance(value, bool):
        return printed == str(value).lower()
    if isinstance(value, str | datetime.date):
        return printed == str(value)
    return readers.same(float(printed), value)


@pytest.mark.parametrize("reader", readers.READERS)
def test_the_joined_file_has_the_parts_schema(joined, reader):
    parts, target = joined
    for part in parts:
        assert readers.schema(reader, part) == readers.schema(reader, parts[0])
    assert readers.schema(reader, target) == readers.schema(reader, parts[0])


# What the conversion itself writes: a contract with every type, a CSV with multibyte text,
# nulls, rejected rows and dates in two partitions, converted in one pass and in pieces.
CONTRACT = {
    "name": "shapes",
    "description": "every contract type",
    "owner": "tests",
    "kind": "s3_drop",
    "s3_drop": {"prefix": "shapes/"},
    "format": {"type": "csv"},
    "schema": [
        {"name": "id", "type": "bigint", "nullable": False},
        {"name": "qty", "type": "int"},
        {"name": "label", "type": "string"},
        {"name": "status", "type": "string"},
        {"name": "price", "type": "decimal(8,2)"},
        {"name": "total", "type": "decimal(14,3)"},
        {"name": "big", "type": "decimal(30,4)"},
        {"name": "ratio", "type": "double"},
        {"name": "ok", "type": "boolean"},
        {"name": "day", "type": "date"},
        {"name": "at", "type": "timestamp"},
        {"name": "seen", "type": "timestamptz"},
        {"name": "doc", "type": "json"},
    ],
    "primary_key": ["id"],
    "partitioning": {"by": "event_date", "column": "day", "granularity": "day"},
    "quality": [{"rule": "accepted_values", "column": "status", "values": list(STATUSES)}],
    "reject_threshold": 1.0,
}


def _csv(records: int) -> bytes:
    lines = ["id,qty,label,status,price,total,big,ratio,ok,day,at,seen,doc"]
    for n in range(1, records + 1):
        word = WORDS[n % 5]
        qty = "" if n % 9 == 0 else str(n % 500)
        status = "unknown" if n % 997 == 0 else STATUSES[n % 3]  # rejected: not accepted
        ok = ("true", "false", "")[n % 3]
        day = f"2026-11-{23 + n % 2:02d}"
        seen = f"{day}T{n % 24:02d}:00:00+01:00"
        doc = '"{""k"": ' + str(n) + "}" + '"'
        lines.append(
            f'{n},{qty},"{word}, {n}",{status},{n % 1000}.25,{n * 3}.125,'
            f"{n}12345678901234567.5,{n / 8},{ok},{day},{day} 10:{n % 60:02d}:00.5,{seen},{doc}"
        )
    return ("\n".join(lines) + "\n").encode()


def _convert(folder: Path, data: bytes, cores: int, monkeypatch) -> list[Path]:
    monkeypatch.setattr(pieces, "MIN_PIECE", 16 << 10)
    monkeypatch.setattr(engine, "cores", lambda: cores)
    folder.mkdir()
    raw = folder / "shapes.csv"
    raw.write_bytes(data)
    contract = parse_contract(yaml.safe_dump(CONTRACT, sort_keys=False), "shapes.yaml")
    lineage = Lineage("shapes/ingest_date=2026-11-24/run_id=r1/shapes.csv", "2026-11-24 08:00:00",
                      "run-1", "2026-11-24")  # fmt: skip
    result = convert_file(contract, raw, lineage, folder / "work", "shapes")
    result.check_accounting()
    assert result.rows_quarantined > 0
    return sorted(result.files)


def test_the_conversion_in_pieces_reads_back_as_one_pass_in_every_reader(tmp_path, monkeypatch):
    data = _csv(6_000)
    whole = _convert(tmp_path / "one", data, 1, monkeypatch)
    joined = _convert(tmp_path / "three", data, 3, monkeypatch)
    assert [path.parent.name for path in joined] == [path.parent.name for path in whole]
    assert len(joined) == 2  # two event dates
    for one, three in zip(whole, joined, strict=True):
        for reader in readers.READERS:
            assert readers.rows(reader, three) == readers.rows(reader, one), reader
            assert readers.schema(reader, three) == readers.schema(reader, one), reader
            groups = readers.row_groups(reader, three)
            assert sum(group["rows"] for group in groups) == readers.total_rows(reader, one)
        duck, arrow, fast = (readers.rows(reader, three) for reader in readers.READERS)
        for a_row, b_row, c_row in zip(duck, arrow, fast, strict=True):
            assert all(
                readers.same(a, b) and readers.same(a, c)
                for a, b, c in zip(a_row, b_row, c_row, strict=True)
            ), (a_row, b_row, c_row)
