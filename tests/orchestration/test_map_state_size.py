"""A thousand failing files keep the conversion Map's output below Step Functions' 256 KB state
limit (moto enforces it on every state, as AWS does), and the report still shows each file's
failure in full. The definition's own states run in moto, the convert handler in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import strata.convert
from strata.errors import ConversionError
from strata.lake.payloads import FailedFile
from strata.orchestration.map_results import conversion_results
from strata.orchestration.report import build_report
from strata_dev.local.stepfunctions import definition_text, local_step_functions

REPO = Path(__file__).resolve().parents[2]
STATE_LIMIT = 256 * 1024  # bytes of the state's JSON text
RUN = "run-1"
PREFIX = "orders/ingest_date=2026-11-02/run_id=20261102T101500Z-ab12cd34/orders_2026-11-02"
# DuckDB quotes the offending line, and a line can be long; the runtime adds the stack trace.
LONG_MESSAGE = "Conversion Error: could not convert string to INTEGER in line 2: " + "x" * 4000


def run_alone(machine: Any, states: dict[str, Any], start: str, execution_input: Any) -> str:
    """States of the definition as a state machine of their own; returns its output text."""
    sfn = machine._sfn
    role = sfn.describe_state_machine(stateMachineArn=machine.state_machine_arn)["roleArn"]
    arn = sfn.create_state_machine(
        name=f"alone-{start}",
        definition=json.dumps({"StartAt": start, "States": states}),
        roleArn=role,
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(execution_input))
    done = machine.wait(execution["executionArn"])
    assert done.status == "SUCCEEDED", (done.error, done.cause)  # e.g. States.DataLimitExceeded
    return sfn.describe_execution(executionArn=execution["executionArn"])["output"]


def test_a_thousand_failed_files_keep_the_map_output_under_the_state_limit(ctx, project_dir):
    """The definition's ConversionFailed Pass over 1,000 batches (of one object each, the worst
    case) shaped as Convert's Catch leaves them (the iteration's input plus ``$.error``), each
    with a long cause as Lambda reports it. The keys are numbered in the state itself, so the
    input does not count against the limit."""
    definition = json.loads((REPO / "statemachines" / "pipeline.asl.json").read_text())
    failed = definition["States"]["ConvertEach"]["ItemProcessor"]["States"]["ConversionFailed"]
    cause = json.dumps(
        {
            "errorMessage": LONG_MESSAGE,
            "errorType": "ConversionError",
            "stackTrace": [
                f'  File "/opt/python/strata/convert/service.py", line {n}\n' for n in range(20)
            ],
        }
    )
    states = {
        "Number": {
            "Type": "Pass",
            "Parameters": {"numbers.$": "States.ArrayRange(1, 1000, 1)", "cause.$": "$.cause"},
            "Next": "EachFailed",
        },
        "EachFailed": {
            "Type": "Map",
            "ItemsPath": "$.numbers",
            "ItemSelector": {
                "run_id": RUN,
                "items": [
                    {
                        "source": "orders",
                        "raw_key.$": f"States.Format('{PREFIX}_{{}}.csv', $$.Map.Item.Value)",
                    }
                ],
                "error": {"Error": "ConversionError", "Cause.$": "$.cause"},
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "ConversionFailed",
                "States": {"ConversionFailed": failed},
            },
            "ResultPath": "$.conversions",
            "OutputPath": "$.conversions",
            "End": True,
        },
    }
    with local_step_functions(ctx, project_dir) as machine:
        output = run_alone(machine, states, "Number", {"cause": cause})
    conversions = json.loads(output)
    size = len(output.encode("utf-8"))
    print(f"\nMap output for {len(conversions)} failed files: {size} bytes")
    assert len(conversions) == 1000 and {c["status"] for c in conversions} == {"failed"}
    assert size < STATE_LIMIT
    assert conversions[0] == {
        "status": "failed",
        "error": "ConversionError",
        "items": [{"source": "orders", "raw_key": f"{PREFIX}_1.csv"}],
    }


FILES = 20


def items() -> list[dict[str, str]]:
    return [{"source": "orders", "raw_key": f"{PREFIX}_{n:04}.csv"} for n in range(FILES)]


@pytest.fixture
def every_conversion_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(ctx: Any, run_id: str, source: str, raw_key: str) -> None:
        raise ConversionError(LONG_MESSAGE, source=source, key=raw_key)

    monkeypatch.setattr(strata.convert, "convert_object", fail)


def test_failed_conversions_reach_the_report_with_their_full_cause(
    ctx, project_dir, every_conversion_fails, report_input
):
    """The definition's ConvertEach with the convert handler, over batches of 8: each object's
    failure stays its own, the state carries each error's name, the failure record its full
    text, and the report joins them."""
    listed = items()
    batches = [{"items": listed[start : start + 8]} for start in range(0, FILES, 8)]
    discovery = {"run_id": RUN, "batches": batches, "convert_concurrency": 4}
    with local_step_functions(ctx, project_dir) as machine:
        definition = json.loads(definition_text(project_dir, machine.substitutions))
        convert_each = definition["States"]["ConvertEach"]
        alone = {k: v for k, v in convert_each.items() if k not in ("Next", "Catch")}
        output = run_alone(
            machine,
            {"ConvertEach": {**alone, "End": True}},
            "ConvertEach",
            {"discovery": discovery},
        )
    conversions = json.loads(output)["conversions"]
    assert all(LONG_MESSAGE not in json.dumps(c) for c in conversions)

    event = report_input(RUN, conversions)
    results = conversion_results(ctx.ports.artifacts, event.conversions, RUN)
    assert [r.raw_key for r in results] == [item["raw_key"] for item in items()]
    for result in results:
        assert isinstance(result, FailedFile) and result.error == "ConversionError"
        assert result.cause == f"orders: {result.raw_key}: {LONG_MESSAGE}"
    report = build_report(ctx, event)
    assert report["sources"]["orders"]["files_failed"] == FILES
    assert [file["cause"] for file in report["files"]] == [r.cause for r in results]
