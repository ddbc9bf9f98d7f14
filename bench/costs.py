"""``make costs``: what Strata costs on AWS per month, from the bench's measured figures and AWS's
published prices, written to docs/costs.md.

    python bench/costs.py [--bench bench/out] [--out docs/costs.md]

Measured figures are read from the bench's JSON (``bench/run.py`` writes ``conversion.json``,
``bench/incremental.py`` writes ``incremental.json``, ``bench/small_files.py`` may write
``small_files.json``); a figure that is missing takes the default recorded below (the last
measured value, with where it came from). Prices are eu-west-1 (Ireland), on-demand, without
free tiers, each with its source and the date it was read. Assumptions that no local bench
can measure (how long a statement runs on Redshift, how long a crawl takes) are parameters,
named as such in the document.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DAYS = 30  # a month


@dataclass(frozen=True)
class Price:
    value: float
    unit: str
    source: str
    read: str  # when the price was read from its source


# eu-west-1, on-demand, x86 Lambda. Ireland's rates equal US East's for these services except
# where said; free tiers are left out (a lake's bill should not depend on them).
PRICES = {
    "lambda_gb_s": Price(0.0000166667, "per GB-second", "https://aws.amazon.com/lambda/pricing/",
                         "2026-12-05"),
    "lambda_request": Price(0.20 / 1e6, "per request", "https://aws.amazon.com/lambda/pricing/",
                            "2026-12-05"),
    "sfn_transition": Price(0.025 / 1000, "per state transition (Standard)",
                            "https://aws.amazon.com/step-functions/pricing/", "2026-12-05"),
    "sfn_express_request": Price(1.00 / 1e6, "per request (Express)",
                                 "https://aws.amazon.com/step-functions/pricing/", "2026-12-05"),
    "sfn_express_gb_s": Price(0.00001667, "per GB-second (Express, 64 MB chunks)",
                              "https://aws.amazon.com/step-functions/pricing/", "2026-12-05"),
    "s3_gb_month": Price(0.023, "per GB-month (S3 Standard, first 50 TB)",
                         "https://aws.amazon.com/s3/pricing/", "2026-12-05"),
    "s3_put": Price(0.005 / 1000, "per PUT, COPY, POST or LIST request",
                    "https://aws.amazon.com/s3/pricing/", "2026-12-05"),
    "s3_get": Price(0.0004 / 1000, "per GET request", "https://aws.amazon.com/s3/pricing/",
                    "2026-12-05"),
    "glue_dpu_hour": Price(0.44, "per DPU-hour (crawler and Spark job)",
                           "https://aws.amazon.com/glue/pricing/ (AWS Price List, eu-west-1, "
                           "effective 2024-11-01)", "2026-12-05"),
    "glue_catalog_request": Price(1.00 / 1e6, "per Data Catalog request over the first million",
                                  "https://aws.amazon.com/glue/pricing/", "2026-12-05"),
    "redshift_rpu_hour": Price(0.375, "per RPU-hour (Serverless; the page's worked example is "
                               "US East, check Ireland's rate before quoting)",
                               "https://aws.amazon.com/redshift/pricing/", "2026-10-07"),
}  # fmt: skip

# Billing rules that shape the arithmetic (same sources as the prices).
CRAWLER_MINIMUM_S = 600  # a crawler run bills at least 10 minutes
GLUE_JOB_MINIMUM_S = 60  # a Glue Spark job (Glue 2.0 and later) bills at least 1 minute
GLUE_JOB_MIN_DPU = 2  # the smallest Spark job: 2 G.1X workers
REDSHIFT_MINIMUM_S = 60  # Serverless bills at least 60 s each time it wakes up
EXPRESS_MEMORY_GB = 0.064  # an Express execution's memory, billed in 64 MB chunks
LAMBDA_VCPU_MB = 1769  # Lambda gives a vCPU's worth of time per 1,769 MB
LAMBDA_MAX_VCPUS = 6


@dataclass(frozen=True)
class Figures:
    """The measured figures the model needs; defaults are the last measured values."""

    # Conversion (bench/run.py, strata on the 1 GB CSV): Convert's billed seconds per GB of
    # input, from the CPU seconds per GB over Convert's vCPUs (the bench machine is shared, so
    # CPU time is the steadier figure; 12.8 s wall on two idle cores in session 5).
    convert_wall_s_per_gb: float = 12.8
    convert_cpu_s_per_gb: float = 24.1
    # The same conversion in pandas (pandas-contract), one thread (CPU s = seconds), its peak.
    pandas_wall_s_per_gb: float = 77.2
    pandas_rss_mb: float = 1776
    # Cleansed Parquet bytes per raw byte (zstd, bench files).
    cleansed_ratio: float = 0.2
    # Convert's Lambda memory (template: two vCPUs' worth).
    convert_memory_gb: float = 3.584
    # One pipeline run (bench/incremental.py, 2026-12-05: one file of orders and its models,
    # 390 transitions, 45 statements in 7 waves, 11 Lambda invocations):
    transitions_fixed: float = 32  # states entered once per run (or per wave: counted here)
    transitions_per_file: float = 1  # the inline Map's iteration
    transitions_per_statement: float = 7.87  # the Data API loop with one poll
    transitions_per_poll: float = 4  # each further poll: Wait, count, describe, check (ASL)
    transitions_per_crawl_poll: float = 3
    statements_per_source: float = 45  # statements of the models downstream of one source
    waves: float = 7
    other_lambdas_per_run: float = 10  # Discover, PlanModels, NextWave per wave, Report
    # h-compact's batching: Convert invocations per 1,000 small raw files (1,000: unbatched).
    invocations_per_1000_small_files: float = 1000
    measured: dict[str, str] = field(default_factory=dict)  # which figures were measured, where


@dataclass(frozen=True)
class Assumptions:
    """What no local bench measures; stated in the document as assumptions."""

    runs_per_day: int = 24  # hourly schedule
    files_per_source_per_run: float = 1
    output_files_per_input: float = 2  # partitions an input file writes (event dates)
    polls_per_statement_on_aws: float = 3  # Data API statements take seconds; poll every 2-5 s
    crawl_seconds: float = 90  # a crawl of the touched prefixes
    crawl_poll_seconds: float = 15
    crawler_dpu: float = 2
    lambda_overhead_s: float = 0.5  # per Convert invocation: start, reads, writes of state
    other_lambda_s: float = 1.0  # Discover, PlanModels, NextWave, Report: each
    other_lambda_gb: float = 0.5
    redshift_base_rpu: float = 8  # the smallest Serverless base capacity
    redshift_s_per_wave: float = 5
    redshift_s_per_gb: float = 4  # at base capacity, incremental models over new data
    spark_mb_s_per_dpu: float = 25  # a G.1X worker converting CSV to Parquet
    spark_startup_s: float = 30
    pandas_memory_gb: float = 3.0  # fits the measured peak with headroom
    requests_per_output_file: float = 1  # Spectrum/Athena GETs of each new file per build
    retention_months: int = 12  # storage shown after this much history


@dataclass(frozen=True)
class Scenario:
    gb_per_day: float
    sources: int

    @property
    def name(self) -> str:
        volume = (
            f"{self.gb_per_day / 1000:g} TB"
            if self.gb_per_day >= 1000
            else (f"{self.gb_per_day:g} GB")
        )
        return f"{volume}/day, {self.sources} sources"


SCENARIOS = [Scenario(10, 15), Scenario(10, 50), Scenario(1000, 15), Scenario(1000, 50)]


def monthly(scenario: Scenario, fig: Figures, ask: Assumptions) -> dict[str, float]:
    """Dollars per month, by line, for Strata as built (Standard workflows, the crawler)."""
    p = {name: price.value for name, price in PRICES.items()}
    runs = ask.runs_per_day * DAYS
    files = scenario.sources * ask.files_per_source_per_run * runs
    gb = scenario.gb_per_day * DAYS
    convert_gb_s = gb * fig.convert_wall_s_per_gb * fig.convert_memory_gb
    convert_gb_s += files * ask.lambda_overhead_s * fig.convert_memory_gb
    others = runs * fig.other_lambdas_per_run
    lines = {
        "Lambda: Convert GB-seconds": convert_gb_s * p["lambda_gb_s"],
        "Lambda: other functions": others * ask.other_lambda_s * ask.other_lambda_gb
        * p["lambda_gb_s"],
        "Lambda: requests": (files + others) * p["lambda_request"],
    }  # fmt: skip
    transitions = _transitions_per_run(scenario, fig, ask) * runs
    lines["Step Functions Standard: transitions"] = transitions * p["sfn_transition"]
    lines.update(_s3(scenario, fig, ask, files))
    lines["Glue crawler: DPU-hours"] = runs * _crawl_dpu_hours(ask) * p["glue_dpu_hour"]
    lines["Redshift Serverless: RPU-hours (models)"] = (
        runs * _rpu_hours_per_run(scenario, fig, ask) * p["redshift_rpu_hour"]
    )
    return lines


def _transitions_per_run(scenario: Scenario, fig: Figures, ask: Assumptions) -> float:
    files = scenario.sources * ask.files_per_source_per_run
    statements = scenario.sources * fig.statements_per_source
    polls = statements * max(ask.polls_per_statement_on_aws - 1, 0)
    crawl_polls = max(1.0, ask.crawl_seconds / ask.crawl_poll_seconds)
    return (
        fig.transitions_fixed
        + files * fig.transitions_per_file
        + statements * fig.transitions_per_statement
        + polls * fig.transitions_per_poll
        + crawl_polls * fig.transitions_per_crawl_poll
    )


def _s3(scenario: Scenario, fig: Figures, ask: Assumptions, files: float) -> dict[str, float]:
    p = {name: price.value for name, price in PRICES.items()}
    outputs = files * ask.output_files_per_input
    raw_gb = scenario.gb_per_day * DAYS * ask.retention_months
    return {
        # Landing copy and raw write per file; the outputs, quarantine and state per file.
        "S3: PUT/LIST requests": (files * 2 + outputs + files) * p["s3_put"],
        "S3: GET requests": (files + outputs * ask.requests_per_output_file) * p["s3_get"],
        f"S3: raw storage ({ask.retention_months} months kept)": raw_gb * p["s3_gb_month"],
        f"S3: cleansed storage ({ask.retention_months} months kept)": raw_gb
        * fig.cleansed_ratio
        * p["s3_gb_month"],
    }


def _crawl_dpu_hours(ask: Assumptions) -> float:
    return ask.crawler_dpu * max(ask.crawl_seconds, CRAWLER_MINIMUM_S) / 3600


def _rpu_hours_per_run(scenario: Scenario, fig: Figures, ask: Assumptions) -> float:
    per_run_gb = scenario.gb_per_day / ask.runs_per_day
    seconds = fig.waves * ask.redshift_s_per_wave + per_run_gb * ask.redshift_s_per_gb
    return ask.redshift_base_rpu * max(seconds, REDSHIFT_MINIMUM_S) / 3600


def conversion_alternatives(scenario: Scenario, fig: Figures, ask: Assumptions) -> dict[str, float]:
    """The conversion alone per month: Strata's Lambda, a Glue Spark job per run, a pandas
    (awswrangler) Lambda."""
    p = {name: price.value for name, price in PRICES.items()}
    runs = ask.runs_per_day * DAYS
    files = scenario.sources * ask.files_per_source_per_run * runs
    gb = scenario.gb_per_day * DAYS
    strata = (
        gb * fig.convert_wall_s_per_gb + files * ask.lambda_overhead_s
    ) * fig.convert_memory_gb * p["lambda_gb_s"] + files * p["lambda_request"]
    per_run_mb = scenario.gb_per_day * 1000 / ask.runs_per_day
    dpus = max(GLUE_JOB_MIN_DPU, per_run_mb / ask.spark_mb_s_per_dpu / 600)  # done in 10 min
    job_s = ask.spark_startup_s + per_run_mb / (ask.spark_mb_s_per_dpu * dpus)
    spark = runs * dpus * max(job_s, GLUE_JOB_MINIMUM_S) / 3600 * p["glue_dpu_hour"]
    pandas = (
        gb * fig.pandas_wall_s_per_gb + files * ask.lambda_overhead_s
    ) * ask.pandas_memory_gb * p["lambda_gb_s"] + files * p["lambda_request"]
    return {
        "Strata (DuckDB in Lambda)": strata,
        "Glue Spark job per run": spark,
        "pandas/awswrangler Lambda": pandas,
    }


def choices(scenario: Scenario, fig: Figures, ask: Assumptions) -> dict[str, tuple[float, float]]:
    """Monthly dollars of a part as built, and with the change the model suggests."""
    p = {name: price.value for name, price in PRICES.items()}
    runs = ask.runs_per_day * DAYS
    crawler = runs * _crawl_dpu_hours(ask) * p["glue_dpu_hour"]
    crawl_transitions = max(1.0, ask.crawl_seconds / ask.crawl_poll_seconds)
    crawler += runs * crawl_transitions * fig.transitions_per_crawl_poll * p["sfn_transition"]
    # Registering partitions: one BatchCreatePartition per source per run (every request
    # billed: the first million free are not counted), one Lambda second.
    register = runs * scenario.sources * p["glue_catalog_request"]
    register += runs * (ask.other_lambda_s * ask.other_lambda_gb * p["lambda_gb_s"])
    files = scenario.sources * ask.files_per_source_per_run * runs
    per_file_standard = files * fig.transitions_per_file * p["sfn_transition"]
    # Express child per file: one request, the Convert call's duration at 64 MB.
    seconds_per_file = (
        scenario.gb_per_day * fig.convert_wall_s_per_gb / (files / runs * ask.runs_per_day)
        + ask.lambda_overhead_s
    )
    per_file_express = files * (
        p["sfn_express_request"] + seconds_per_file * EXPRESS_MEMORY_GB * p["sfn_express_gb_s"]
    )
    statements = runs * scenario.sources * fig.statements_per_source
    polls = max(ask.polls_per_statement_on_aws - 1, 0)
    statement_standard = statements * (
        fig.transitions_per_statement + polls * fig.transitions_per_poll
    ) * p["sfn_transition"]  # fmt: skip
    statement_s = ask.redshift_s_per_wave + polls * 3
    statement_express = statements * (
        p["sfn_express_request"] + statement_s * EXPRESS_MEMORY_GB * p["sfn_express_gb_s"]
    )
    small = _small_files(fig, ask)
    return {
        "Glue crawler → register partitions through the API": (crawler, register),
        "Per-file Map iterations: Standard → Express children": (
            per_file_standard, per_file_express,
        ),
        "Data API statement loop: Standard → Express sub-workflow": (
            statement_standard, statement_express,
        ),
        "1,000 small files: one Convert each → batched (h-compact)": small,
    }  # fmt: skip


def _small_files(fig: Figures, ask: Assumptions) -> tuple[float, float]:
    """Lambda requests, overhead seconds and Standard transitions of 1,000 small files, once
    unbatched and once with the batching's measured invocations."""
    p = {name: price.value for name, price in PRICES.items()}

    def cost(invocations: float) -> float:
        return invocations * (
            p["lambda_request"]
            + ask.lambda_overhead_s * fig.convert_memory_gb * p["lambda_gb_s"]
            + fig.transitions_per_file * p["sfn_transition"]
        )

    return cost(1000), cost(fig.invocations_per_1000_small_files)


def load_figures(bench: Path) -> Figures:
    """The defaults, replaced by whatever the bench's JSON files hold."""
    fig = Figures()
    found: dict[str, Any] = {}
    measured: dict[str, str] = {}
    conversion = _read(bench / "conversion.json")
    if conversion:
        runs = conversion.get("side_by_side", []) + conversion.get("scaling", [])
        ours = _largest(runs, "strata", "csv")
        pandas = _largest(runs, "pandas-contract", "csv")
        if ours:
            memory_mb = int(fig.convert_memory_gb * 1000)
            vcpus = min(LAMBDA_MAX_VCPUS, max(1, memory_mb // LAMBDA_VCPU_MB))
            found["convert_wall_s_per_gb"] = ours["cpu_s_per_gb"] / vcpus
            found["convert_cpu_s_per_gb"] = ours["cpu_s_per_gb"]
        if pandas:
            found["pandas_wall_s_per_gb"] = pandas["cpu_s_per_gb"]
            found["pandas_rss_mb"] = pandas["rss_mb"]
        for name in found:
            measured[name] = f"conversion.json ({conversion.get('measured_at', '?')})"
    incremental = _read(bench / "incremental.json")
    if incremental and incremental.get("runs") and "states" in incremental["runs"][-1]:
        split = split_transitions(incremental["runs"][-1])
        found.update(split)
        for name in split:
            measured[name] = "incremental.json (the last run)"
    small = _read(bench / "small_files.json")
    if small and "invocations_per_1000_small_files" in small:
        found["invocations_per_1000_small_files"] = float(small["invocations_per_1000_small_files"])
        measured["invocations_per_1000_small_files"] = "small_files.json"
    return replace(fig, **found, measured=measured)


# The states of each loop of statemachines/pipeline.asl.json, by name.
PER_FILE = ("Convert", "ConversionFailed", "DistributedConvert", "DistributedConversionFailed")
CRAWL_LOOP = ("CountCrawlPolls", "CrawlerState", "CrawlDone?", "WaitForCrawl", "NextCrawlPoll")
PER_WAVE = ("ModelsLeft?", "RunWave", "NextWave")


def split_transitions(run: dict[str, Any]) -> dict[str, float]:
    """One run's transitions (``bench/transitions.py``), split into what is paid once per run,
    per file, per statement (the Data API loop) and per crawl poll."""
    states: dict[str, int] = run.get("states", {})
    statements = run.get("statements") or 0
    files = sum(states.get(name, 0) for name in ("Convert", "DistributedConvert")) or 1
    crawl_polls = run.get("crawl_polls") or 1
    statement_states = _statement_states()
    per_file = sum(states.get(name, 0) for name in PER_FILE)
    per_statement = sum(n for name, n in states.items() if name in statement_states)
    crawl = sum(states.get(name, 0) for name in CRAWL_LOOP)
    fixed = sum(states.values()) - per_file - per_statement - crawl
    figures = {
        "transitions_fixed": float(fixed),
        "transitions_per_file": per_file / files,
        "transitions_per_crawl_poll": crawl / crawl_polls,
        "waves": float(states.get("RunWave", 0)),
        "other_lambdas_per_run": float(run.get("lambda_invocations", 0) - files),
    }
    if statements:
        figures["transitions_per_statement"] = per_statement / statements
        figures["statements_per_source"] = float(statements)
    return figures


def _statement_states() -> set[str]:
    """The names of the states inside the Data API loop (the RunWave Map's iterator)."""
    definition = json.loads((REPO / "statemachines" / "pipeline.asl.json").read_text())
    found: set[str] = set()

    def walk(states: dict[str, Any], inside: bool) -> None:
        for name, state in states.items():
            if inside:
                found.add(name)
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if processor:
                walk(processor["States"], inside or name == "RunWave")
            for branch in state.get("Branches", []):
                walk(branch["States"], inside)

    walk(definition["States"], False)
    return found


def _largest(runs: list[dict[str, Any]], method: str, kind: str) -> dict[str, Any] | None:
    """The run of ``method`` on the largest ``kind`` file that took the least CPU."""
    chosen = [run for run in runs if run.get("method") == method and run.get("kind") == kind]
    if not chosen:
        return None
    size = max(run["size_mb"] for run in chosen)
    return min((run for run in chosen if run["size_mb"] == size), key=lambda run: run["cpu_s"])


def _read(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def render(fig: Figures, ask: Assumptions) -> str:
    lines = [
        "# What Strata costs on AWS",
        "",
        "<!-- Generated by `make costs` (bench/costs.py) from the bench's measured figures and",
        "AWS's published prices. Do not edit by hand: change the script or re-run the bench. -->",
        "",
        "Dollars per month in eu-west-1, on-demand, free tiers left out, for a lake fed",
        f"{ask.runs_per_day} times a day (each source delivers "
        f"{ask.files_per_source_per_run:g} file per run), with "
        f"{ask.retention_months} months of history in S3. The measured figures come from",
        "`make bench` on a 2-core machine; the figures no local run can measure are",
        "assumptions, listed below with their values: change them in `bench/costs.py`.",
        "",
    ]
    table = {scenario.name: monthly(scenario, fig, ask) for scenario in SCENARIOS}
    names = list(next(iter(table.values())))
    lines += [
        "## Strata as built (Standard workflows, Glue crawler)",
        "",
        "| line | " + " | ".join(table) + " |",
        "| --- |" + " ---: |" * len(table),
    ]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(_usd(table[s][name]) for s in table) + " |")
    lines.append(
        "| **total** | " + " | ".join(f"**{_usd(sum(t.values()))}**" for t in table.values()) + " |"
    )
    alternatives = {s.name: conversion_alternatives(s, fig, ask) for s in SCENARIOS}
    lines += [
        "",
        "## The conversion alone, three ways",
        "",
        "The raw → cleansed conversion of the same bytes, per month: Strata's DuckDB in Lambda "
        f"({fig.convert_wall_s_per_gb:.1f} s per GB at {fig.convert_memory_gb:g} GB, measured), "
        f"a Glue Spark job per run (at least {GLUE_JOB_MIN_DPU} DPUs, "
        f"{ask.spark_mb_s_per_dpu:g} MB/s per DPU and {ask.spark_startup_s:g} s start-up "
        "assumed: not measured here), and the same conversion in pandas in a Lambda "
        f"({fig.pandas_wall_s_per_gb:.1f} s per GB measured, {ask.pandas_memory_gb:g} GB "
        f"for its {fig.pandas_rss_mb:.0f} MB peak).",
        "",
        "| conversion | " + " | ".join(alternatives) + " |",
        "| --- |" + " ---: |" * len(alternatives),
    ]
    for name in next(iter(alternatives.values())):
        lines.append(
            f"| {name} | " + " | ".join(_usd(alternatives[s][name]) for s in alternatives) + " |"
        )
    lines += [
        "",
        "## Choices the model says are worth changing",
        "",
        "Monthly dollars of the part as built, then with the change.",
        "",
    ]
    for scenario in (SCENARIOS[1], SCENARIOS[3]):
        lines += [
            f"### {scenario.name}",
            "",
            "| change | as built | changed | saved |",
            "| --- | ---: | ---: | ---: |",
        ]
        for name, (before, after) in choices(scenario, fig, ask).items():
            lines.append(f"| {name} | {_usd(before)} | {_usd(after)} | {_usd(before - after)} |")
        lines.append("")
    lines += [*_verdicts(fig, ask), "", *_inputs(fig, ask)]
    return "\n".join(lines) + "\n"


def _verdicts(fig: Figures, ask: Assumptions) -> list[str]:
    big = SCENARIOS[3]
    built = monthly(big, fig, ask)
    total = sum(built.values())
    storage = sum(value for name, value in built.items() if "storage" in name)
    changes = choices(big, fig, ask)
    crawler, register = changes["Glue crawler → register partitions through the API"]
    per_file = changes["Per-file Map iterations: Standard → Express children"]
    statements = changes["Data API statement loop: Standard → Express sub-workflow"]
    return [
        "What follows from the tables:",
        "",
        f"- **Storage dominates at scale**: at {big.name}, S3 storage is "
        f"{storage / total:.0%} of the month after {ask.retention_months} months (raw kept "
        "as received is the larger part). Raw is the system of record and stays; moving raw "
        "older than the replay window to S3 Glacier Instant Retrieval or Intelligent-Tiering "
        "is the largest saving available, and compression of raw on landing the next.",
        f"- **Drop the crawler when partitions are registered directly**: the crawler bills at "
        f"least {CRAWLER_MINIMUM_S // 60} minutes of {ask.crawler_dpu:g} DPUs per run, "
        f"{_usd(crawler)} a month against {_usd(register)} for `BatchCreatePartition` calls "
        "(the conversion already knows every partition it wrote). Worth changing at every "
        "scale: it also removes the crawl's poll loop and its minutes of latency.",
        f"- **Express for per-file work saves little**: {_usd(per_file[0])} against "
        f"{_usd(per_file[1])} a month at {big.name}. A file costs one Standard transition in "
        "the inline Map; an Express child costs a request plus its duration. Worth it only "
        "with far more files (APIs delivering pages), where batching small files (fewer "
        "invocations, fewer transitions) saves more than the workflow type.",
        f"- **The Data API loop is the largest Step Functions line** ({_usd(statements[0])} a "
        f"month at {big.name}; {_usd(statements[1])} as Express): every statement costs "
        "its transitions and each further poll four more. An Express sub-workflow per wave "
        "(a wave finishes in minutes, within Express's 5 minutes) bills duration instead; "
        "batching a wave's statements (`BatchExecuteStatement`, already used for "
        "multi-statement models) cuts the polls.",
        "- **The conversion engine is right**: DuckDB in Lambda costs a fraction of a pandas "
        "Lambda doing the same work, and less than a Glue Spark job, whose minimum of "
        f"{GLUE_JOB_MIN_DPU} DPUs for a minute per run dominates at small volumes.",
    ]


def _inputs(fig: Figures, ask: Assumptions) -> list[str]:
    lines = ["## Inputs", "", "### Measured (or the default recorded in the script)", ""]
    lines += ["| figure | value | from |", "| --- | ---: | --- |"]
    for name, value in asdict(fig).items():
        if name == "measured":
            continue
        lines.append(f"| `{name}` | {value:g} | {fig.measured.get(name, 'default')} |")
    lines += ["", "### Assumptions (not measured here)", ""]
    lines += ["| assumption | value |", "| --- | ---: |"]
    lines += [f"| `{name}` | {value:g} |" for name, value in asdict(ask).items()]
    lines += ["", "### Prices (eu-west-1, on-demand)", ""]
    lines += ["| price | USD | unit | source | read |", "| --- | ---: | --- | --- | --- |"]
    for name, price in PRICES.items():
        lines.append(
            f"| `{name}` | {price.value:.10g} | {price.unit} | {price.source} | {price.read} |"
        )
    return lines


def _usd(value: float) -> str:
    if abs(value) < 1:
        return f"${value:.3g}"
    return f"${value:,.2f}" if abs(value) < 100 else f"${value:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bench", type=Path, default=HERE / "out")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "costs.md")
    args = parser.parse_args(argv)
    text = render(load_figures(args.bench), Assumptions())
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
