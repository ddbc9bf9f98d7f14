"""The cost model (``bench/costs.py``, ``make costs``): it runs from the bench's JSON, and its
arithmetic on a small known input is what the prices and the billing rules say."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import costs  # a script of the bench (not a package), found through the path above

PRICE = {name: price.value for name, price in costs.PRICES.items()}


def small() -> tuple[costs.Scenario, costs.Figures, costs.Assumptions]:
    figures = costs.Figures(
        convert_wall_s_per_gb=10, convert_memory_gb=2, transitions_fixed=5,
        transitions_per_file=1, transitions_per_statement=7, transitions_per_poll=4,
        transitions_per_crawl_poll=4, statements_per_source=3, waves=2,
        other_lambdas_per_run=4, cleansed_ratio=0.25,
    )  # fmt: skip
    assumptions = costs.Assumptions(
        runs_per_day=2, files_per_source_per_run=3, output_files_per_input=2,
        polls_per_statement_on_aws=2, crawl_seconds=30, crawl_poll_seconds=15,
        crawler_dpu=2, lambda_overhead_s=0.5, other_lambda_s=1, other_lambda_gb=0.5,
        redshift_base_rpu=8, redshift_s_per_wave=10, redshift_s_per_gb=4,
        requests_per_output_file=1, retention_months=12,
    )  # fmt: skip
    return costs.Scenario(gb_per_day=4, sources=2), figures, assumptions


def test_each_line_is_the_usage_times_its_price():
    scenario, figures, assumptions = small()
    lines = costs.monthly(scenario, figures, assumptions)
    runs = 2 * 30
    files = 2 * 3 * runs  # sources × files per run × runs
    assert lines["Lambda: Convert GB-seconds"] == pytest.approx(
        (4 * 30 * 10 * 2 + files * 0.5 * 2) * PRICE["lambda_gb_s"]
    )
    assert lines["Lambda: requests"] == pytest.approx((files + runs * 4) * PRICE["lambda_request"])
    # Per run: 5 fixed, 6 files, 6 statements of 7 and one more poll of 4 each, 2 crawl polls.
    per_run = 5 + 6 * 1 + 6 * 7 + 6 * 4 + 2 * 4
    assert lines["Step Functions Standard: transitions"] == pytest.approx(
        per_run * runs * PRICE["sfn_transition"]
    )
    # The crawl takes 30 s but bills its 10-minute minimum, on 2 DPUs.
    assert lines["Glue crawler: DPU-hours"] == pytest.approx(
        runs * 2 * 600 / 3600 * PRICE["glue_dpu_hour"]
    )
    # 2 waves of 10 s and 2 GB of new data at 4 s: 28 s, billed as Serverless's 60 s minimum.
    assert lines["Redshift Serverless: RPU-hours (models)"] == pytest.approx(
        runs * 8 * 60 / 3600 * PRICE["redshift_rpu_hour"]
    )
    raw_gb = 4 * 30 * 12
    assert lines["S3: raw storage (12 months kept)"] == pytest.approx(raw_gb * PRICE["s3_gb_month"])
    assert lines["S3: cleansed storage (12 months kept)"] == pytest.approx(
        raw_gb * 0.25 * PRICE["s3_gb_month"]
    )


def test_the_transitions_of_a_run_are_split_by_the_loops_of_the_state_machine():
    run = {
        "statements": 4,
        "crawl_polls": 2,
        "lambda_invocations": 9,
        "states": {
            "Discover": 1, "ManyObjects?": 1, "ConvertEach": 1, "Convert": 3,
            "StartCrawl": 1, "CountCrawlPolls": 2, "CrawlerState": 2, "CrawlDone?": 2,
            "WaitForCrawl": 1, "NextCrawlPoll": 1, "PlanModels": 1, "BuildModels": 1,
            "ModelsLeft?": 3, "RunWave": 2, "Start": 4, "OneOrMany": 4, "ExecuteStatement": 4,
            "DescribeStatement": 4, "StatementDone?": 4, "NextWave": 2, "Report": 1,
        },
    }  # fmt: skip
    split = costs.split_transitions(run)
    assert split["transitions_per_file"] == 1
    assert split["transitions_per_statement"] == (4 * 5) / 4
    assert split["transitions_per_crawl_poll"] == 8 / 2
    assert split["transitions_fixed"] == sum(run["states"].values()) - 3 - 20 - 8
    assert split["waves"] == 2 and split["other_lambdas_per_run"] == 6


def test_make_costs_writes_the_document_from_the_bench_figures(tmp_path):
    conversion = {
        "measured_at": "2026-12-05 09:00 UTC",
        "side_by_side": [
            {"method": "strata", "kind": "csv", "size_mb": 500.0, "wall_s": 7.0,
             "cpu_s": 14.0, "cpu_s_per_gb": 28.0, "rss_mb": 350},
            {"method": "strata", "kind": "csv", "size_mb": 500.0, "wall_s": 9.0,
             "cpu_s": 16.0, "cpu_s_per_gb": 32.0, "rss_mb": 360},
            {"method": "pandas-contract", "kind": "csv", "size_mb": 500.0, "wall_s": 40.0,
             "cpu_s": 40.0, "cpu_s_per_gb": 80.0, "rss_mb": 1700},
        ],
    }  # fmt: skip
    (tmp_path / "conversion.json").write_text(json.dumps(conversion))
    (tmp_path / "small_files.json").write_text(json.dumps({"invocations_per_1000_small_files": 40}))
    out = tmp_path / "costs.md"
    assert costs.main(["--bench", str(tmp_path), "--out", str(out)]) == 0
    text = out.read_text()
    # Billed seconds: the cheaper run's CPU per GB over Convert's two vCPUs (3.5 GB).
    assert "| `convert_wall_s_per_gb` | 14 | conversion.json (2026-12-05 09:00 UTC) |" in text
    assert "| `pandas_wall_s_per_gb` | 80 | conversion.json (2026-12-05 09:00 UTC) |" in text
    assert "| `invocations_per_1000_small_files` | 40 | small_files.json |" in text
    # Every price is cited with its source and the date it was read.
    for price in costs.PRICES.values():
        assert price.source.startswith("https://") and price.read[:2] == "20"
    figures = costs.load_figures(tmp_path)
    scenario, _, assumptions = small()
    expected = sum(costs.monthly(scenario, figures, assumptions).values())
    unbatched = costs.monthly(scenario, replace(figures, invocations_per_1000_small_files=1000),
                              assumptions)  # fmt: skip
    assert expected == pytest.approx(sum(unbatched.values()))  # batching is a separate line
    before, after = costs.choices(scenario, figures, assumptions)[
        "1,000 small files: one Convert each → batched (h-compact)"
    ]
    assert after == pytest.approx(before * 40 / 1000)
    for scenario in costs.SCENARIOS:
        assert f"| {scenario.name} " in text or f" {scenario.name} |" in text
