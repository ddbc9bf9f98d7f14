"""The payload models against what really arrives: every sample event in ``events/`` parses into
its handler's model and comes back out unchanged, the state machine's definition sends and
reads exactly the models' fields, and a malformed payload fails naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import S3EventNotificationEventBridgeModel
from pydantic import BaseModel, TypeAdapter

from strata.errors import PipelineError
from strata.lake.payloads import (
    BatchResult,
    CompactInput,
    CompactOutput,
    ConversionResult,
    ConvertBatch,
    ConvertedFile,
    ConvertItem,
    DiscoverInput,
    DiscoverOutput,
    FailedBatch,
    FailureReportInput,
    NextWaveInput,
    PipelineState,
    PlanEvent,
    PlanInput,
    PlanOutput,
    PresignInput,
    ReportEvent,
    ReportInput,
    ReportOutput,
    RunInput,
    ScheduledInput,
    SiteInput,
    SiteOutput,
    StatementOutcome,
    WaveItem,
)
from strata.observability import parse_event
from strata_dev.local.functions import load_handler
from strata_dev.local.moto_patches import LambdaContext

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "events"
ASL = json.loads((REPO / "statemachines" / "pipeline.asl.json").read_text(encoding="utf-8"))

# Each sample event and the model its handler parses it into.
MODELS: dict[str, Any] = {
    "convert": ConvertBatch,
    "compact": CompactInput,
    "discover": DiscoverInput,
    "ingest_api": ScheduledInput,
    "ingest_sftp": ScheduledInput,
    "check_freshness": ScheduledInput,
    "land_s3_drop": S3EventNotificationEventBridgeModel,
    "land_s3_drop_marketing_spend": S3EventNotificationEventBridgeModel,
    "land_s3_drop_shipments": S3EventNotificationEventBridgeModel,
    "plan_models": PlanEvent,
    "plan_models_next": PlanEvent,
    "presign_upload": PresignInput,
    "report": ReportEvent,
    "report_distributed_map": ReportEvent,
    "report_failure": ReportEvent,
    "site": SiteInput,
}
# The model each sample must land in (a union's member says which path sent it).
EXPECTED = {
    "plan_models": PlanInput,
    "plan_models_next": NextWaveInput,
    "report": ReportInput,
    "report_distributed_map": ReportInput,
    "report_failure": FailureReportInput,
}


def sample(name: str) -> Any:
    return json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))


def states() -> dict[str, Any]:
    """Every state of the definition by name, those inside Maps and the Parallel included."""
    found: dict[str, Any] = {}

    def walk(level: dict[str, Any]) -> None:
        for name, state in level.items():
            found[name] = state
            for inner in [state.get("ItemProcessor", {}), *state.get("Branches", [])]:
                walk(inner.get("States", {}))

    walk(ASL["States"])
    return found


def keys(document: dict[str, Any]) -> set[str]:
    """A Parameters or ResultSelector block's keys (``key.$`` → ``key``)."""
    return {key.removesuffix(".$") for key in document}


def aliases(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def test_every_sample_event_has_a_model():
    assert {path.stem for path in EVENTS.glob("*.json")} == set(MODELS)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_sample_event_parses_into_its_model_and_back(name):
    adapter = TypeAdapter(MODELS[name])
    event = sample(name)

    parsed = adapter.validate_python(event)

    assert isinstance(parsed, EXPECTED.get(name, MODELS[name]))
    if isinstance(parsed, S3EventNotificationEventBridgeModel):
        # Powertools' model, not ours: it normalises (a datetime, a float size) on the way.
        again = adapter.dump_python(parsed, mode="json", by_alias=True)
        assert adapter.validate_python(again) == parsed
        assert parsed.detail.object.key == event["detail"]["object"]["key"]
        return
    dumped = adapter.dump_python(parsed, mode="json", by_alias=True, exclude_unset=True)
    if isinstance(parsed, FailureReportInput):
        # The failure path ignores the execution input's own keys in the state.
        ignored = set(event["input"]) - aliases(PipelineState)
        assert ignored and ignored <= aliases(RunInput)
        event["input"] = {k: v for k, v in event["input"].items() if k not in ignored}
    assert dumped == event


def test_the_lambda_states_send_exactly_the_models_fields():
    every = states()

    def payload(name: str) -> set[str]:
        return keys(every[name]["Parameters"]["Payload"])

    assert payload("Discover") == aliases(DiscoverInput)
    assert payload("PlanModels") == aliases(PlanInput)
    assert payload("NextWave") == aliases(NextWaveInput)
    assert payload("Compact") == aliases(CompactInput) - {"grace_seconds"}
    assert payload("Report") == aliases(ReportInput)
    assert payload("ReportFailure") == aliases(FailureReportInput)
    # Convert receives the Map's item ("Payload.$": "$"), which both Maps select alike.
    for convert, map_state in (
        ("Convert", "ConvertEach"),
        ("DistributedConvert", "ConvertEachDistributed"),
    ):
        assert every[convert]["Parameters"]["Payload.$"] == "$"
        assert keys(every[map_state]["ItemSelector"]) == aliases(ConvertBatch)


def test_the_lambda_states_read_only_fields_the_results_have():
    every = states()

    def selected(name: str) -> set[str]:
        selector = every[name]["ResultSelector"]
        # A field the selector builds itself (States.Format, a constant) is not read from the
        # result.
        return {
            key.removesuffix(".$")
            for key, path in selector.items()
            if isinstance(path, str) and path.startswith("$.")
        }

    assert selected("Discover") == aliases(DiscoverOutput)
    assert selected("PlanModels") == selected("NextWave") == aliases(PlanOutput)
    assert selected("Compact") == aliases(CompactOutput)
    assert selected("Report") == aliases(ReportOutput)
    assert selected("ReportFailure") <= aliases(ReportOutput)
    assert selected("Site") <= aliases(SiteOutput)
    for convert in ("Convert", "DistributedConvert"):
        assert selected(convert) == aliases(BatchResult)
    assert aliases(ConvertedFile) <= aliases(ConversionResult)
    # The Catch's Pass states leave a failed batch; the statement's last Pass states an outcome.
    for failed in ("ConversionFailed", "DistributedConversionFailed"):
        assert keys(every[failed]["Parameters"]) == aliases(FailedBatch)
    ends = [
        "StatementTimedOut",
        "ResultFetched",
        "StatementFinished",
        "StatementFailed",
        "StatementAborted",
        "SubmitFailed",
        "PollFailed",
    ]
    for end in ends:
        assert keys(every[end]["Parameters"]) <= aliases(StatementOutcome), end


def test_the_wave_items_carry_what_the_item_processor_reads():
    """Every ``$.field`` the RunWave item processor's states read is a field of a wave item,
    or one the processor adds itself (``started``, ``statement``, ``result``, …)."""
    run_wave = states()["RunWave"]["ItemProcessor"]["States"]
    # A ResultSelector reads the SDK's result, not the item.
    text = json.dumps(
        [{k: v for k, v in s.items() if k != "ResultSelector"} for s in run_wave.values()]
    )
    added = {"started", "statement", "result", "failure", "error", "cancel_error"}
    read = {
        part.split(".")[1].split("[")[0].rstrip("',)\"")
        for part in text.replace('"', " ").split()
        if part.startswith("$.")
    }
    assert read - added <= aliases(WaveItem), read - added - aliases(WaveItem)


@pytest.mark.parametrize(
    ("model", "event", "field"),
    [
        (ConvertItem, {"run_id": "r", "source": "orders"}, "raw_key"),
        (ConvertItem, {"run_id": "r", "source": "orders", "raw_key": "k", "rawkey": "k"}, "rawkey"),
        (
            DiscoverInput,
            {"execution_name": "r", "input": {"allow_defered": True}},
            "input.allow_defered",
        ),
        (
            PlanEvent,
            {"action": "next", "run_id": "r", "results": [{"id": "x"}]},
            "next.results.0.kind",
        ),
        (
            ReportEvent,
            {
                "run_id": "r",
                "execution_name": "r",
                "conversions": [{"files": [{"source": "s", "raw_key": "k", "status": "lost"}]}],
                "warehouse": {"summary": {"status": "success", "nodes": []}},
            },
            "end.conversions.0.batch.files.0",  # "Input tag 'lost' found using 'status' …"
        ),
        (ReportEvent, {"execution_name": "r", "input": {}}, "failure.input.error"),
    ],
)
def test_a_malformed_payload_fails_naming_the_field(model, event, field):
    with pytest.raises(PipelineError) as caught:
        parse_event(TypeAdapter(model), event)
    assert f"{field}: " in str(caught.value)


def test_a_handler_refuses_a_malformed_event_by_name_before_any_work(ctx, project_dir):
    handler = load_handler(project_dir, "convert")
    event = sample("convert")
    event["items"][0]["raw_key"] = None
    with pytest.raises(PipelineError, match="raw_key: Input should be a valid string"):
        handler(event, LambdaContext("ConvertFunction"))
    assert not list(ctx.ports.artifacts.list("runs/"))  # no failure recorded: nothing ran


def test_the_report_answers_with_its_model_dumped(ctx, project_dir):
    handler = load_handler(project_dir, "report")
    answer = handler(sample("report"), LambdaContext("ReportFunction"))
    assert ReportOutput.model_validate(answer).report_key == answer["report_key"]
    assert set(answer) == aliases(ReportOutput)
