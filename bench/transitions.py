"""What one local pipeline run does that AWS bills by the count: the state transitions of its
executions (Step Functions Standard bills each state entered), the Lambda invocations, the
Redshift Data API statements and their polls, the crawler polls. Read from the execution
history moto's interpreter records, so the count follows the real ASL, not a guess.

    with transitions.counted() as counter:
        run_pipeline(...)
    counter.totals()  # {"transitions": 31, "lambda_invocations": 5, ...}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# The states whose entries count a call of their kind (their names in statemachines/).
STATEMENTS = ("ExecuteStatement", "BatchExecuteStatement")
STATEMENT_POLLS = ("DescribeStatement",)
CRAWL_POLLS = ("CrawlerState",)


@dataclass
class Tally:
    """The counts of every execution the pipeline ran while counting."""

    states: Counter[str] = field(default_factory=Counter)
    lambda_tasks: int = 0

    def add(self, history: list[dict[str, Any]]) -> None:
        for event in history:
            kind = str(event.get("type", ""))  # moto's enum: "HistoryEventType.TaskScheduled"
            details = event.get("taskScheduledEventDetails") or {}
            if kind.endswith("TaskScheduled") and details.get("resourceType") == "lambda":
                self.lambda_tasks += 1
            if kind.endswith("StateEntered"):
                self.states[str(event.get("stateEnteredEventDetails", {}).get("name", ""))] += 1

    def totals(self) -> dict[str, int]:
        def entered(prefixes: tuple[str, ...]) -> int:
            return sum(n for name, n in self.states.items() if name.startswith(prefixes))

        return {
            "transitions": sum(self.states.values()),
            "lambda_invocations": self.lambda_tasks,
            "statements": entered(STATEMENTS),
            "statement_polls": entered(STATEMENT_POLLS),
            "crawl_polls": entered(CRAWL_POLLS),
        }

    def figures(self) -> dict[str, object]:
        """The totals and each state's entries (the cost model splits them by loop)."""
        return {**self.totals(), "states": dict(sorted(self.states.items()))}

    def describe(self) -> str:
        totals = self.totals()
        return ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in totals.items())


@contextmanager
def counted() -> Iterator[Tally]:
    """Counts the histories of the executions that finish inside the block."""
    from strata_dev.local.stepfunctions import LocalStepFunctions

    counter = Tally()
    original = LocalStepFunctions.wait

    def wait(self: LocalStepFunctions, arn: str, *args: Any, **kwargs: Any) -> Any:
        execution = original(self, arn, *args, **kwargs)
        counter.add(self._history(arn))
        return execution

    LocalStepFunctions.wait = wait  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        LocalStepFunctions.wait = original  # type: ignore[method-assign]
