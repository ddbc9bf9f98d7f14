"""The whole pipeline, locally: the repository's ASL executed by moto's interpreter, handlers
in-process, DuckDB serving the Data API. These are the issue's "done when" checks."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from strata_dev.cli.main import main
from strata_dev.local.stepfunctions import local_step_functions

REPO = Path(__file__).resolve().parents[3]
SAMPLES = sorted((REPO / "samples" / "orders").glob("*.csv"))
SHIPMENTS = sorted((REPO / "samples" / "shipments").glob("*.ndjson"))
SPEND = REPO / "samples" / "marketing_spend" / "marketing_spend_2026-11.xlsx"

pytestmark = pytest.mark.slow


def cli(project: Path, *args: str) -> int:
    return main(["--project-dir", str(project), *args])


def demo(project: Path) -> int:
    assert cli(project, "upload", "orders", *map(str, SAMPLES)) == 0
    assert cli(project, "upload", "shipments", *map(str, SHIPMENTS)) == 0
    assert cli(project, "upload", "marketing_spend", str(SPEND)) == 0
    return cli(project, "run")


def rows(project: Path, sql: str, capsys) -> list[str]:
    capsys.readouterr()
    assert cli(project, "query", sql) == 0
    return [line.strip() for line in capsys.readouterr().out.splitlines()[2:]]


def test_local_run_executes_exactly_the_repository_definition(ctx, project_dir):
    with local_step_functions(ctx, project_dir) as machine:
        created = machine._sfn.describe_state_machine(stateMachineArn=machine.state_machine_arn)
        substitutions = machine.substitutions
    text = (project_dir / "statemachines" / "pipeline.asl.json").read_text()
    placeholders = set(re.findall(r"\$\{(\w+)\}", text))
    assert placeholders <= set(substitutions)  # every placeholder filled
    for name, value in substitutions.items():
        text = text.replace("${" + name + "}", value)
    assert json.loads(created["definition"]) == json.loads(text)


def test_demo_prints_analytics_and_a_second_run_changes_nothing(project_dir, capsys):
    assert demo(project_dir) == 0
    out = capsys.readouterr().out
    assert re.search(r"^orders +3 +190 +185 +5 +0 +-$", out, re.MULTILINE)
    assert re.search(r"^orders_api +3 +60 +60 +0 +0 +-$", out, re.MULTILINE)
    assert re.search(r"^customers +2 +24 +24 +0 +0 +-$", out, re.MULTILINE)
    # the carrier's drops: a truncated line, an unknown status, an unreadable timestamp
    assert re.search(r"^shipments +2 +158 +155 +3 +0 +-$", out, re.MULTILINE)
    assert re.search(r"^marketing_spend +1 +15 +15 +0 +0 +-$", out, re.MULTILINE)
    for model in ("marketing_vs_revenue", "shipping_performance", "stg_shipments"):
        assert f"built {model}" in out
    assert "catalog crawl: READY" in out
    assert re.search(r"tests passed: (\d+)/\1\b", out)  # every test passed
    first = rows(project_dir, "select * from analytics.daily_revenue order by 1, 2", capsys)
    assert len(first) == 16

    assert demo(project_dir) == 0
    again = capsys.readouterr().out
    assert "0 new file(s) landed in raw, 6 already landed" in again
    assert "ingest customers (sftp): 0 new file(s) landed, 2 already landed" in again
    assert "ingest orders_api (api): 0 page(s) landed" in again
    second = sorted((project_dir / "lake" / "artifacts" / "runs").glob("*/warehouse"))[-1]
    results = json.loads((second / "run_results.json").read_text())["results"]
    fct_orders = next(r for r in results if r["unique_id"] == "model.strata.fct_orders")
    assert fct_orders["message"] == "0 new or changed rows merged"  # incremental: nothing new
    assert rows(project_dir, "select * from analytics.daily_revenue order by 1, 2", capsys) == first
    duplicates = rows(
        project_dir, "select count(*) - count(distinct order_id) from stage.stg_orders", capsys
    )
    assert duplicates == ["0"]
    # C-0003 moved to Dijon in the second day's file: one row, from the latest delivery
    moved = "select customer_id, city from stage.stg_customers where customer_id = 'C-0003'"
    assert [line.split() for line in rows(project_dir, moved, capsys)] == [["C-0003", "Dijon"]]
    counts = rows(
        project_dir, "select count(*), count(distinct _source_file) from cleansed.orders", capsys
    )
    assert counts[0].split() == ["185", "3"]


def test_a_malformed_contract_stops_run_and_validate_before_anything_is_written(
    project_dir, capsys
):
    contract = project_dir / "sources" / "orders.yaml"
    contract.write_text(contract.read_text().replace("type: decimal(12,2)", "type: money"))
    assert cli(project_dir, "validate") == 1
    assert cli(project_dir, "run") == 1
    err = capsys.readouterr().err
    assert "sources/orders.yaml:" in err and "schema.5.type" in err and "decimal(p,s)" in err
    assert not (project_dir / "lake").exists()


def test_a_failing_conversion_fails_the_run_visibly_while_other_files_reach_analytics(
    project_dir, capsys, failing_orders_file
):
    assert demo(project_dir) == 1
    captured = capsys.readouterr()
    assert "ConversionError" in captured.out and "partial" in captured.err
    assert "failure alert published" in captured.out
    report_path = next((project_dir / "lake" / "artifacts" / "runs").glob("*/report.json"))
    report = json.loads(report_path.read_text())
    assert report["status"] == "partial" and not report["passed"]
    assert report["sources"]["orders"]["files_failed"] == 1
    assert report["sources"]["orders"]["rows_out"] == 125
    sources = rows(
        project_dir, "select distinct _source_file from cleansed.orders order by 1", capsys
    )
    assert len(sources) == 2 and not any("11-02" in s for s in sources)
    assert len(rows(project_dir, "select * from analytics.daily_revenue", capsys)) > 0


def test_upload_rejects_a_source_that_does_not_exist(project_dir, capsys):
    assert cli(project_dir, "upload", "ghosts", str(SAMPLES[0])) == 1
    assert "no contract for source 'ghosts'" in capsys.readouterr().err


def test_runs_without_new_files_still_succeed(project_dir, capsys):
    shutil.rmtree(project_dir / "lake", ignore_errors=True)
    assert cli(project_dir, "run") == 0  # the api and sftp sources deliver their files
    capsys.readouterr()
    assert cli(project_dir, "run") == 0
    assert "0 new raw object(s) to convert" in capsys.readouterr().out


def test_an_unreachable_source_fails_the_run_while_the_others_reach_analytics(
    project_dir, demo_servers, capsys
):
    demo_servers.sftp.stop()
    assert demo(project_dir) == 1
    captured = capsys.readouterr()
    assert "ingest customers (sftp) failed" in captured.out
    assert "ingestion of customers failed" in captured.err and "cannot reach" in captured.err
    # The functions' JSON log lines go to the lake's log file, not between the progress lines.
    assert '{"level"' not in captured.out + captured.err
    log = (project_dir / "lake" / "logs" / "strata.log").read_text(encoding="utf-8")
    assert '"message":"ingestion failed"' in log and '"source":"customers"' in log
    run_id = next((project_dir / "lake" / "artifacts" / "runs").glob("*/report.json")).parent.name
    assert cli(project_dir, "runs", "show", run_id) == 1
    assert "ingestion of customers failed" in capsys.readouterr().out
    assert len(rows(project_dir, "select * from analytics.daily_revenue", capsys)) == 16


def test_validate_checks_contracts_models_and_the_definition_against_the_template(
    project_dir, capsys
):
    assert cli(project_dir, "validate") == 0
    assert "statemachines/pipeline.asl.json matches" in capsys.readouterr().out
    definition = project_dir / "statemachines" / "pipeline.asl.json"
    definition.write_text(definition.read_text().replace("${ReportFunctionArn}", "${Reporter}", 1))
    assert cli(project_dir, "validate") == 1
    assert "${Reporter} has no DefinitionSubstitutions entry" in capsys.readouterr().err


def test_the_demo_answers_spend_against_revenue_and_shipping_against_promise(project_dir, capsys):
    from openpyxl import load_workbook

    assert demo(project_dir) == 0
    sheet = load_workbook(SPEND, read_only=True)["Spend"]
    workbook_total = sum(
        Decimal(str(row[3])) for row in sheet.iter_rows(min_row=4, values_only=True)
    )
    spend, revenue, roas = rows(
        project_dir,
        "select sum(spend), sum(revenue), count(roas) from analytics.marketing_vs_revenue",
        capsys,
    )[0].split()
    assert Decimal(spend) == workbook_total  # every row of the workbook, counted once
    daily = rows(project_dir, "select sum(revenue) from analytics.daily_revenue", capsys)
    assert Decimal(revenue) == Decimal(daily[0])  # every order's revenue, on some channel
    assert int(roas) == 12  # 4 paid channels × 3 days; organic has no spend, so no ROAS
    paid = rows(
        project_dir,
        "select count(*) from analytics.marketing_vs_revenue where roas <= 0 or roas > 50",
        capsys,
    )
    assert paid == ["0"]

    performance = rows(
        project_dir,
        "select count(*), sum(shipments), min(on_time_rate), max(on_time_rate),"
        " sum(delivered_on_time + delivered_late + in_transit) - sum(shipments),"
        " max(max_late_days) from analytics.shipping_performance",
        capsys,
    )[0].split()
    count, shipments, low, high, unaccounted, latest = performance
    assert int(count) > 0 and int(unaccounted) == 0
    staged = rows(project_dir, "select count(*) from stage.stg_shipments", capsys)
    assert shipments == staged[0] and int(shipments) > 50  # one row per shipment
    assert 0 <= float(low) <= float(high) <= 1 and float(high) > 0
    assert 0 < int(latest) < 10


def test_an_unknown_source_is_a_usage_error_before_anything_runs(project_dir, capsys):
    assert cli(project_dir, "run", "--source", "nosuch") == 2
    err = capsys.readouterr().err
    assert "--source: no contract for nosuch" in err and "orders" in err
    assert not (project_dir / "lake" / "state.sqlite").exists()


def test_a_run_of_one_source_builds_what_reads_it_and_what_that_needs(project_dir, capsys):
    assert demo(project_dir) == 0
    capsys.readouterr()
    assert cli(project_dir, "run", "--source", "shipments") == 0
    out = capsys.readouterr().out
    # stg_shipments and what reads it, with the orders it joins; not the spend, nor revenue.
    assert "built stg_shipments" in out and "built shipping_performance" in out
    assert "built stg_orders" in out
    assert "built stg_marketing_spend" not in out and "built daily_revenue" not in out
    assert cli(project_dir, "run", "--select", "nosuch") == 2
    assert "selector 'nosuch' matches no model" in capsys.readouterr().err
