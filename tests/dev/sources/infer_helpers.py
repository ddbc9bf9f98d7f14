"""Shared by the inference tests: convert a sample with its inferred contract, as a run would;
write a sample file."""

from __future__ import annotations

from pathlib import Path

from strata.contracts.loader import parse_contract
from strata.convert.converter import FileConversion, Lineage, convert_file
from strata_dev.sources.new import Written


def convert(written: Written, sample: Path, out: Path) -> FileConversion:
    """The sample converted with the written contract, rows accounted for."""
    contract = parse_contract(written.contract.read_text(encoding="utf-8"), written.contract.name)
    raw_key = f"{contract.name}/ingest_date=2026-12-05/run_id=r1/{sample.name}"
    lineage = Lineage(raw_key, "2026-12-05 08:00:00", "run-1", "2026-12-05")
    result = convert_file(contract, sample, lineage, out, "fid")
    result.check_accounting()
    return result


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
