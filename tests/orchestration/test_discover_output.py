"""Discover's output stays small whatever the number of new objects: the full list goes to
the artifacts store, the batches travel inline only up to the inline limit."""

from __future__ import annotations

import json

import pytest

import strata.orchestration.discover as discover_module
from strata.lake.payloads import DiscoveredItem, DiscoverInput, DiscoverOutput
from strata.orchestration.discover import INLINE_ITEMS_BYTES, discovery_output


def items(count: int, name_length: int = 20) -> list[DiscoveredItem]:
    return [
        DiscoveredItem(
            source="orders",
            raw_key=f"orders/ingest_date=2026-11-24/run_id=20261124T060012Z-3f9c2a1b/"
            f"{str(n).zfill(name_length)}.csv",
        )
        for n in range(count)
    ]


def listed(found: list[DiscoveredItem]) -> list[dict[str, str]]:
    return [item.dump() for item in found]


@pytest.fixture
def discovered(monkeypatch):
    found: list[DiscoveredItem] = []
    monkeypatch.setattr(
        discover_module,
        "discover_sized",
        lambda ctx, run_id, sources, execution_arn=None: [(item, 1000) for item in found],
    )
    return found


def members(result: dict) -> list[dict[str, str]]:
    return [item for batch in result["batches"] for item in batch["items"]]


def output(ctx, limit: str = "500") -> dict:
    event = DiscoverInput(execution_name="run-1", inline_map_limit=limit)
    result = discovery_output(ctx, event)
    assert isinstance(result, DiscoverOutput)
    return result.dump()


def test_twenty_thousand_objects_leave_a_small_output_and_a_full_list(ctx, discovered):
    discovered.extend(items(20_000))
    result = output(ctx)
    assert result["map_mode"] == "distributed" and result["batches"] == []
    assert result["item_count"] == 20_000
    assert result["batch_count"] == 20_000 // 64 + 1
    assert len(json.dumps(result)) < 1024
    written = json.loads(ctx.ports.artifacts.get_bytes(result["items_key"]))
    assert written == listed(discovered)
    batches = json.loads(ctx.ports.artifacts.get_bytes(result["batches_key"]))
    assert [item for batch in batches for item in batch["items"]] == listed(discovered)
    assert result["items_key"] == "runs/run-1/items.json"
    assert result["batches_key"] == "runs/run-1/batches.json"
    assert result["artifacts_bucket"] == ctx.ports.artifacts.bucket
    assert result["results_prefix"] == "runs/run-1/map"


def test_up_to_the_limit_the_items_travel_inline(ctx, discovered):
    discovered.extend(items(3))
    at_limit = output(ctx, limit="3")
    assert at_limit["map_mode"] == "inline" and members(at_limit) == listed(discovered)
    assert json.loads(ctx.ports.artifacts.get_bytes(at_limit["items_key"])) == listed(discovered)
    assert output(ctx, limit="2")["map_mode"] == "distributed"


def test_long_keys_go_distributed_below_the_count_limit(ctx, discovered):
    discovered.extend(items(300, name_length=400))
    assert len(json.dumps(listed(discovered))) > INLINE_ITEMS_BYTES
    assert output(ctx, limit="500")["map_mode"] == "distributed"


def test_the_inline_default_keeps_the_state_far_below_256_kb(ctx, discovered):
    """At the default limit, with realistic keys: the items plus one trimmed conversion
    result each, as the state holds them after the inline Map."""
    discovered.extend(items(discover_module.DEFAULT_INLINE_LIMIT))
    result = output(ctx)
    assert result["map_mode"] == "inline"
    conversions = [
        {
            "files": [
                {
                    **item,
                    "status": "converted",
                    "rows_in": 100_000,
                    "rows_out": 99_999,
                    "rows_quarantined": 1,
                }
                for item in batch["items"]
            ]
        }
        for batch in result["batches"]
    ]
    state = {"discovery": result, "conversions": conversions}
    assert len(json.dumps(state)) < 200 * 1024


@pytest.mark.parametrize("limit", ["", "many", None])
def test_an_unusable_limit_falls_back_to_the_default(ctx, discovered, limit):
    discovered.extend(items(3))
    event = DiscoverInput(execution_name="run-1", inline_map_limit=limit)
    assert discovery_output(ctx, event).map_mode == "inline"
