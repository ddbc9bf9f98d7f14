"""What the last runs said: each test's and each freshness check's latest result, read from
the run reports in the artifacts store (newest first), and the last finished run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from strata.errors import ObjectNotFoundError
from strata.lake import state_keys
from strata.lake.keys import report_key
from strata.site.docs.model import CheckResult, RunDoc
from strata.state.base import StateStore
from strata.storage.base import ObjectStore

# How many reports are read at most: a test absent from the last thirty runs (deselected
# every time) is shown without a result rather than making every build read the whole history.
MAX_REPORTS = 30


@dataclass
class RunHistory:
    last_run: RunDoc | None = None
    checks: dict[str, CheckResult] = field(default_factory=dict)  # test name → latest result
    unreadable: list[str] = field(default_factory=list)  # report keys that are not JSON


def read_history(state: StateStore, artifacts: ObjectStore, limit: int = MAX_REPORTS) -> RunHistory:
    history = RunHistory()
    runs = sorted(state.query(state_keys.RUN), key=lambda run: str(run["run_id"]), reverse=True)
    finished = [run for run in runs if run.get("finished_at")]
    if finished:
        run = finished[0]
        history.last_run = RunDoc(str(run["run_id"]), str(run.get("status")), run["finished_at"])
    for run in finished[:limit]:
        key = str(run.get("report_key") or report_key(str(run["run_id"])))
        report = _report(artifacts, key, history)
        for test in (report or {}).get("tests") or []:
            name = test.get("test")
            if name and name not in history.checks:
                history.checks[name] = CheckResult(
                    status=str(test.get("status")),
                    run_id=str(run["run_id"]),
                    failures=test.get("failures"),
                    severity=str(test.get("severity") or "error"),
                )
    return history


def _report(artifacts: ObjectStore, key: str, history: RunHistory) -> dict | None:
    try:
        return json.loads(artifacts.get_bytes(key))
    except ObjectNotFoundError:
        return None
    except ValueError:
        history.unreadable.append(key)
        return None
