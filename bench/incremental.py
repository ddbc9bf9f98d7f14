"""Incremental cost: the pipeline run N times locally, each time with the same amount of new
data. A run must cost what its new data costs, not what the lake already holds: the last run
may take at most 1.2x the first.

    python bench/incremental.py [--runs 10] [--rows 20000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

from strata.runtime import build_context, close_current, use
from strata.settings import Settings
from strata_dev.console import Console
from strata_dev.local.run import run_pipeline

REPO = Path(__file__).resolve().parents[1]
HEADER = "Order ID,Customer,Order Date,Status,Channel,Amount,Currency\n"
STATUSES = ["placed", "shipped", "delivered", "cancelled", "returned"]
CHANNELS = ["organic", "paid_search", "social", "email", "affiliate"]
LIMIT = 1.2


def batch(path: Path, run: int, rows: int) -> None:
    """One day of orders, new ids, the same size every run."""
    rng = random.Random(run)
    day = datetime(2026, 1, 1) + timedelta(days=run)
    lines = [HEADER]
    for n in range(rows):
        moment = day + timedelta(seconds=rng.randrange(86_400))
        amount = rng.randrange(100, 50_000) / 100
        lines.append(
            f"{run * 10_000_000 + n},C{rng.randrange(5000):05d},{moment:%Y-%m-%d %H:%M:%S},"
            f"{rng.choice(STATUSES)},{rng.choice(CHANNELS)},{amount:.2f},EUR\n"
        )
    path.write_text("".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "incremental")
    args = parser.parse_args(argv)
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    settings = Settings(project_dir=REPO, lake_dir=args.out / "lake")
    timings = []
    for run in range(1, args.runs + 1):
        ctx = build_context(settings)
        use(ctx)
        source = args.out / f"orders_run{run:02d}.csv"
        batch(source, run, args.rows)
        ctx.ports.landing.put_file(f"orders/{source.name}", source)
        started = time.perf_counter()
        outcome = run_pipeline(ctx, REPO, Console(StringIO()))
        elapsed = time.perf_counter() - started
        close_current()
        if not outcome.succeeded:
            print(f"run {run} failed: {outcome.execution.error}", file=sys.stderr)
            return 1
        rows_out = outcome.report["sources"]["orders"]["rows_out"]
        timings.append(elapsed)
        print(
            f"run {run:2d}: {elapsed:6.2f} s  ({rows_out} new rows, lake holds {run * args.rows})"
        )
    ratio = timings[-1] / timings[0]
    verdict = "OK" if ratio <= LIMIT else "TOO SLOW"
    print(f"last/first = {ratio:.2f} (limit {LIMIT}) {verdict}")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
