"""A run's status is computed from what happened: the verdict and the report's counts."""

from __future__ import annotations

import json

import pytest

from strata.lake.payloads import ConversionResult
from strata.orchestration.report import build_report, run_verdict


@pytest.mark.parametrize(
    ("error", "problems", "deferred", "allow", "status", "passed"),
    [
        (None, [], False, False, "succeeded", True),
        (None, ["file f failed: X"], False, False, "partial", False),
        ({"Error": "States.Timeout"}, [], False, False, "failed", False),
        ({"Error": "X"}, ["file f failed: X"], True, True, "failed", False),
        (None, [], True, False, "deferred", False),
        (None, [], True, True, "deferred", True),
        (None, ["model m error"], True, True, "partial", False),
    ],
)
def test_the_verdict_follows_what_happened(error, problems, deferred, allow, status, passed):
    verdict = run_verdict(error=error, problems=problems, deferred=deferred, allow_deferred=allow)
    assert (verdict["status"], verdict["passed"]) == (status, passed)


def test_a_failed_ingestion_attempt_makes_the_run_partial_and_says_why(ctx, report_input):
    from datetime import UTC, datetime

    from strata.ingest.ledger import record_attempt

    record_attempt(ctx.ports.state, "customers", datetime.now(UTC), "SftpError: cannot reach")
    report = build_report(ctx, report_input("run-1"))
    assert report["status"] == "partial" and not report["passed"]
    assert any(
        "ingestion of customers failed" in p and "cannot reach" in p for p in report["problems"]
    )
    record_attempt(ctx.ports.state, "customers", datetime.now(UTC))
    assert build_report(ctx, report_input("run-2"))["passed"]


def test_a_file_quarantined_before_any_row_was_read_is_counted_as_rows_unknown(ctx, report_input):
    from strata.lake.keys import raw_object_id

    key = "orders/ingest_date=2026-12-04/run_id=r/broken.csv.gz"
    manifest = ConversionResult(
        source="orders",
        raw_key=key,
        status="quarantined",
        rows_in=0,
        rows_out=0,
        rows_quarantined=0,
        rows_unknown=True,
        bytes=10,
    ).dump()
    ctx.ports.artifacts.put_bytes(
        f"runs/run-1/conversions/{raw_object_id(key)}.json", json.dumps(manifest).encode()
    )
    # As the Map's state keeps it (in its batch's outcome, Convert's ResultSelector).
    item = {"source": "orders", "raw_key": key, "status": "quarantined"}
    item.update(rows_in=0, rows_out=0, rows_quarantined=0)
    report = build_report(ctx, report_input("run-1", [{"files": [item]}]))
    assert report["sources"]["orders"]["files_rows_unknown"] == 1
    assert report["sources"]["orders"]["files_quarantined"] == 1
