"""`strata sources` / `strata sources list`: every source with its kind, schedule, last
delivery, its last run's rows and quarantine rate, and its freshness, as a table or JSON."""

from __future__ import annotations

import argparse
import io
import json
from datetime import UTC, datetime, timedelta

from strata.ingest.raw import queue_for_conversion
from strata.orchestration.run_records import finish
from strata_dev.cli import sources_list
from strata_dev.console import Console

NOW = datetime.now(UTC)


def counts(rows_in: int, quarantined: int) -> dict:
    return {
        "files": 1,
        "rows_in": rows_in,
        "rows_out": rows_in - quarantined,
        "rows_quarantined": quarantined,
        "files_quarantined": 0,
        "files_failed": 0,
    }


def seed(ctx) -> None:
    state = ctx.ports.state
    queue_for_conversion(state, "orders", "orders/a.csv", NOW - timedelta(hours=2))
    queue_for_conversion(state, "shipments", "shipments/b.ndjson", NOW - timedelta(hours=30))
    finish(
        state,
        "20261201T060000Z-aaaa",
        {
            "run_id": "20261201T060000Z-aaaa",
            "sources": {"orders": counts(100, 10), "shipments": counts(40, 0)},
        },
    )
    # The newest run converted orders only: shipments' counts stay those of the older run.
    finish(
        state,
        "20261202T060000Z-bbbb",
        {"run_id": "20261202T060000Z-bbbb", "sources": {"orders": counts(200, 1)}},
    )


def test_every_source_is_listed_with_its_delivery_last_run_and_freshness(ctx):
    seed(ctx)

    rows = {row["source"]: row for row in sources_list.source_rows(ctx, NOW)}

    assert set(rows) == set(ctx.project.contracts)
    orders, shipments, customers = rows["orders"], rows["shipments"], rows["customers"]
    assert (orders["kind"], orders["schedule"]) == ("s3_drop", "on arrival")
    assert (customers["kind"], customers["schedule"]) == ("sftp", "cron(0 5 * * ? *)")
    assert rows["marketing_spend"]["schedule"] == "on upload"
    assert orders["last_run"] == "20261202T060000Z-bbbb" and orders["rows_in_last_run"] == 200
    assert orders["quarantine_rate"] == 0.005 and orders["freshness"] == "ok"
    assert shipments["last_run"] == "20261201T060000Z-aaaa"
    assert shipments["quarantine_rate"] == 0.0 and shipments["freshness"] == "warn"
    assert customers["last_delivery"] is None and customers["rows_in_last_run"] is None
    assert customers["freshness"] == "error"


def list_args(*argv: str) -> argparse.Namespace:
    """The arguments as `strata sources …` parses them, the group built as cli/sources.py does."""
    parser = argparse.ArgumentParser()
    group = parser.add_subparsers().add_parser("sources")
    sources_list.register(group.add_subparsers(metavar="ACTION"), group)
    return parser.parse_args(["sources", *argv])


def run(ctx, monkeypatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("STRATA_PROJECT_DIR", str(ctx.settings.project_dir))
    monkeypatch.setenv("STRATA_LAKE_DIR", str(ctx.settings.lake_dir))
    args = list_args(*argv)
    args.project_dir = ctx.settings.project_dir
    out, err = io.StringIO(), io.StringIO()
    code = args.command(args, Console(out, color=False, errors=err))
    return code, out.getvalue(), err.getvalue()


def test_strata_sources_alone_prints_the_table_and_names_late_sources(ctx, monkeypatch):
    seed(ctx)
    code, out, err = run(ctx, monkeypatch)
    assert code == 0
    header, _, *lines = out.splitlines()
    assert header.split() == [
        "source",
        "kind",
        "schedule",
        "last",
        "delivery",
        "rows",
        "last",
        "run",
        "quarantined",
        "freshness",
    ]
    orders = next(line for line in lines if line.startswith("orders "))
    assert "on arrival" in orders and "200" in orders and "0.5%" in orders
    assert orders.rstrip().endswith("ok")
    assert "Error: customers: error, no delivery yet" in err
    assert "shipments: warn, last delivery 30h ago, over warn_after 26h" in out


def test_strata_sources_list_json_through_the_cli_lists_one_object_per_source(
    ctx, monkeypatch, capsys
):
    from strata_dev.cli.main import main

    seed(ctx)
    monkeypatch.setenv("STRATA_LAKE_DIR", str(ctx.settings.lake_dir))
    project = str(ctx.settings.project_dir)

    assert main(["--project-dir", project, "sources", "list", "--json"]) == 0

    listed = json.loads(capsys.readouterr().out)
    assert [row["source"] for row in listed] == sorted(ctx.project.contracts)
    assert {row["freshness"] for row in listed} <= {"ok", "warn", "error", "unchecked"}
    assert next(r for r in listed if r["source"] == "orders")["rows_in_last_run"] == 200
