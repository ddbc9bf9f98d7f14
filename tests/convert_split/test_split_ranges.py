"""The split path for a file beyond one invocation (docs/architecture.md, "Scale on paper"): a
file cut into byte ranges at record boundaries (``pieces.split``), each range converted by a
process of its own that gets only the header and its range (``pieces.range_file``), gives the
rows one conversion of the whole file gives: the same values, the same lineage, each row's
number once offset by the records of the ranges before it (what the invocations' count step
hands each one), and the same accounting."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import duckdb
import yaml
from invocation import LINEAGE

from strata.contracts.loader import load_contract
from strata.convert import pieces
from strata.convert.converter import convert_file

HERE = Path(__file__).resolve().parent

CONTRACT = {
    "name": "orders",
    "description": "orders, split by byte range",
    "owner": "tests",
    "kind": "s3_drop",
    "s3_drop": {"prefix": "orders/"},
    "format": {"type": "csv"},
    "schema": [
        {"name": "id", "type": "bigint", "nullable": False},
        {"name": "note", "type": "string"},
        {"name": "amount", "type": "decimal(10,2)", "nullable": False},
        {"name": "day", "type": "date", "nullable": False},
    ],
    "primary_key": ["id"],
    "partitioning": {"by": "event_date", "column": "day", "granularity": "day"},
    "quality": [{"rule": "range", "column": "amount", "min": 0}],
    "reject_threshold": 1.0,
}


def _csv(records: int) -> bytes:
    """Quoted values with newlines, commas and quotes (a cut must not fall inside one),
    multibyte text, amounts that cannot be read or break the rule."""
    lines = ["id,note,amount,day"]
    for n in range(1, records + 1):
        note = f'"line one\nline two, ""{n}"" é"' if n % 97 == 0 else f"note {n} ü"
        amount = f"{n % 900}.{n % 100:02d}"
        amount = "lots" if n % 301 == 0 else ("-1.00" if n % 503 == 0 else amount)
        lines.append(f"{n},{note},{amount},2026-11-{20 + n % 3:02d}")
    return ("\n".join(lines) + "\n").encode()


def _rows(files: list[str]) -> list[tuple]:
    listed = ", ".join(f"'{path}'" for path in files)
    return duckdb.execute(
        f"SELECT * FROM read_parquet([{listed}], hive_partitioning = false) ORDER BY _row_number"
    ).fetchall()


def _invoke(contract: Path, raw: Path, start: int, end: int, header: int, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, str(HERE / "invocation.py"), str(contract), str(raw), str(start),
         str(end), str(header), str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_file_split_by_byte_range_over_separate_invocations_gives_one_conversions_rows(
    tmp_path,
):
    contract_path = tmp_path / "orders.yaml"
    contract_path.write_text(yaml.safe_dump(CONTRACT, sort_keys=False))
    contract = load_contract(contract_path)
    raw = tmp_path / "big.csv"
    raw.write_bytes(_csv(6_000))

    whole = convert_file(contract, raw, LINEAGE, tmp_path / "whole", "big")
    whole.check_accounting()
    assert whole.rows_quarantined > 0

    ranges = pieces.split(raw, '"', range_bytes=raw.stat().st_size // 3 + 1)
    assert len(ranges) == 3
    assert ranges[0][0] == 0 and ranges[-1][1] == raw.stat().st_size
    assert all(one[1] == two[0] for one, two in pairwise(ranges))  # no byte lost or doubled
    header = pieces.header_end(raw, '"')
    with ThreadPoolExecutor(max_workers=len(ranges)) as pool:
        calls = [
            pool.submit(_invoke, contract_path, raw, start, end, header, tmp_path / f"r{index}")
            for index, (start, end) in enumerate(ranges)
        ]
        results = [call.result() for call in calls]

    # The accounting adds up to the whole file's.
    for count in ("rows_in", "rows_out", "rows_quarantined"):
        assert sum(result[count] for result in results) == getattr(whole, count), count
    # Each range numbers its records from 1; the count step gives each the records before it.
    split_rows, before = [], 0
    for result in results:
        for row in _rows(result["files"]):
            split_rows.append((*row[:-1], row[-1] + before))
        before += result["rows_in"]
    expected = _rows([str(path) for path in whole.files])
    assert len(expected) == whole.rows_out
    assert sorted(split_rows, key=lambda row: row[-1]) == expected
