"""The pipeline over one sample source per legacy or vendor format (samples/legacy, contracts in
tests/formats/project): uploaded, landed, converted by the real state machine, accounted row
for row in the run report, and read by a model. A statement whose trailer miscounts its
records is quarantined whole with the reason."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from strata_dev.cli.main import main

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "project"
SAMPLES = REPO / "samples" / "legacy"

pytestmark = pytest.mark.slow

# source: (rows in, rows out, rows quarantined, files quarantined) in the run report
EXPECTED = {
    "bank_statements": (12, 6, 6, 1),  # the second statement's trailer miscounts
    "carrier_events": (8, 7, 1, 0),
    "erp_invoices": (8, 7, 1, 0),
    "eu_sales": (5, 4, 1, 0),
    "finance_budgets": (13, 12, 1, 0),
    "pos_exports": (12, 12, 0, 0),
    "store_sales": (36, 35, 1, 0),
    "vendor_products": (5, 4, 1, 0),
    "warehouse_stock": (6, 5, 1, 0),
}


def cli(project: Path, *args: str) -> int:
    return main(["--project-dir", str(project), *args])


@pytest.fixture
def legacy_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    for part in ("statemachines", "functions"):
        shutil.copytree(REPO / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "template.yaml", project / "template.yaml")
    assert cli(project, "models", "sources") == 0
    assert cli(project, "template") == 0
    return project


def test_every_legacy_format_runs_through_the_pipeline_with_exact_accounting(
    legacy_project, tmp_path, capsys
):
    miscounted = tmp_path / "statement_2026-11-25.csv"
    text = (SAMPLES / "bank_statements" / "statement_2026-11-24.csv").read_text()
    miscounted.write_text(text.replace("RECORDS=6", "RECORDS=7"))
    for source in EXPECTED:
        files = sorted(str(path) for path in (SAMPLES / source).iterdir())
        assert cli(legacy_project, "upload", source, *files) == 0
    assert cli(legacy_project, "upload", "bank_statements", str(miscounted)) == 0

    assert cli(legacy_project, "run") == 0

    [report_file] = (legacy_project / "lake" / "artifacts" / "runs").glob("*/report.json")
    report = json.loads(report_file.read_text())
    found = {
        name: (s["rows_in"], s["rows_out"], s["rows_quarantined"], s["files_quarantined"])
        for name, s in report["sources"].items()
    }
    assert found == EXPECTED
    for entry in report["files"]:  # every file's rows: converted or quarantined
        assert entry["rows_in"] == entry["rows_out"] + entry["rows_quarantined"]
        for member in entry["members"]:
            assert member["rows_in"] == member["rows_out"] + member["rows_quarantined"]

    files = {Path(entry["raw_key"]).name: entry for entry in report["files"]}
    rejected = files["statement_2026-11-25.csv"]
    assert rejected["status"] == "quarantined"
    assert rejected["reason"] == (
        "row count mismatch: footer line 8 ('TRAILER,RECORDS=7,CHECKSUM=0') announces 7 "
        "record(s), the file holds 6"
    )
    stores = files["store_sales_2026-11-24.zip"]
    assert [m["entry"] for m in stores["members"]] == [
        f"stores/store_{n:02d}.csv" for n in range(1, 13)
    ]
    assert stores["drift"] == ["archive entry 'README.txt' skipped (not in members)"]
    sheets = files["budgets_2026.xlsx"]["members"]
    assert [(m["entry"], m["rows_in"]) for m in sheets] == [
        ("Budget 2026 Q1", 6),
        ("Budget 2026 Q2", 7),
    ]

    quarantined = legacy_project / "lake" / "quarantine"
    reasons = {
        path.parts[-4]: [json.loads(line) for line in path.read_text().splitlines()]
        for path in quarantined.glob("*/rows/*/*.ndjson")
    }
    [invoice] = reasons["erp_invoices"]
    assert (invoice["line"], invoice["reason"]) == (
        7,
        "amount: cannot read 0000ABC.00 as decimal(12,2)",
    )
    [stock] = reasons["warehouse_stock"]
    assert (stock["line"], stock["reason"]) == (22, "qty: cannot read three as int")

    capsys.readouterr()
    assert (
        cli(legacy_project, "query", "select count(*), sum(amount) from stage.stg_till_sales") == 0
    )
    assert "47" in capsys.readouterr().out  # 12 receipts from the tills, 35 store tickets
