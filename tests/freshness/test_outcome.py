"""`strata run`'s summary ends with the late sources, one line each, and how many are on time."""

from __future__ import annotations

import io

from strata_dev.cli.outcome import print_summary
from strata_dev.console import Console


def test_the_run_summary_names_each_late_source_and_counts_those_on_time():
    report = {
        "sources": {},
        "freshness": {
            "orders": {"status": "ok", "reason": "last delivery 2h ago"},
            "shipments": {"status": "warn", "reason": "last delivery 30h ago, over warn_after 26h"},
            "customers": {"status": "error", "reason": "no delivery yet"},
            "notes": {"status": "unchecked", "reason": "no freshness SLA in the contract"},
        },
    }
    out, err = io.StringIO(), io.StringIO()

    print_summary(Console(out, color=False, errors=err), report)

    assert (
        "! freshness shipments: warn, last delivery 30h ago, over warn_after 26h" in out.getvalue()
    )
    assert "Error: freshness customers: error, no delivery yet" in err.getvalue()
    assert out.getvalue().rstrip().endswith("freshness: 1/3 sources on time")
    assert "notes" not in out.getvalue() + err.getvalue()
