"""Shared by the conversion tests: a small contract, a converter call, readers of the outputs."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import yaml

from strata.contracts.loader import parse_contract
from strata.contracts.model import SourceContract
from strata.convert.converter import FileConversion, Lineage, convert_file

RAW_KEY = "things/ingest_date=2026-11-24/run_id=r1/f.csv"
LINEAGE = Lineage(RAW_KEY, "2026-11-24 08:00:00", "run-1", "2026-11-24")

BASE = {
    "name": "things",
    "description": "test source",
    "owner": "tests",
    "kind": "s3_drop",
    "s3_drop": {"prefix": "things/"},
    "format": {"type": "csv"},
    "schema": [
        {"name": "id", "type": "bigint", "nullable": False},
        {"name": "name", "type": "string"},
        {"name": "amount", "type": "decimal(8,2)"},
    ],
    "reject_threshold": 1.0,
}


def contract(**changes: object) -> SourceContract:
    """The base contract with top-level fields replaced; ``format`` is merged."""
    body = {**BASE, **changes}
    if "format" in changes:
        body["format"] = {**BASE["format"], **changes["format"]}  # type: ignore[dict-item]
    return parse_contract(yaml.safe_dump(body, sort_keys=False), "things.yaml")


def convert_bytes(
    tmp_path: Path, data: bytes, source: SourceContract | None = None, name: str = "f.csv", **kw
) -> FileConversion:
    raw = tmp_path / "raw" / name
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_bytes(data)
    result = convert_file(source or contract(), raw, LINEAGE, tmp_path / "out", "fid", **kw)
    result.check_accounting()
    return result


def rows(result: FileConversion, columns: str = "*", order: str = "_row_number") -> list[tuple]:
    if not result.files:
        return []
    files = ", ".join(f"'{path}'" for path in result.files)
    return duckdb.sql(
        f"SELECT {columns} FROM read_parquet([{files}], hive_partitioning = true, "
        f"union_by_name = true) ORDER BY _source_file, {order}"
    ).fetchall()


def rejects(result: FileConversion) -> list[dict]:
    if result.rejects_file is None:
        return []
    return [json.loads(line) for line in result.rejects_file.read_text().splitlines()]


def accounting(result: FileConversion) -> tuple[int, int, int]:
    return result.rows_in, result.rows_out, result.rows_quarantined
