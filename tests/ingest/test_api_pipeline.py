"""The issue's "done when" for APIs, through the local pipeline: a run interrupted after page k
of n, then run again, ends with every record exactly once in cleansed."""

from __future__ import annotations

import pytest
from conftest import keep_only_sources, write_contract

from samples.servers.vendor_api import Fault, sample_orders
from strata_dev.cli.main import main

pytestmark = pytest.mark.slow


def cli(project, *args):
    return main(["--project-dir", str(project), *args])


def query(project, sql, capsys):
    capsys.readouterr()
    assert cli(project, "query", sql) == 0
    return [line.split() for line in capsys.readouterr().out.splitlines()[2:]]


def test_an_api_run_interrupted_after_page_k_then_rerun_lands_every_record_once(
    project_dir, vendor_api, capsys
):
    keep_only_sources(project_dir, "orders")  # no sample servers here: the test brings its own
    server = vendor_api(page_size=10)  # 60 records: 6 pages
    write_contract(
        project_dir,
        "vendor",
        kind="api",
        format={"type": "json"},
        api={
            "url": server.url + "/v1/orders",
            "pagination": {"type": "link_header"},
            "incremental": {
                "cursor_field": "updated_at",
                "param": "updated_since",
                "initial_value": "2026-01-01T00:00:00Z",
            },
            "retry": {"max_attempts": 2, "backoff_seconds": 0.01},
        },
    )
    after_page_3 = lambda path, query: int(query.get("page", "1")) > 3  # noqa: E731
    server.inject(Fault(status=503), times=None, when=after_page_3)

    assert cli(project_dir, "run") == 1
    captured = capsys.readouterr()
    assert "ingest vendor (api) failed" in captured.out and "HTTP 503" in captured.err
    assert query(project_dir, "select count(*) from cleansed.vendor", capsys) == [["0"]]

    server.clear_faults()
    assert cli(project_dir, "run") == 0
    assert "ingest vendor (api): 6 page(s) landed, 60 record(s)" in capsys.readouterr().out
    counts = "select count(*), count(distinct id) from cleansed.vendor"
    assert query(project_dir, counts, capsys) == [["60", "60"]]

    server.records.append({**sample_orders()[0], "id": 9001, "updated_at": "2026-12-01T00:00:00Z"})
    assert cli(project_dir, "run") == 0
    assert query(project_dir, counts, capsys) == [["61", "61"]]
    assert cli(project_dir, "run") == 0
    assert "0 page(s) landed" in capsys.readouterr().out
    assert query(project_dir, counts, capsys) == [["61", "61"]]
