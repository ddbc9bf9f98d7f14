"""Concatenation of DuckDB-written Parquet files by copying their bytes under a new footer: the
rows, the row groups, the schema and the bloom filters come out as they went in."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from strata.convert.parquet_concat import append, decode, encode, footer

ROWS = (10_000, 7_000, 12_345)  # three parts of different sizes, several row groups each


def write_part(con, path: Path, index: int, start: int, rows: int) -> Path:
    # ``low`` is dictionary-encoded (so it has a bloom filter) and ``p{index}-k`` appears only in
    # part ``index``; ``high`` is too varied for a dictionary.
    con.execute(
        f"""
        COPY (
            SELECT {start} + range AS n,
                   'p{index}-' || (range % 5) AS low,
                   CASE WHEN range % 7 = 0 THEN NULL ELSE md5(({start} + range)::VARCHAR) END
                       AS high,
                   ((range * 37) % 100000 / 100)::DECIMAL(12, 2) AS amount,
                   TIMESTAMP '2024-01-01' + (range * INTERVAL 61 SECOND) AS at,
                   DATE '2024-01-01' + (range % 400)::INTEGER AS day,
                   CASE WHEN range % 3 = 0 THEN NULL ELSE range % 2 = 0 END AS flag,
                   'gold'::level AS tier
            FROM range({rows})
        ) TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)
        """
    )
    return path


def duck():
    con = duckdb.connect()
    con.execute("CREATE TYPE level AS ENUM ('gold', 'silver')")
    return con


@pytest.fixture
def parts(tmp_path) -> list[Path]:
    written, start = [], 0
    for index, rows in enumerate(ROWS):
        # each part from its own connection, as the parallel writers do
        written.append(write_part(duck(), tmp_path / f"part{index}.parquet", index, start, rows))
        start += rows
    return written


def each(con, query: str, paths: list[Path]) -> list[tuple]:
    """The rows of ``query`` (``{}`` standing for the file) over each of ``paths`` in turn."""
    return [row for path in paths for row in con.execute(query.format(path)).fetchall()]


def concatenate(parts: list[Path], target: Path) -> None:
    """The parts joined into ``target``, as the conversion joins its pieces: in place of a
    copy of the first."""
    shutil.copyfile(parts[0], target)
    append([target, *parts[1:]])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def value(fields: list[tuple], field_id: int):
    (found,) = [got for field, _, got in fields if field == field_id]
    return found


def footer_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return data[len(data) - 8 - int.from_bytes(data[-8:-4], "little") : -8]


def test_the_target_holds_the_rows_of_the_parts_in_order(tmp_path, parts):
    before = [digest(part) for part in parts]
    target = tmp_path / "all.parquet"
    concatenate(parts, target)

    con = duckdb.connect()
    expected = each(con, "SELECT * FROM read_parquet('{}')", parts)
    actual = each(con, "SELECT * FROM read_parquet('{}')", [target])
    assert len(actual) == sum(ROWS)
    assert [row[0] for row in actual] == list(range(sum(ROWS)))
    assert actual == expected
    assert {row[7] for row in actual} == {"gold"}
    assert sum(row[2] is None for row in actual) == sum((n + 6) // 7 for n in ROWS)
    assert [digest(part) for part in parts] == before


def test_the_footer_lists_every_row_group_with_its_own_statistics(tmp_path, parts):
    target = tmp_path / "all.parquet"
    concatenate(parts, target)
    con = duckdb.connect()

    columns = (
        "row_group_num_rows, column_id, num_values, path_in_schema, stats_min_value, "
        "stats_max_value, stats_null_count, encodings, total_compressed_size, bloom_filter_length"
    )
    metadata = f"SELECT {columns} FROM parquet_metadata('{{}}') ORDER BY row_group_id, column_id"
    assert each(con, metadata, [target]) == each(con, metadata, parts)

    groups = "SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{}')"
    counts = [each(con, groups, [path])[0][0] for path in [*parts, target]]
    assert counts[-1] == sum(counts[:-1]) and min(counts[:-1]) >= 4

    file = "SELECT num_rows, created_by, format_version FROM parquet_file_metadata('{}')"
    assert each(con, file, [target]) == [(sum(ROWS), *each(con, file, [parts[0]])[0][1:])]
    for same in ("parquet_schema", "parquet_kv_metadata"):
        query = f"SELECT * EXCLUDE (file_name) FROM {same}('{{}}')"
        assert each(con, query, [target]) == each(con, query, [parts[0]])


def test_bloom_filters_still_find_their_values(tmp_path, parts):
    target = tmp_path / "all.parquet"
    concatenate(parts, target)
    con = duckdb.connect()

    def excluded(paths: list[Path], value: str) -> list[bool]:
        probe = f"SELECT bloom_filter_excludes FROM parquet_bloom_probe('{{}}', 'low', '{value}')"
        return [row[0] for row in each(con, probe + " ORDER BY row_group_id", paths)]

    first_groups = len(excluded(parts[:2], "p2-3"))
    found = excluded([target], "p2-3")
    assert found == excluded(parts, "p2-3")
    assert found[:first_groups] == [True] * first_groups
    assert found[first_groups:] == [False] * (len(found) - first_groups) and found[-1] is False
    assert con.execute(f"SELECT count(*) FROM '{target}' WHERE low = 'p2-3'").fetchone() == (
        (ROWS[2] + 1) // 5,
    )


def test_an_unchanged_footer_encodes_to_the_same_bytes(tmp_path, parts):
    target = tmp_path / "all.parquet"
    concatenate(parts, target)
    for path in [*parts, target]:
        raw = footer_bytes(path)
        assert encode(decode(raw)) == raw
    # DuckDB 2.0 writes no page index (which would hold offsets this does not move)
    for path in parts:
        row_groups = value(footer(path)[0], 4)[1]
        chunks = [chunk for group in row_groups for chunk in value(group, 1)[1]]
        assert len(chunks) == 8 * len(row_groups)
        assert all(field not in (4, 6) for chunk in chunks for field, _, _ in chunk)


def test_the_codec_keeps_what_parquet_footers_do_not_use():
    fields = [
        (1, 1, True),
        (2, 2, False),
        (3, 3, 7),
        (4, 4, -300),
        (40, 6, -(2**62)),  # a jump of more than 15 ids
        (41, 7, b"\x00\x00\x00\x00\x00\x00\xf8\x7f"),
        (42, 9, (1, [True, False, True])),
        (43, 10, (5, list(range(-20, 20)))),  # long enough for the size in a varint
        (44, 12, [(1, 8, b"x"), (20, 12, [])]),
        (45, 9, (8, [b"y"] * 14)),
        (46, 9, (8, [b"z"] * 15)),
    ]
    assert decode(encode(fields)) == fields
    assert encode(fields)[:2] == b"\x11\x12"
    with pytest.raises(ValueError, match="type 11"):
        decode(b"\x1b\x00\x00")


def test_a_single_part_is_left_as_it_is(parts):
    before = parts[1].read_bytes()
    append(parts[1:2])
    assert parts[1].read_bytes() == before


def test_parts_of_another_schema_are_refused_by_name(tmp_path, parts):
    con = duck()
    other = tmp_path / "other.parquet"
    con.execute(f"COPY (SELECT 1 AS n, 'x' AS low) TO '{other}' (FORMAT parquet)")
    before = [digest(part) for part in [*parts, other]]
    with pytest.raises(ValueError, match=re.escape(f"{other}: schema differs")):
        append([parts[0], other, parts[1]])  # every footer is read before the first is touched
    assert [digest(part) for part in [*parts, other]] == before


def test_a_file_that_is_not_parquet_is_refused_by_name(tmp_path, parts):
    first = digest(parts[0])
    bogus = tmp_path / "bogus.parquet"
    bogus.write_bytes(b"PAR1 this is not a footer, nor a file PAR1")
    truncated = tmp_path / "truncated.parquet"
    truncated.write_bytes(parts[0].read_bytes()[:-1])
    for bad in (bogus, truncated):
        with pytest.raises(ValueError, match=re.escape(f"{bad}: not a Parquet file")):
            append([parts[0], bad])
    garbled = tmp_path / "garbled.parquet"
    data = parts[0].read_bytes()
    garbled.write_bytes(data[:-100] + b"\xff" * 92 + data[-8:])
    with pytest.raises(ValueError, match=re.escape(f"{garbled}: unreadable Parquet footer")):
        append([parts[0], garbled])
    assert digest(parts[0]) == first
    encrypted = tmp_path / "encrypted.parquet"
    encrypted.write_bytes(b"PARE" + b"\x00" * 8 + (4).to_bytes(4, "little") + b"PARE")
    with pytest.raises(ValueError, match=re.escape(f"{encrypted}: encrypted")):
        append([encrypted])
