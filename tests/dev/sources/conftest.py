"""Helpers for the inference tests: write a contract from a sample, then convert the sample
with it, as a run would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from strata.contracts.loader import parse_contract
from strata.convert.converter import FileConversion, Lineage, convert_file
from strata.secrets.local import LocalSecretStore
from strata_dev.sources.new import NewSource, Written, new_source


@pytest.fixture
def infer(tmp_path: Path) -> Callable[..., Written]:
    """``infer(name, kind, sample_path_or_url, **options)`` in a bare project folder."""
    project = tmp_path / "inferred"

    def run(name: str, kind: str, sample: str | Path, **options: Any) -> Written:
        env = options.pop("env", {})
        request = NewSource(name=name, kind=kind, sample=str(sample), **options)
        secrets = LocalSecretStore(env=env, file=project / ".secrets.json")
        return new_source(request, project, secrets)

    return run


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
