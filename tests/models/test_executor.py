"""The in-process executor (strata models build|test) does what BuildModels' items do."""

from __future__ import annotations

from strata.models.executor import run_item
from strata.warehouse.base import QueryResult, StatementStatus, Warehouse


class SlowWarehouse(Warehouse):
    """A fake: statements stay STARTED for ``polls`` describes, then end as ``final``."""

    def __init__(self, polls: int, final: str = "FINISHED") -> None:
        self.polls, self.final = polls, final
        self.cancelled: list[str] = []
        self.fetched: list[str] = []

    def submit(self, sqls, *, client_token=None):
        return "st-1"

    def describe(self, statement_id):
        if statement_id in self.cancelled:
            return StatementStatus(statement_id, "ABORTED")
        self.polls -= 1
        if self.polls >= 0:
            return StatementStatus(statement_id, "STARTED")
        return StatementStatus(statement_id, self.final, error="boom", has_result_set=True)

    def result(self, statement_id):
        self.fetched.append(statement_id)
        return QueryResult(columns=["strata_rows"], rows=[(3,)])

    def cancel(self, statement_id):
        self.cancelled.append(statement_id)


def item(**overrides):
    base = {
        "id": "model.p.m",
        "kind": "model",
        "sqls": ["a", "b"],
        "client_token": "t",
        "fetch": True,
        "fetch_suffix": ":2",
        "poll_seconds": 0,
        "max_polls": 3,
    }
    return {**base, **overrides}


def test_polls_until_finished_then_fetches_the_last_sub_statement():
    warehouse = SlowWarehouse(polls=2)
    outcome = run_item(warehouse, item(), sleep=lambda _: None)
    assert outcome["status"] == "FINISHED" and warehouse.fetched == ["st-1:2"]
    assert outcome["result"] == {
        "columns": [{"name": "strata_rows"}],
        "records": [[{"longValue": 3}]],
    }


def test_cancels_a_statement_past_its_polls_and_reports_it_aborted():
    warehouse = SlowWarehouse(polls=10)
    outcome = run_item(warehouse, item(max_polls=2), sleep=lambda _: None)
    assert outcome["status"] == "ABORTED" and "timed out after 2 polls" in outcome["error"]
    assert warehouse.cancelled == ["st-1"]


def test_a_failed_statement_carries_its_error_and_fetches_nothing():
    warehouse = SlowWarehouse(polls=0, final="FAILED")
    outcome = run_item(warehouse, item(), sleep=lambda _: None)
    assert outcome["status"] == "FAILED" and outcome["error"] == "boom"
    assert warehouse.fetched == []
