"""The run reports as `strata_meta` tables, and each source's red/amber/green status."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from conftest import record_run

from strata.ingest.ledger import record_attempt
from strata.site import meta

RAW = "orders/ingest_date=2026-11-24/run_id=20261124T055900Z-0a0b0c0d/orders_2026-11-24.csv"
QUARANTINE = "orders/rows/ingest_date=2026-11-24/abc.ndjson"


def counts(**values):
    base = dict.fromkeys(
        ("files", "rows_in", "rows_out", "rows_quarantined", "files_quarantined", "files_failed"), 0
    )
    return {**base, **values}


def test_reports_load_as_tables_and_each_source_gets_its_status(ctx):
    ctx.ports.quarantine.put_bytes(
        QUARANTINE,
        json.dumps(
            {"row": 4, "line": 5, "column": "amount", "reason": "amount: bad", "raw": "x"}
        ).encode(),
    )
    record_run(
        ctx,
        "20261124T060000Z-00000001",
        {
            "started_at": "2026-11-24T06:00:00+00:00",
            "sources": {
                "orders": counts(files=1, rows_in=10, rows_out=9, rows_quarantined=1),
                "shipments": counts(files=1, files_failed=1),
                "customers": counts(files=1, rows_in=5, rows_out=5, drift=["new column: vip"]),
                "marketing_spend": counts(files=1, rows_in=3, rows_out=3),
            },
            "files": [
                {
                    "source": "orders",
                    "raw_key": RAW,
                    "status": "converted",
                    "rows_in": 10,
                    "rows_out": 9,
                    "rows_quarantined": 1,
                    "quarantine": [QUARANTINE],
                    "drift": [],
                }
            ],
            "tests": [{"test": "not_null_x", "severity": "error", "status": "pass", "failures": 0}],
        },
    )
    record_attempt(ctx.ports.state, "orders_api", datetime(2026, 11, 24, 6, tzinfo=UTC), "timeout")
    database = meta.load(ctx)
    try:
        statuses = database.run(
            "select source, status, status_reason, last_delivery_at from strata_meta.sources "
            "order by source"
        ).rows
        runs = database.run("select run_id, rows_in, rows_quarantined from strata_meta.runs").rows
        rows = database.run(
            "select source, file_name, line_number, column_name, reason "
            "from strata_meta.quarantined_rows"
        ).rows
        rate = database.run(
            "select quarantine_rate from strata_meta.source_runs where source = 'orders'"
        ).rows
    finally:
        database.close()
    by_source = {name: (status, reason) for name, status, reason, _ in statuses}
    assert by_source["orders"] == ("amber", "1 row(s) quarantined (10.0%)")
    assert by_source["shipments"] == ("red", "1 file(s) failed to convert")
    assert by_source["customers"] == ("amber", "1 schema drift event(s)")
    assert by_source["marketing_spend"] == ("green", "all rows accepted")
    assert by_source["orders_api"] == ("red", "ingestion failed: timeout")
    delivered = {name: moment for name, _, _, moment in statuses}
    assert delivered["orders"] == datetime(2026, 11, 24, 5, 59)  # from the raw key's run id
    assert runs == [("20261124T060000Z-00000001", 18, 1)]
    assert rows == [("orders", "orders_2026-11-24.csv", 5, "amount", "amount: bad")]
    assert rate == [(0.1,)]


def test_a_source_no_run_has_seen_is_green_and_says_so(ctx):
    database = meta.load(ctx)
    try:
        rows = database.run("select status, status_reason from strata_meta.sources").rows
    finally:
        database.close()
    assert set(rows) == {("green", "no delivery converted yet")}
