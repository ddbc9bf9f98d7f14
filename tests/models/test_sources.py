"""Sources YAML generated from the contracts, and dbt's own parser accepting the project."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from strata.models.sources import SOURCES_FILE, sources_yaml
from strata_dev.cli.main import main

REPO = Path(__file__).resolve().parents[2]
DBT = REPO / ".tools" / "dbt" / "bin" / "dbt"


def test_the_committed_sources_file_is_generated_from_the_contracts(ctx):
    expected = sources_yaml(ctx.project.contracts, ctx.settings.external_schema)
    assert (REPO / "warehouse" / SOURCES_FILE).read_text() == expected
    source = yaml.safe_load(expected)["sources"][0]
    assert source["name"] == "lake" and source["schema"] == "cleansed"
    assert source["config"] == {"loaded_at_field": "_ingested_at"}
    orders = next(table for table in source["tables"] if table["name"] == "orders")
    columns = [column["name"] for column in orders["columns"]]
    assert columns[:2] == ["order_id", "customer_id"] and "_ingested_at" in columns


def test_strata_models_sources_regenerates_and_checks_the_file(project_dir, capsys):
    path = project_dir / "warehouse" / SOURCES_FILE
    args = ["--project-dir", str(project_dir), "models", "sources"]
    assert main([*args, "--check"]) == 0
    contract = project_dir / "sources" / "orders.yaml"
    contract.write_text(contract.read_text().replace("Order total including tax.", "Total."))
    assert main([*args, "--check"]) == 1
    assert "_sources.yml is out of date" in capsys.readouterr().err
    assert main(args) == 0
    assert "description: Total." in path.read_text()
    assert main([*args, "--check"]) == 0


@pytest.mark.skipif(not DBT.exists(), reason="dbt-core not installed: make dbt-tools")
def test_dbt_core_parses_the_warehouse_project(tmp_path):
    project = tmp_path / "warehouse"
    shutil.copytree(REPO / "warehouse", project)
    completed = subprocess.run(
        [
            str(DBT),
            "parse",
            "--warn-error",
            "--profiles-dir",
            ".",
            "--project-dir",
            ".",
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        timeout=180,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (tmp_path / "target" / "manifest.json").exists()
