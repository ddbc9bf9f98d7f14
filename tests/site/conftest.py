"""Site fixtures: the repository's dashboards in the project, a small warehouse and run report
written directly (fast), and, once per session, the demo lake built by a real `strata run`."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from strata.lake import state_keys
from strata.lake.keys import report_key
from strata.runtime import Context

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def with_dashboards(project_dir: Path) -> Path:
    """The project with the repository's dashboards."""
    shutil.copytree(REPO / "dashboards", project_dir / "dashboards")
    return project_dir


def write_page(project_dir: Path, name: str, text: str) -> str:
    path = project_dir / "dashboards" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return f"dashboards/{name}"


DAILY_REVENUE = [
    ("2026-11-01", "email", 3, 120.50),
    ("2026-11-01", "social", 2, 80.00),
    ("2026-11-02", "email", 1, 40.25),
    ("2026-11-02", "social", 4, 210.00),
]


def small_warehouse(ctx: Context) -> None:
    """analytics.daily_revenue with a few known rows: no pipeline needed."""
    warehouse = ctx.ports.warehouse
    warehouse.execute_native("create schema if not exists analytics")  # type: ignore[attr-defined]
    warehouse.execute_native(  # type: ignore[attr-defined]
        "create or replace table analytics.daily_revenue "
        "(order_date date, channel varchar, orders integer, revenue decimal(12, 2))"
    )
    for row in DAILY_REVENUE:
        warehouse.execute_native(  # type: ignore[attr-defined]
            "insert into analytics.daily_revenue values (?, ?, ?, ?)", list(row)
        )


def record_run(ctx: Context, run_id: str, report: dict) -> None:
    """A finished run as the Report step leaves it: its record and its report."""
    report = {"run_id": run_id, "status": "succeeded", "passed": True, **report}
    ctx.ports.artifacts.put_bytes(report_key(run_id), json.dumps(report).encode())
    summary = {k: report.get(k) for k in ("run_id", "status", "passed", "started_at")}
    ctx.ports.state.put(
        state_keys.RUN,
        run_id,
        {**summary, "sources": report.get("sources", {}), "report_key": report_key(run_id)},
    )


# ---- the demo lake, built once per session by a real `strata run` ----

DEMO_LOCAL = REPO / "tests" / "dev" / "local"


@pytest.fixture(scope="session")
def demo_lake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the project with the sample data run through the whole pipeline; the run
    builds the site (lake/site) at its end. Returns the project folder."""
    if str(DEMO_LOCAL) not in sys.path:
        sys.path.insert(0, str(DEMO_LOCAL))
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from demo_project import point_at_servers

    from samples.servers.demo import DemoServers
    from strata_dev.cli.main import main

    project = tmp_path_factory.mktemp("demo") / "project"
    for part in ("sources", "warehouse", "statemachines", "functions", "dashboards"):
        shutil.copytree(REPO / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "template.yaml", project / "template.yaml")
    samples = REPO / "samples"
    with DemoServers(api_port=0, sftp_port=0) as servers, pytest.MonkeyPatch.context() as mp:
        mp.setenv("POWERTOOLS_METRICS_DISABLED", "true")
        mp.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
        point_at_servers(project, servers)
        base = ["--project-dir", str(project)]
        for source, pattern in (
            ("orders", "orders/*.csv"),
            ("shipments", "shipments/*.ndjson"),
            ("marketing_spend", "marketing_spend/*.xlsx"),
        ):
            files = [str(path) for path in sorted(samples.glob(pattern))]
            assert main([*base, "upload", source, *files]) == 0
        assert main([*base, "run"]) == 0
    yield project
