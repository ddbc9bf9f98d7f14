"""The two Map modes, locally: above InlineMapLimit the pipeline converts in a distributed Map
that reads Discover's item file and writes its results to the artifacts store; below it, the
inline Map as before. Both reach the same lake."""

from __future__ import annotations

import json
import re
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from strata.runtime import Context
from strata_dev.cli.main import main
from strata_dev.console import Console
from strata_dev.local.run import land_drops
from strata_dev.local.stepfunctions import local_step_functions

REPO = Path(__file__).resolve().parents[3]
DROPS = {
    "orders": sorted((REPO / "samples" / "orders").glob("*.csv")),
    "shipments": sorted((REPO / "samples" / "shipments").glob("*.ndjson")),
    "marketing_spend": [REPO / "samples" / "marketing_spend" / "marketing_spend_2026-11.xlsx"],
}

pytestmark = pytest.mark.slow


def land_samples(ctx: Context) -> int:
    count = 0
    for source, paths in DROPS.items():
        prefix = ctx.project.contract(source).s3_drop.prefix
        for path in paths:
            ctx.ports.landing.put_file(f"{prefix}{path.name}", path)
            count += 1
    return count


def run_drops(ctx: Context, project_dir: Path, limit: str) -> tuple[str, set[str], list[str]]:
    """Lands the sample drops and runs the pipeline once: (status, Map states entered, history
    event types)."""
    with local_step_functions(ctx, project_dir, {"InlineMapLimit": limit}) as machine:
        land_drops(ctx, machine, project_dir, Console(StringIO()), list(DROPS))
        execution = machine.wait(machine.start("run-1", {"sources": list(DROPS)}))
        events = machine._history(execution.arn)
    entered = {
        e["stateEnteredEventDetails"]["name"] for e in events if e["type"] == "MapStateEntered"
    }
    return execution.status, entered, [e["type"] for e in events]


def report(ctx: Context, run_id: str = "run-1") -> dict[str, Any]:
    return json.loads(ctx.ports.artifacts.get_bytes(f"runs/{run_id}/report.json"))


def test_above_the_limit_the_distributed_map_converts_every_object_exactly_once(ctx, project_dir):
    landed = land_samples(ctx)
    assert landed == 6
    status, entered, events = run_drops(ctx, project_dir, limit="2")
    assert status == "SUCCEEDED"
    assert entered == {"ConvertEachDistributed", "RunWave"}  # RunWave: the models, inline
    assert "MapRunStarted" in events and "MapRunSucceeded" in events

    listed = json.loads(ctx.ports.artifacts.get_bytes("runs/run-1/items.json"))
    assert len(listed) == landed
    manifests = [
        json.loads(ctx.ports.artifacts.get_bytes(info.key))
        for info in ctx.ports.artifacts.list("runs/run-1/conversions/")
    ]
    assert sorted(m["raw_key"] for m in manifests) == sorted(item["raw_key"] for item in listed)
    written = [info.key for info in ctx.ports.artifacts.list("runs/run-1/map/")]
    assert any(key.endswith("/manifest.json") for key in written)
    assert any(key.endswith("/SUCCEEDED_0.json") for key in written)

    result = report(ctx)
    assert result["status"] == "succeeded"
    assert sorted(f["raw_key"] for f in result["files"]) == sorted(m["raw_key"] for m in manifests)
    assert result["sources"]["orders"]["files"] == 3
    assert result["sources"]["orders"]["rows_in"] == 190
    assert result["sources"]["orders"]["rows_out"] == 185
    assert result["sources"]["shipments"]["rows_quarantined"] == 3
    assert result["sources"]["marketing_spend"]["rows_out"] == 15
    for source in result["sources"].values():
        assert source["rows_in"] == source["rows_out"] + source["rows_quarantined"]


def test_at_or_below_the_limit_the_inline_map_converts_as_before(ctx, project_dir):
    landed = land_samples(ctx)
    status, entered, events = run_drops(ctx, project_dir, limit=str(landed))
    assert status == "SUCCEEDED"
    assert entered == {"ConvertEach", "RunWave"}  # RunWave: the models, always inline
    assert "MapRunStarted" not in events
    assert not list(ctx.ports.artifacts.list("runs/run-1/map/"))
    result = report(ctx)
    assert result["status"] == "succeeded" and len(result["files"]) == landed


def demo(project: Path, *run_args: str) -> int:
    for source, paths in DROPS.items():
        assert main(["--project-dir", str(project), "upload", source, *map(str, paths)]) == 0
    return main(["--project-dir", str(project), "run", *run_args])


def query(project: Path, sql: str, capsys) -> list[str]:
    capsys.readouterr()
    assert main(["--project-dir", str(project), "query", sql]) == 0
    return capsys.readouterr().out.splitlines()[2:]


def lake_report(project: Path) -> dict[str, Any]:
    return json.loads(
        next((project / "lake" / "artifacts" / "runs").glob("*/report.json")).read_text()
    )


def test_strata_run_reaches_the_same_lake_with_either_map(project_dir, tmp_path, capsys):
    inline_project = shutil.copytree(project_dir, tmp_path / "inline")
    assert demo(inline_project) == 0
    assert "distributed" not in capsys.readouterr().out
    assert demo(project_dir, "--inline-map-limit", "2") == 0
    out = capsys.readouterr().out
    assert re.search(r"11 new raw object\(s\) to convert in \d+ batch\(es\) \(distributed Map", out)

    assert lake_report(project_dir)["sources"] == lake_report(inline_project)["sources"]
    for sql in (
        # the raw keys differ by ingest run id: compare file names
        "select regexp_replace(_source_file, '^.*/', ''), count(*), sum(amount)"
        " from cleansed.orders group by 1 order by 1",
        "select count(*), count(distinct shipment_id) from cleansed.shipments",
        "select * from analytics.daily_revenue order by 1, 2",
    ):
        assert query(project_dir, sql, capsys) == query(inline_project, sql, capsys), sql


def test_a_failing_object_in_the_distributed_map_fails_the_run_but_not_the_others(
    project_dir, capsys, failing_orders_file
):
    assert demo(project_dir, "--inline-map-limit", "2") == 1
    captured = capsys.readouterr()
    assert "distributed Map" in captured.out and "partial" in captured.err
    assert re.search(r"orders_2026-11-02\.csv failed: ConversionError: .*injected", captured.out)
    assert "failure alert published" in captured.out
    result = lake_report(project_dir)
    assert result["status"] == "partial"
    assert result["sources"]["orders"]["files_failed"] == 1
    assert result["sources"]["orders"]["rows_out"] == 125
    assert result["sources"]["shipments"]["files_failed"] == 0
    sources = query(
        project_dir, "select distinct _source_file from cleansed.orders order by 1", capsys
    )
    assert len(sources) == 2 and not any("11-02" in s for s in sources)
    assert query(project_dir, "select count(*) from analytics.daily_revenue", capsys) != ["0"]
