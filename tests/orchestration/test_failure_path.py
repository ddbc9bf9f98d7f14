"""Whatever step fails, the run ends in the failure path: a report if one can be written, the
failure alert always, and a failed execution. The repository's definition runs in moto with the
pipeline's handlers in-process; faults are injected into the library calls behind them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import strata.models.service
import strata.orchestration.report
from strata.lake.payloads import FailureReportInput, ReportOutput
from strata_dev.local.stepfunctions import REGION, Execution, local_step_functions

# After the alert, the site (a warning at most); the verdict stays the failure's.
AFTER_THE_ALERT = ["NotifyFailure", "Site", "Verdict", "RunFailed"]


class InjectedFault(Exception):
    """Not transient: the definition must not retry it."""


@dataclass
class Run:
    execution: Execution
    entered: list[str]  # the states entered, in order
    alerts: list[str]  # the messages published to the alert topic

    def failure_path(self) -> list[str]:
        return self.entered[self.entered.index("ReportFailure") :]


def run(ctx, project_dir: Path) -> Run:
    """One execution over an empty queue."""
    entered: list[str] = []

    def record(event: dict[str, Any]) -> None:
        if event["type"].endswith("StateEntered"):
            entered.append(event["stateEnteredEventDetails"]["name"])

    with local_step_functions(ctx, project_dir) as machine:
        execution = machine.wait(machine.start("run-1", {}), on_event=record)
        return Run(execution, entered, alerts())


def alerts() -> list[str]:
    """moto keeps the messages published to each topic (an internal, version-pinned API)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    topics = sns_backends[DEFAULT_ACCOUNT_ID][REGION].topics.values()
    return [sent[1] for topic in topics for sent in topic.sent_notifications]


def report(ctx) -> dict[str, Any]:
    return json.loads(ctx.ports.artifacts.get_bytes("runs/run-1/report.json"))


@pytest.fixture
def failing_report(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The Report step's call fails; the failure path's call (``{"input": …}``) works."""
    real = strata.orchestration.report.publish_report
    calls: list[Any] = []

    def publish(ctx: Any, event: Any) -> ReportOutput:
        calls.append(event)
        if not isinstance(event, FailureReportInput):
            raise InjectedFault("the report could not be written")
        return real(ctx, event)

    monkeypatch.setattr(strata.orchestration.report, "publish_report", publish)
    return calls


def test_a_failing_report_ends_in_the_failure_report_and_the_alert(
    ctx, project_dir, failing_report
):
    result = run(ctx, project_dir)
    assert result.execution.status == "FAILED" and result.execution.error == "RunFailed"
    assert "Report" in result.entered
    assert result.failure_path() == ["ReportFailure", *AFTER_THE_ALERT]
    assert len(failing_report) == 2  # the Report once (not retried), then the failure report
    written = report(ctx)
    assert written["status"] == "failed"
    assert written["error"]["Error"] == "InjectedFault"
    assert "the report could not be written" in written["error"]["Cause"]
    [alert] = result.alerts
    assert "run-1 ended failed" in alert and "runs/run-1/report.json" in alert


def test_a_failing_next_wave_ends_in_the_failure_report_and_the_alert(
    ctx, project_dir, monkeypatch
):
    def continue_run(*args: Any, **kwargs: Any) -> None:
        raise InjectedFault("the wave's outcomes could not be recorded")

    monkeypatch.setattr(strata.models.service, "continue_run", continue_run)
    result = run(ctx, project_dir)
    assert result.execution.status == "FAILED" and result.execution.error == "RunFailed"
    assert result.entered.count("NextWave") == 1 and "Report" not in result.entered
    assert result.failure_path() == ["ReportFailure", *AFTER_THE_ALERT]
    written = report(ctx)
    assert written["status"] == "failed"
    assert written["error"]["Error"] == "InjectedFault"
    assert "could not be recorded" in written["error"]["Cause"]
    assert len(result.alerts) == 1


def test_a_failing_failure_report_still_publishes_the_alert(ctx, project_dir, monkeypatch):
    def publish(ctx: Any, event: Any) -> None:
        raise InjectedFault("the artifacts bucket refused the report")

    monkeypatch.setattr(strata.orchestration.report, "publish_report", publish)
    result = run(ctx, project_dir)
    assert result.execution.status == "FAILED" and result.execution.error == "RunFailed"
    # Report fails into ReportFailure, which fails into the alert: never back into itself.
    assert result.failure_path() == ["ReportFailure", "ReportNotWritten", *AFTER_THE_ALERT]
    [alert] = result.alerts
    # The alert names the run, what failed first and why no report exists.
    assert "run-1 ended failed" in alert and "InjectedFault" in alert
    assert "could not be written" in alert
