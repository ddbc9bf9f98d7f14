"""Incremental cost: the pipeline run N times locally, each time with the same amount of new
data. A run must cost what its new data costs, not what the lake already holds: the last run
may take at most 1.2x the first.

    python bench/incremental.py [--runs 10] [--rows 20000] [--json bench/out/incremental.json]

Only the ``orders`` source runs (``strata run --source orders``): the API and SFTP sources need
the sample servers and their secrets, which only ``make demo`` starts. The lake is a folder of
its own under ``--out``, so a demo lake in the same clone changes nothing. Each run's state
transitions, Lambda invocations and warehouse statements are counted from the execution's
history (the cost model, ``bench/costs.py``, reads them from ``--json``).
"""

from __future__ import annotations

import argparse
import json
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
from strata_dev.cli.outcome import conclude
from strata_dev.console import Console
from strata_dev.local.run import PipelineOptions, run_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent))

import transitions  # a sibling script, found through the path above

REPO = Path(__file__).resolve().parents[1]
HEADER = "Order ID,Customer,Order Date,Status,Channel,Amount,Currency\n"
STATUSES = ["placed", "shipped", "delivered", "cancelled", "returned"]
CHANNELS = ["organic", "paid_search", "social", "email", "affiliate"]
LIMIT = 1.2
SOURCE = "orders"


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
    parser.add_argument("--json", type=Path, help="where to write the runs' figures")
    args = parser.parse_args(argv)
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    settings = Settings(project_dir=REPO, lake_dir=args.out / "lake")
    timings, counts = [], []
    for run in range(1, args.runs + 1):
        ctx = build_context(settings)
        use(ctx)
        source = args.out / f"orders_run{run:02d}.csv"
        batch(source, run, args.rows)
        ctx.ports.landing.put_file(f"{SOURCE}/{source.name}", source)
        started = time.perf_counter()
        with transitions.counted() as counter:
            outcome = run_pipeline(
                ctx, REPO, Console(StringIO()), PipelineOptions(sources=[SOURCE])
            )
        elapsed = time.perf_counter() - started
        if not outcome.succeeded:
            # The run's own summary and problems, as `strata run` prints them.
            print(f"run {run} did not succeed:", file=sys.stderr)
            conclude(ctx, outcome, Console(sys.stderr))
            close_current()
            return 1
        close_current()
        rows_out = outcome.report["sources"][SOURCE]["rows_out"]
        timings.append(elapsed)
        counts.append(counter.figures())
        print(
            f"run {run:2d}: {elapsed:6.2f} s  ({rows_out} new rows, lake holds {run * args.rows}; "
            f"{counter.describe()})"
        )
    ratio = timings[-1] / timings[0]
    verdict = "OK" if ratio <= LIMIT else "TOO SLOW"
    print(f"last/first = {ratio:.2f} (limit {LIMIT}) {verdict}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = {"rows_per_run": args.rows, "seconds": timings, "runs": counts}
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
