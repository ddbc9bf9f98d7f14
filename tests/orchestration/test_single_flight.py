"""Overlapping runs never process the same raw object twice; a failed object is retried."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

from strata.lake import claims
from strata.lake.payloads import DiscoveredItem
from strata.liveness.process import ProcessLiveness
from strata.orchestration.discover import discover
from strata_dev.console import Console
from strata_dev.local.run import land_drops
from strata_dev.local.stepfunctions import local_step_functions

REPO = Path(__file__).resolve().parents[2]
K = DiscoveredItem(source="orders", raw_key="k")


def test_two_runs_started_at_once_convert_each_raw_object_exactly_once(ctx, project_dir):
    for path in sorted((REPO / "samples" / "orders").glob("*.csv")):
        ctx.ports.landing.put_file(f"orders/{path.name}", path)
    with local_step_functions(ctx, project_dir) as machine:
        land_drops(ctx, machine, project_dir, Console(StringIO()), None)
        arns = [machine.start(name, {}) for name in ("run-a", "run-b")]
        executions = [machine.wait(arn) for arn in arns]
    # A run whose models were deferred (the other held the warehouse) says so and fails:
    # its status, its report and its execution agree.
    for name, execution in zip(("run-a", "run-b"), executions, strict=True):
        report = json.loads(ctx.ports.artifacts.get_bytes(f"runs/{name}/report.json"))
        assert report["status"] in ("succeeded", "deferred")
        assert (execution.status == "SUCCEEDED") == (report["status"] == "succeeded")
    manifests = [
        json.loads(ctx.ports.artifacts.get_bytes(info.key))
        for info in ctx.ports.artifacts.list("runs/")
        if "/conversions/" in info.key
    ]
    converted = [manifest["raw_key"] for manifest in manifests]
    assert len(converted) == 3 and len(set(converted)) == 3
    total = ctx.ports.warehouse.run(
        "SELECT count(*), count(DISTINCT _row_number || _source_file) FROM cleansed.orders"
    )
    assert total.rows == [(185, 185)]


def test_a_claim_blocks_other_live_runs_and_a_dead_runs_claim_is_taken_over_at_once(ctx):
    ctx.ports.state.put("pending#orders", "k", {"raw_key": "k"})
    assert discover(ctx, "run-1") == [K]
    assert discover(ctx, "run-2") == []
    assert discover(ctx, "run-1") == [K]  # a retried step
    # run-1 is now a process that was killed: its claim binds no one.
    dead = ProcessLiveness(pid=_dead_pid())
    ctx.ports.state.delete("claim#orders", "k")
    now = datetime.now(UTC)
    taken = claims.take(
        ctx.ports.state,
        "claim#orders",
        "k",
        claims.Claimant.of(dead, "run-1"),
        now=now,
        lease=timedelta(hours=3),
    )
    assert isinstance(taken, claims.Claim)
    assert discover(ctx, "run-3") == [K]


def _dead_pid() -> int:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_a_failed_conversion_releases_its_claim_for_the_next_run(ctx, report_input):
    from strata.orchestration.report import publish_report

    ctx.ports.state.put("pending#orders", "k", {"raw_key": "k"})
    assert discover(ctx, "run-1")
    failed = {"source": "orders", "raw_key": "k", "status": "failed", "error": "X"}
    assert publish_report(ctx, report_input("run-1", [{"files": [failed]}])).status == "partial"
    assert discover(ctx, "run-2") == [K]


def test_a_second_warehouse_build_is_deferred_until_the_first_releases_the_lock(ctx, report_input):
    from strata.models.service import release_build_lock, start_run
    from strata.orchestration.report import build_report

    first = start_run(ctx, "run-1")
    assert first.wave and not first.done
    second = start_run(ctx, "run-2")
    assert second.done and second.summary and second.summary.status == "deferred"
    assert "run run-1 (process" in str(second.summary.message)
    report = build_report(ctx, report_input("run-2", summary=second.summary.dump()))
    assert report["status"] == "deferred" and not report["passed"]
    assert report["warehouse_status"] == "deferred"
    release_build_lock(ctx, "run-1")
    assert not start_run(ctx, "run-3").done
