"""Run history and replay, through the CLI on a real local lake."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from strata_dev.cli.main import main

REPO = Path(__file__).resolve().parents[3]
SAMPLES = [str(p) for p in sorted((REPO / "samples" / "orders").glob("*.csv"))]

pytestmark = pytest.mark.slow


def cli(project: Path, *args: str) -> int:
    return main(["--project-dir", str(project), *args])


def output(project: Path, capsys, *args: str) -> list[str]:
    capsys.readouterr()
    assert cli(project, *args) == 0
    return [line.rstrip() for line in capsys.readouterr().out.splitlines()]


# Every cleansed row, lineage included, as readers see them through the catalog (a replay
# into a compacted partition writes a new version of it: same rows, other files).
EVERY_ROW = (
    "select count(*), count(distinct _source_file || ':' || cast(_row_number as varchar)), "
    "sum(order_id), sum(amount), min(ordered_at), max(_ingested_at) from cleansed.orders"
)


def test_replay_reconverts_a_range_and_gives_the_same_results(project_dir, capsys):
    assert cli(project_dir, "upload", "orders", *SAMPLES) == 0
    assert cli(project_dir, "run") == 0
    analytics = output(
        project_dir, capsys, "query", "select * from analytics.daily_revenue order by 1, 2"
    )
    rows = output(project_dir, capsys, "query", EVERY_ROW)

    today = datetime.now(UTC).date().isoformat()
    capsys.readouterr()
    assert cli(project_dir, "replay", "--source", "orders", "--from", today, "--to", today) == 0
    out = capsys.readouterr().out
    assert "3 raw object(s) of orders queued again" in out and "3 new raw object(s)" in out
    assert (
        output(project_dir, capsys, "query", "select * from analytics.daily_revenue order by 1, 2")
        == analytics
    )
    assert output(project_dir, capsys, "query", EVERY_ROW) == rows
    counts = output(project_dir, capsys, "query", "select count(*) from cleansed.orders")
    assert counts[-1].strip() == "185"


def test_replay_rejects_an_inverted_range(project_dir, capsys):
    assert (
        cli(
            project_dir,
            "replay",
            "--source",
            "orders",
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-01",
        )
        == 1
    )
    assert "is before" in capsys.readouterr().err


def test_runs_lists_history_and_shows_one_run(project_dir, capsys):
    assert cli(project_dir, "upload", "orders", SAMPLES[0]) == 0
    assert cli(project_dir, "run", "--source", "orders") == 0
    assert cli(project_dir, "run", "--source", "orders") == 0
    listing = output(project_dir, capsys, "runs")
    runs = [line.split()[0] for line in listing[2:]]
    assert len(runs) == 2 and runs == sorted(runs, reverse=True)
    assert listing[3].split()[5:9] == ["1", "60", "60", "0"]  # the older run converted the file
    for line in listing[2:]:  # every run shows its start and its duration
        _, status, day, clock, took = line.split()[:5]
        assert status == "succeeded" and took.endswith("s")
        assert date.fromisoformat(day) and clock.count(":") == 2
    shown = output(project_dir, capsys, "runs", "show", runs[1])
    assert shown[0].startswith(
        f"run {runs[1]}: succeeded"
    ) and "orders_2026-11-01.csv" in "\n".join(shown)
    assert cli(project_dir, "runs", "show", "nope") == 1
