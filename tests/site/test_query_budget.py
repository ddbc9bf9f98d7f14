"""A page's warehouse queries in a Lambda: submitted together so they run side by side, each
waited for within the site's time budget, and cancelled when given up on."""

from __future__ import annotations

import time

from strata.errors import WarehouseError
from strata.site.page import parse_page
from strata.site.queries import QueryRunner
from strata.site.render import render_body
from strata.warehouse.base import QueryResult, StatementStatus, Warehouse

PAGE = """---
title: Three
---

```sql a
select 1 as x from analytics.a
```

```sql b
select 2 as x from analytics.b
```

```sql c
select 3 as x from analytics.c
```

<Value data={a} value=x />
"""


class SlowWarehouse(Warehouse):
    """A Data API stand-in: each statement runs ``seconds`` after it was submitted."""

    capabilities = None  # type: ignore[assignment]

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.calls: list[tuple[str, str]] = []
        self.started: dict[str, float] = {}

    def submit(self, sqls, *, client_token=None) -> str:
        statement = f"s{len(self.started)}"
        self.started[statement] = time.monotonic()
        self.calls.append(("submit", statement))
        return statement

    def describe(self, statement_id: str) -> StatementStatus:
        done = time.monotonic() - self.started[statement_id] >= self.seconds
        self.calls.append(("describe", statement_id))
        return StatementStatus(statement_id, "FINISHED" if done else "STARTED", None, True)

    def result(self, statement_id: str) -> QueryResult:
        return QueryResult(columns=["x"], rows=[(1,)])

    def cancel(self, statement_id: str) -> None:
        self.calls.append(("cancel", statement_id))
        if time.monotonic() - self.started[statement_id] >= self.seconds:
            raise WarehouseError(f"statement {statement_id} has ended")


def test_a_pages_queries_are_submitted_together_and_take_as_long_as_the_slowest():
    warehouse = SlowWarehouse(seconds=0.6)
    runner = QueryRunner(warehouse, lambda: None)
    started = time.monotonic()
    rendered = render_body(parse_page("dashboards/three.md", PAGE), runner)
    elapsed = time.monotonic() - started
    assert rendered.problems == []
    kinds = [kind for kind, _ in warehouse.calls]
    assert kinds[:3] == ["submit", "submit", "submit"]
    assert elapsed < 3 * 0.6  # side by side, not one after the other


def test_a_query_out_of_time_is_cancelled_and_shows_in_its_page(monkeypatch):
    monkeypatch.setattr("strata.site.queries.RESERVE", 0.0)
    warehouse = SlowWarehouse(seconds=60)
    runner = QueryRunner(warehouse, lambda: None, deadline=time.monotonic() + 0.3)
    rendered = render_body(parse_page("dashboards/three.md", PAGE), runner)
    runner.close()
    messages = " ".join(problem.message for problem in rendered.problems)
    assert "still STARTED" in messages or "time budget is spent" in messages
    cancelled = {statement for kind, statement in warehouse.calls if kind == "cancel"}
    assert cancelled == {"s0", "s1", "s2"}
