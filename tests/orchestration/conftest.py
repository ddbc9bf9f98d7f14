"""Payloads as the state machine sends them, for the tests that call the library directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from strata.lake.payloads import ReportInput

SUCCESS = {"status": "success", "nodes": [], "run_results_key": None}


def end_of_run(
    run_id: str, conversions: Any = (), summary: dict[str, Any] | None = None
) -> ReportInput:
    """The Report state's payload: the run's conversions and its warehouse build's summary."""
    return ReportInput.model_validate(
        {
            "run_id": run_id,
            "execution_name": run_id,
            "conversions": list(conversions) if isinstance(conversions, tuple) else conversions,
            "warehouse": {"summary": summary or SUCCESS},
        }
    )


@pytest.fixture
def report_input() -> Callable[..., ReportInput]:
    return end_of_run
