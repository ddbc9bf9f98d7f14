"""The Report reads a distributed Map's results from what its ResultWriter wrote, in the shape
AWS writes them, and accounts for every object Discover listed exactly once."""

from __future__ import annotations

import json

import pytest
from pydantic import TypeAdapter

from strata.errors import ConversionError, PipelineError, TransientError
from strata.lake.keys import failure_key, raw_object_id
from strata.lake.payloads import Conversions, FailedFile
from strata.orchestration.failures import failures_recorded
from strata.orchestration.map_results import conversion_results
from strata.orchestration.report import build_report

RUN = "run-1"
CONVERSIONS = TypeAdapter(Conversions)
FOLDER = f"runs/{RUN}/map/0bb8a402"
LISTED = [
    {"source": "orders", "raw_key": "orders/a.csv"},
    {"source": "orders", "raw_key": "orders/b.csv"},
    {"source": "shipments", "raw_key": "shipments/c.ndjson"},
    {"source": "shipments", "raw_key": "shipments/d.ndjson"},
]


def child(status: str, item: dict[str, str] | list[dict[str, str]], **fields) -> dict:
    """A child execution as AWS lists it in a result file (Input/Output as JSON text): its
    input a batch of one object, or of the objects listed."""
    batch = item if isinstance(item, list) else [item]
    return {
        "ExecutionArn": "arn:aws:states:eu-west-1:123456789012:execution:p/Convert:1a2b",
        "Input": json.dumps({"run_id": RUN, "items": batch}),
        "InputDetails": {"Included": True},
        "Status": status,
        **fields,
    }


def write(ctx, succeeded: list[dict], failed: list[dict]) -> Conversions:
    files = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status, children in (("SUCCEEDED", succeeded), ("FAILED", failed)):
        if children:
            key = f"{FOLDER}/{status}_0.json"
            body = json.dumps(children).encode()
            ctx.ports.artifacts.put_bytes(key, body)
            files[status].append({"Key": key, "Size": len(body)})
    manifest = {"DestinationBucket": ctx.ports.artifacts.bucket, "ResultFiles": files}
    ctx.ports.artifacts.put_bytes(f"{FOLDER}/manifest.json", json.dumps(manifest).encode())
    ctx.ports.artifacts.put_bytes(f"runs/{RUN}/items.json", json.dumps(LISTED).encode())
    return CONVERSIONS.validate_python(
        {
            "MapRunArn": "arn:aws:states:eu-west-1:123456789012:mapRun:p/Convert:0bb8a402",
            "ResultWriterDetails": {
                "Bucket": ctx.ports.artifacts.bucket,
                "Key": f"{FOLDER}/manifest.json",
            },
        }
    )


def converted(item: dict[str, str]) -> dict:
    output = {**item, "status": "converted", "rows_in": 2, "rows_out": 2, "rows_quarantined": 0}
    return child(
        "SUCCEEDED", item, Output=json.dumps({"files": [output]}), OutputDetails={"Included": True}
    )


def caught(item: dict[str, str]) -> dict:
    output = {**item, "status": "failed", "error": "ConversionError", "cause": "bad"}
    return child("SUCCEEDED", item, Output=json.dumps({"files": [output]}))


def test_every_listed_object_gets_one_result_whatever_the_child_did(ctx):
    a, b, c, _ = LISTED
    written = write(
        ctx,
        succeeded=[converted(a), caught(b)],
        failed=[child("FAILED", c, Error="States.Timeout", Cause="child timed out")],
    )
    results = conversion_results(ctx.ports.artifacts, written, RUN)
    assert [r.raw_key for r in results] == [item["raw_key"] for item in LISTED]
    assert [r.status for r in results] == ["converted", "failed", "failed", "failed"]
    assert isinstance(results[1], FailedFile) and results[1].error == "ConversionError"
    assert results[2].dump_given() == {
        **LISTED[2],
        "status": "failed",
        "error": "States.Timeout",
        "cause": "child timed out",
    }
    assert results[3].error == "NoResult" and results[3].source == "shipments"


def test_a_redriven_object_counts_once_and_its_success_wins(ctx):
    a = LISTED[0]
    written = write(
        ctx,
        succeeded=[converted(a)],
        failed=[child("FAILED", a, Error="States.TaskFailed", Cause="first attempt")],
    )
    results = conversion_results(ctx.ports.artifacts, written, RUN)
    assert [r.status for r in results if r.raw_key == a["raw_key"]] == ["converted"]


def test_an_inline_maps_results_are_taken_as_they_are(ctx):
    files = [{"source": "orders", "raw_key": "orders/a.csv", "status": "failed", "error": "X"}]
    inline = CONVERSIONS.validate_python([{"files": files}])
    results = conversion_results(ctx.ports.artifacts, inline, RUN)
    assert [result.dump_given() for result in results] == files


def test_a_batch_that_failed_whole_fails_each_of_its_objects(ctx):
    """A timeout of the invocation: the Catch keeps the batch's items, each counts as failed;
    the batch beside it keeps its outcomes, in the Map's order."""
    a, b, c, _ = LISTED
    ok = {**c, "status": "converted", "rows_in": 1, "rows_out": 1, "rows_quarantined": 0}
    inline = CONVERSIONS.validate_python(
        [{"status": "failed", "error": "States.Timeout", "items": [a, b]}, {"files": [ok]}]
    )
    results = conversion_results(ctx.ports.artifacts, inline, RUN)
    assert [(r.raw_key, r.status) for r in results] == [
        (a["raw_key"], "failed"),
        (b["raw_key"], "failed"),
        (c["raw_key"], "converted"),
    ]
    assert {r.error for r in results[:2]} == {"States.Timeout"}


def test_a_failed_distributed_child_fails_every_object_of_its_batch(ctx):
    a, b, c, d = LISTED
    written = write(
        ctx,
        succeeded=[converted(a), converted(d)],
        failed=[child("FAILED", [b, c], Error="States.Timeout", Cause="child timed out")],
    )
    results = conversion_results(ctx.ports.artifacts, written, RUN)
    assert [r.status for r in results] == ["converted", "failed", "failed", "converted"]


def test_results_written_elsewhere_than_the_artifacts_bucket_are_refused(ctx):
    written = write(ctx, succeeded=[converted(LISTED[0])], failed=[])
    written.details.bucket = "someone-elses-bucket"
    with pytest.raises(PipelineError, match="someone-elses-bucket"):
        conversion_results(ctx.ports.artifacts, written, RUN)


def test_the_report_counts_a_distributed_run_from_its_written_results(ctx, report_input):
    a, b, c, d = LISTED
    for item in (a, c, d):  # what Convert writes for each converted object
        manifest = {
            **item,
            "status": "converted",
            "rows_in": 3,
            "rows_out": 2,
            "rows_quarantined": 1,
            "bytes": 10,
        }
        key = f"runs/{RUN}/conversions/{raw_object_id(item['raw_key'])}.json"
        ctx.ports.artifacts.put_bytes(key, json.dumps(manifest).encode())
    written = write(ctx, succeeded=[converted(a), caught(b), converted(c), converted(d)], failed=[])
    report = build_report(ctx, report_input(RUN, written.dump()))
    assert report["status"] == "partial"
    assert len(report["files"]) == 4
    assert report["sources"]["orders"]["files_failed"] == 1
    assert report["sources"]["orders"]["rows_out"] == 2
    assert report["sources"]["shipments"]["rows_in"] == 6


def recorded(ctx, item: dict[str, str], exc: Exception) -> None:
    """What the convert handler records when ``exc`` escapes a conversion."""
    with pytest.raises(type(exc)), failures_recorded(ctx.ports.artifacts, RUN, **item):
        raise exc


def test_a_failed_files_cause_comes_from_its_failure_record(ctx):
    a, b, c, _ = LISTED
    recorded(ctx, a, ConversionError("line 2: not an INTEGER", source="orders", key="a"))
    recorded(ctx, b, TransientError("throttled", service="s3"))  # an earlier attempt's
    failed = [{**item, "status": "failed", "error": "ConversionError"} for item in (a, b, c)]
    inline = CONVERSIONS.validate_python([{"files": failed}])
    results = conversion_results(ctx.ports.artifacts, inline, RUN)
    assert results[0].cause == "orders: a: line 2: not an INTEGER"
    assert results[0].failure_key == failure_key(RUN, a["raw_key"])
    assert "cause" not in results[1].dump_given()  # the last attempt failed otherwise
    assert "cause" not in results[2].dump_given()  # nothing recorded (a timeout, say)
    record = json.loads(ctx.ports.artifacts.get_bytes(failure_key(RUN, a["raw_key"])))
    assert "Traceback" in record["traceback"]


def test_a_failure_that_cannot_be_recorded_still_propagates_unchanged(ctx, monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("the artifacts store is unavailable")

    monkeypatch.setattr(ctx.ports.artifacts, "put_bytes", refuse)
    with (
        pytest.raises(TransientError, match="throttled"),
        failures_recorded(ctx.ports.artifacts, RUN, **LISTED[0]),
    ):
        raise TransientError("throttled")
