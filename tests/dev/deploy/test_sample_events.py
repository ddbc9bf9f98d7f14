"""The sample events in ``events/`` (for ``sam local invoke -e``): one per function and per path
the state machine takes, each accepted by its handler on the local twin.

The payload shapes are the ones ``statemachines/pipeline.asl.json`` builds (checked below
against its Parameters), so a handler that accepts the sample accepts what the state machine
sends; only AWS shows what AWS itself fills in (ids, the Map Run's file names).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from strata.contracts.loader import load_contracts
from strata.lake.keys import compaction_key, items_key
from strata_dev.deploy import naming
from strata_dev.local.functions import load_handler
from strata_dev.local.moto_patches import LambdaContext

REPO = Path(__file__).resolve().parents[3]
EVENTS = REPO / "events"
ASL = json.loads((REPO / "statemachines" / "pipeline.asl.json").read_text(encoding="utf-8"))
pytestmark = [
    pytest.mark.filterwarnings("ignore:No application metrics"),
    pytest.mark.filterwarnings("ignore:Dimension 'source' has already been added"),
]


def event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))


def drop_event_names() -> dict[str, str]:
    """Drop source → its sample event (``land_s3_drop.json`` is the orders one)."""
    contracts = load_contracts(REPO / "sources")
    names = {}
    for contract in naming.drop_sources(contracts):
        special = EVENTS / f"land_s3_drop_{contract.name}.json"
        names[contract.name] = special.stem if special.is_file() else "land_s3_drop"
    return names


def payload_keys(state: str) -> set[str]:
    """The keys of the Payload a lambda:invoke state sends (``key.$`` → ``key``)."""
    states = dict(ASL["States"])
    states.update(ASL["States"]["BuildModels"]["Branches"][0]["States"])
    payload = states[state]["Parameters"]["Payload"]
    return {key.removesuffix(".$") for key in payload}


def test_every_sample_event_is_json_and_used_here():
    names = {path.stem for path in EVENTS.glob("*.json")}
    for name in names:
        json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))
    covered = {"convert", "discover", "ingest_api", "ingest_sftp", "presign_upload", "report"}
    covered |= {"check_freshness"}
    covered |= set(drop_event_names().values())
    covered |= {"plan_models", "plan_models_next", "report_failure", "report_distributed_map"}
    covered |= {"site", "compact"}
    assert names == covered


@pytest.mark.parametrize("source", sorted(drop_event_names()))
def test_each_drop_source_has_an_event_its_function_lands(ctx, project_dir, source):
    contract = load_contracts(REPO / "sources")[source]
    sample = event(drop_event_names()[source])
    key = sample["detail"]["object"]["key"]
    assert key.startswith(contract.s3_drop.prefix), (source, key)
    # The sample file of that source, so the landed object is a real one.
    sample_file = next((REPO / "samples" / source).iterdir())
    ctx.ports.landing.put_bytes(key, sample_file.read_bytes())
    # One landing function for every drop source, bound to none: it finds the source by key.
    handler = load_handler(project_dir, "land_s3_drop")

    answer = handler(sample, LambdaContext(naming.function_id(contract)))

    assert answer["status"] == "landed", answer
    assert answer["source"] == source and answer["raw_key"].startswith(f"{source}/")


def test_the_plan_models_samples_are_the_state_machines_payloads():
    assert set(event("plan_models")) == payload_keys("PlanModels")
    assert set(event("plan_models_next")) == payload_keys("NextWave")
    assert event("plan_models_next")["action"] == "next"


def test_the_next_wave_sample_records_the_first_wave_and_returns_the_next(ctx, project_dir):
    handler = load_handler(project_dir, "plan_models")
    first = handler(event("plan_models"), LambdaContext("PlanModelsFunction"))
    sample = event("plan_models_next")
    assert sample["run_id"] == event("plan_models")["run_id"]
    # The sample answers exactly the wave the start returns: the three setup operations.
    assert [node["id"] for node in first["wave"]] == [r["id"] for r in sample["results"]]

    answer = handler(sample, LambdaContext("PlanModelsFunction"))

    assert answer["done"] is False
    # The setup is recorded as done: the next wave builds (and checks the freshness of) sources.
    kinds = {node["kind"] for node in answer["wave"]}
    assert "operation" not in kinds and "model" in kinds
    assert "model.strata.stg_orders" in {node["id"] for node in answer["wave"]}


def test_the_failure_report_sample_reports_a_failed_run(ctx, project_dir):
    sample = event("report_failure")
    assert set(sample) == payload_keys("ReportFailure")
    handler = load_handler(project_dir, "report")

    answer = handler(sample, LambdaContext("ReportFunction"))

    assert answer["status"] == "failed"
    report = json.loads(ctx.ports.artifacts.get_bytes(answer["report_key"]))
    assert report["run_id"] == sample["input"]["discovery"]["run_id"]
    assert "orderz" in json.dumps(report)  # the caught error's cause reaches the report


def test_the_distributed_map_sample_is_read_from_the_maps_manifest(ctx, project_dir):
    """The distributed Map hands the Report a pointer to its ResultWriter manifest; the files
    it names are seeded here as the Map writes them (one failed child; one object the Map never
    reported), with the artifacts bucket of the local lake in place of the sample's."""
    sample = event("report_distributed_map")
    assert set(sample) == payload_keys("Report")
    run_id = sample["run_id"]
    store = ctx.ports.artifacts
    details = sample["conversions"]["ResultWriterDetails"]
    details["Bucket"] = store.bucket
    listed = [
        {"source": "orders", "raw_key": f"orders/ingest_date=2026-11-01/run_id={run_id}/a.csv"},
        {"source": "orders", "raw_key": f"orders/ingest_date=2026-11-01/run_id={run_id}/b.csv"},
    ]
    store.put_bytes(items_key(run_id), json.dumps(listed).encode())
    folder = details["Key"].rsplit("/", 1)[0]
    failed = [  # the batch holding a.csv; b.csv's batch never reported
        {
            "Status": "FAILED",
            "Input": json.dumps({"run_id": run_id, "items": [listed[0]]}),  # a batch of one
            "Error": "States.Timeout",
            "Cause": "the conversion ran past its timeout",
        }
    ]
    store.put_bytes(f"{folder}/FAILED_0.json", json.dumps(failed).encode())
    manifest = {
        "DestinationBucket": store.bucket,
        "MapRunArn": sample["conversions"]["MapRunArn"],
        "ResultFiles": {"FAILED": [{"Key": f"{folder}/FAILED_0.json", "Size": 1}]},
    }
    store.put_bytes(details["Key"], json.dumps(manifest).encode())
    handler = load_handler(project_dir, "report")

    answer = handler(sample, LambdaContext("ReportFunction"))

    assert answer["status"] == "partial"  # the run reached its end; two files did not
    report = json.loads(store.get_bytes(answer["report_key"]))
    fates = {f["raw_key"]: f.get("error") for f in report["files"]}
    assert fates == {listed[0]["raw_key"]: "States.Timeout", listed[1]["raw_key"]: "NoResult"}


def test_the_site_sample_is_the_state_machines_payload_and_publishes_the_site(ctx, project_dir):
    sample = event("site")
    assert set(sample) == payload_keys("Site")
    handler = load_handler(project_dir, "site")

    answer = handler(sample, LambdaContext("SiteFunction"))

    assert answer["status"] == "built", answer
    assert ctx.ports.site.exists("index.html")


def test_the_compact_sample_is_the_state_machines_payload_and_records_what_it_did(ctx, project_dir):
    sample = event("compact")
    assert set(sample) == payload_keys("Compact")
    handler = load_handler(project_dir, "compact")

    answer = handler(sample, LambdaContext("CompactFunction"))

    # An empty lake has nothing to merge; the run's record of it is written all the same.
    assert answer == {"partitions": 0, "files_before": 0, "files_after": 0}
    assert ctx.ports.artifacts.exists(compaction_key(sample["run_id"]))
