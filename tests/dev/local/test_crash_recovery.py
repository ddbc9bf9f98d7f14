"""kill -9 at each step of a run, then a plain rerun: it converges to what an uninterrupted run
builds (the same cleansed rows, the same analytics), exits 0, waits on no lease and leaves no
scratch folder; the killed run shows as abandoned. A second run while one is in progress is
refused at once, before it does any work."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CRASHING_CLI = Path(__file__).with_name("crashing_cli.py")
PROJECT_PARTS = ("sources", "warehouse", "statemachines", "functions", "template.yaml")
UPLOADS = {
    "orders": sorted((REPO / "samples" / "orders").glob("*.csv")),
    "shipments": sorted((REPO / "samples" / "shipments").glob("*.ndjson")),
    "marketing_spend": sorted((REPO / "samples" / "marketing_spend").glob("*.xlsx")),
}

pytestmark = pytest.mark.slow


def strata(project: Path, *args: str, fault: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = {**os.environ, "POWERTOOLS_METRICS_DISABLED": "true", "STRATA_LAKE_DIR": ""}
    env.pop("STRATA_LAKE_DIR")
    command = (
        [sys.executable, str(CRASHING_CLI), *fault, "--"]
        if fault
        else [
            sys.executable,
            "-m",
            "strata_dev.cli.main",
        ]
    )
    return subprocess.run(
        [*command, "--project-dir", str(project), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_project_template(tmp_path_factory) -> Iterator[Path]:
    """The repository's project with its api and sftp sources pointed at the sample servers,
    which serve for the whole module (the runs here are separate processes)."""
    from demo_project import point_at_servers

    from samples.servers.demo import DemoServers

    template = tmp_path_factory.mktemp("template") / "project"
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_file():
            template.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, template / part)
        else:
            shutil.copytree(source, template / part, ignore=shutil.ignore_patterns("__pycache__"))
    with DemoServers(api_port=0, sftp_port=0) as servers:
        point_at_servers(template, servers)
        yield template


def upload_samples(project: Path) -> None:
    for source, files in UPLOADS.items():
        done = strata(project, "upload", source, *map(str, files))
        assert done.returncode == 0, done.stderr


def lake_contents(project: Path) -> dict[str, list[tuple]]:
    """Every cleansed, stage and analytics table's rows, lineage columns left out (their run
    ids and times differ from run to run by design)."""
    import duckdb

    contents = {}
    with duckdb.connect(str(project / "lake" / "warehouse.duckdb"), read_only=True) as db:
        tables = db.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('cleansed', 'stage', 'analytics') ORDER BY 1, 2"
        ).fetchall()
        for schema, table in tables:
            columns = [
                name
                for (name,) in db.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                    [schema, table],
                ).fetchall()
                if not name.startswith("_") and name not in ("updated_at", "ingested_at", "run_id")
            ]
            listed = ", ".join(f'"{name}"' for name in columns)
            rows = db.execute(f'SELECT {listed} FROM "{schema}"."{table}"').fetchall()
            contents[f"{schema}.{table}"] = sorted(rows, key=repr)
    return contents


def raw_objects(project: Path) -> int:
    """Landed deliveries (an API source also keeps one manifest per ingestion run in _runs/)."""
    root = project / "lake" / "raw"
    return sum(1 for path in root.rglob("*") if path.is_file() and "_runs" not in path.parts)


def scratch_left_by(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"strata-*-{pid}-*"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory, demo_project_template) -> dict:
    """What an uninterrupted run builds."""
    project = tmp_path_factory.mktemp("reference") / "project"
    shutil.copytree(demo_project_template, project)
    upload_samples(project)
    done = strata(project, "run")
    assert done.returncode == 0, done.stdout + done.stderr
    return {"contents": lake_contents(project), "raw": raw_objects(project)}


# Where the run is killed: (function, nth call, after it returned?).
STEPS = {
    "land": ("strata.ingest.s3_drop:_copy_to_raw", "2", True),
    "convert": ("strata.convert.service:_record", "2", False),
    "crawl": ("strata.models.service:start_run", "1", False),  # the crawl done, the build not begun
    "build": ("strata.warehouse.duckdb:DuckDBWarehouse._run", "8", False),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_run_killed_at_each_step_is_recovered_by_a_plain_rerun(
    step, tmp_path, demo_project_template, reference
):
    project = tmp_path / "project"
    shutil.copytree(demo_project_template, project)
    upload_samples(project)
    target, nth, after = STEPS[step]
    killed = strata(project, "run", fault=(*(("after",) if after else ()), target, nth))
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr

    started = time.monotonic()
    rerun = strata(project, "run")

    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert time.monotonic() - started < 120  # no lease of hours to wait out
    assert "succeeded" in rerun.stdout
    assert lake_contents(project) == reference["contents"]
    assert raw_objects(project) == reference["raw"]  # nothing landed twice
    listing = strata(project, "runs")
    assert "abandoned" in listing.stdout and "running" not in listing.stdout
    assert not scratch_left_by_dead_runs()


def scratch_left_by_dead_runs() -> list[Path]:
    from strata.scratch import PREFIX, pid_alive

    left = []
    for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        pid = path.name.split("-")[2]
        if pid.isdigit() and not pid_alive(int(pid)):
            left.append(path)
    return left


def test_a_second_run_is_refused_at_once_while_one_is_in_progress(tmp_path, demo_project_template):
    project = tmp_path / "project"
    shutil.copytree(demo_project_template, project)
    upload_samples(project)
    env = {**os.environ, "POWERTOOLS_METRICS_DISABLED": "true"}
    # The first run pauses in its model build long enough for the second to start.
    first = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; import strata.models.service as s; real = s.start_run; "
            "s.start_run = lambda *a, **k: (time.sleep(8), real(*a, **k))[1]; "
            "from strata_dev.cli.main import main; sys.exit(main(sys.argv[1:]))",
            "--project-dir",
            str(project),
            "run",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not _run_started(project) and time.monotonic() < deadline:
            time.sleep(0.2)
        started = time.monotonic()
        second = strata(project, "run")
        refused_in = time.monotonic() - started
    finally:
        out, err = first.communicate(timeout=300)
    assert second.returncode == 3, second.stdout + second.stderr
    assert "another run" in second.stderr and "is in progress" in second.stderr
    assert "process" in second.stderr and "since" in second.stderr
    assert refused_in < 15  # at once: it converted nothing, built nothing
    assert first.returncode == 0, out + err
    runs = strata(project, "runs").stdout
    assert runs.count("succeeded") == 1  # the refused run left no record


def _run_started(project: Path) -> bool:
    import sqlite3

    path = project / "lake" / "state.sqlite"
    if not path.exists():
        return False
    with sqlite3.connect(path) as db:
        try:
            found = db.execute("SELECT item FROM state WHERE pk = 'lock#run'").fetchall()
        except sqlite3.OperationalError:
            return False
    return any(json.loads(item)["status"] == "claimed" for (item,) in found)
