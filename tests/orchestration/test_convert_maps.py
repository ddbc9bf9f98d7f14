"""The definition's two conversion Maps: the same iterations, one inline and one distributed,
chosen after Discover and converging on the compaction, then the crawl."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def states() -> dict[str, Any]:
    return json.loads((REPO / "statemachines" / "pipeline.asl.json").read_text())["States"]


PREFIX = "Distributed"  # state names are unique across a definition, Map processors included


def iterations(processor: dict[str, Any]) -> dict[str, Any]:
    """A processor without its mode, its state names without the distributed prefix."""
    text = json.dumps({k: v for k, v in processor.items() if k != "ProcessorConfig"})
    return json.loads(text.replace(f'"{PREFIX}', '"'))


def test_discover_chooses_the_map_by_its_map_mode(states):
    assert states["Discover"]["Next"] == "ManyObjects?"
    choice = states["ManyObjects?"]
    assert choice["Choices"] == [
        {
            "Variable": "$.discovery.map_mode",
            "StringEquals": "distributed",
            "Next": "ConvertEachDistributed",
        }
    ]
    assert choice["Default"] == "ConvertEach"
    selected = states["Discover"]["ResultSelector"]
    for field in (
        "map_mode",
        "item_count",
        "batch_count",
        "batches",
        "artifacts_bucket",
        "items_key",
        "batches_key",
        "results_prefix",
    ):
        assert selected[f"{field}.$"] == f"$.Payload.{field}"
    assert states["Discover"]["Parameters"]["Payload"]["inline_map_limit"] == "${InlineMapLimit}"


def test_both_maps_run_the_same_iterations_and_converge_on_the_crawl(states):
    inline, distributed = states["ConvertEach"], states["ConvertEachDistributed"]
    assert iterations(inline["ItemProcessor"]) == iterations(distributed["ItemProcessor"])
    assert set(distributed["ItemProcessor"]["States"]) == {
        f"{PREFIX}{name}" for name in inline["ItemProcessor"]["States"]
    }
    for field in ("ItemSelector", "MaxConcurrencyPath", "ResultPath", "Catch", "Next"):
        assert inline[field] == distributed[field], field
    assert inline["Next"] == "Compact"
    # Compaction is best effort: whatever happens, the run goes on to the crawl and the models.
    assert states["Compact"]["Next"] == "StartCrawl"
    assert states["Compact"]["Catch"][0]["Next"] == "StartCrawl"
    assert states["Compact"]["Catch"][0]["ResultPath"] == "$.compaction_error"
    assert inline["Catch"][0]["Next"] == "ReportFailure"
    assert inline["ItemProcessor"]["ProcessorConfig"] == {"Mode": "INLINE"}


def test_every_conversion_retries_transient_errors_and_catches_the_rest(states):
    for name, prefix in (("ConvertEach", ""), ("ConvertEachDistributed", PREFIX)):
        convert = states[name]["ItemProcessor"]["States"][f"{prefix}Convert"]
        assert "Lambda.TooManyRequestsException" in convert["Retry"][0]["ErrorEquals"]
        assert convert["Catch"] == [
            {
                "ErrorEquals": ["States.ALL"],
                "ResultPath": "$.error",
                "Next": f"{prefix}ConversionFailed",
            }
        ]


def test_the_distributed_map_reads_and_writes_the_runs_artifacts(states):
    distributed = states["ConvertEachDistributed"]
    # STANDARD children: Convert may run 15 minutes plus retries, EXPRESS ones stop at 5.
    assert distributed["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "STANDARD",
    }
    assert distributed["ItemReader"] == {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {
            "Bucket.$": "$.discovery.artifacts_bucket",
            "Key.$": "$.discovery.batches_key",
        },
    }
    assert distributed["ResultWriter"] == {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {
            "Bucket.$": "$.discovery.artifacts_bucket",
            "Prefix.$": "$.discovery.results_prefix",
        },
    }
    assert "ItemsPath" not in distributed  # the items come from the ItemReader only
    # Every iteration catches its failure; a child failing anyway is reported, not fatal.
    assert distributed["ToleratedFailurePercentage"] == 100
