"""The last delivery of a source: recorded at every landing, only ever forward, read in one
lookup; a lake landed before the record existed is listed instead. The run report judges it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from strata.ingest.raw import queue_for_conversion
from strata.lake.deliveries import last_delivery, record_delivery
from strata.lake.payloads import ReportInput
from strata.orchestration.report import build_report

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def end_of_run(run_id: str) -> ReportInput:
    """The Report state's payload of a run that converted nothing and built every model."""
    summary = {"status": "success", "nodes": [], "run_results_key": None}
    return ReportInput.model_validate(
        {
            "run_id": run_id,
            "execution_name": run_id,
            "conversions": [],
            "warehouse": {"summary": summary},
        }
    )


def test_landing_records_the_newest_delivery_and_a_replay_never_moves_it_back(ctx):
    state, raw = ctx.ports.state, ctx.ports.raw
    assert last_delivery(state, raw, "orders") is None
    queue_for_conversion(state, "orders", "orders/new.csv", T0)
    queue_for_conversion(state, "orders", "orders/old.csv", T0 - timedelta(days=30))
    found = last_delivery(state, raw, "orders")
    assert found is not None and (found.raw_key, found.received_at) == ("orders/new.csv", T0)
    record_delivery(state, "orders", "orders/newer.csv", T0 + timedelta(hours=1))
    assert last_delivery(state, raw, "orders").raw_key == "orders/newer.csv"  # type: ignore[union-attr]


def test_without_a_record_the_newest_raw_object_is_the_last_delivery(ctx):
    ctx.ports.raw.put_bytes("shipments/ingest_date=2026-12-01/run_id=r1/a.ndjson", b"{}\n")
    ctx.ports.raw.put_bytes("shipments/ingest_date=2026-12-02/run_id=r2/b.ndjson", b"{}\n")
    found = last_delivery(ctx.ports.state, ctx.ports.raw, "shipments")
    assert found is not None and found.raw_key.endswith("b.ndjson")
    assert found.received_at.tzinfo is not None


def test_the_run_report_has_a_freshness_section_per_source(ctx):
    now = datetime.now(UTC)
    state = ctx.ports.state
    queue_for_conversion(state, "orders", "orders/x.csv", now - timedelta(hours=1))
    queue_for_conversion(state, "shipments", "shipments/y.ndjson", now - timedelta(days=3))
    report = build_report(ctx, end_of_run("run-f"))
    freshness = report["freshness"]
    assert set(freshness) == set(ctx.project.contracts)
    assert freshness["orders"]["status"] == "ok"
    assert freshness["shipments"]["status"] == "error"
    assert freshness["customers"] == freshness["customers"] | {
        "status": "error",
        "reason": "no delivery yet",
        "last_delivery": None,
    }
    # Freshness is reported, not a failure of the run.
    assert report["status"] == "succeeded"


def test_a_freshness_lookup_that_fails_leaves_the_report_whole(ctx, monkeypatch):
    from strata.errors import StrataError

    def refused(prefix: str = ""):
        raise StrataError("AccessDenied listing raw")

    monkeypatch.setattr(ctx.ports.raw, "list", refused)
    report = build_report(ctx, end_of_run("run-g"))
    assert report["freshness"] == {} and report["status"] == "succeeded"
