"""Many small files: N small CSV files of the orders source through `strata run`, locally.

Measures the batched conversion (small files converted per second, the Convert stage alone),
the compaction that follows (files per partition-day before and after), and what the same run
costs on AWS: Lambda invocations and Step Functions state transitions per 1,000 small files
(for the cost model). ``--batch-objects 1`` converts one object per invocation, as before
batching, for comparison.

    python bench/small_files.py [--files 500] [--rows 20] [--batch-objects 64]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

from strata.lake.keys import compaction_key
from strata.orchestration.batches import batch_size
from strata.runtime import build_context, close_current, use
from strata.settings import Settings
from strata_dev.console import Console
from strata_dev.local import moto_patches
from strata_dev.local import run as run_module
from strata_dev.local.run import PipelineOptions, run_pipeline

REPO = Path(__file__).resolve().parents[1]
HEADER = "Order ID,Customer,Order Date,Status,Channel,Amount,Currency\n"
TARGET_FILES_PER_SECOND = 50
TARGET_FILES_PER_PARTITION = 2
CONCURRENCY = 4  # the template's ConvertConcurrency
# The states each Map item enters: one per batch, or per object before batching.
CONVERSION_STATES = (
    "Convert",
    "ConversionFailed",
    "DistributedConvert",
    "DistributedConversionFailed",
)
DAYS = 3  # the files' rows spread over a few event days, as an API's pages do
CHANNELS = ["organic", "paid_search", "social", "email", "affiliate"]


def small_file(path: Path, index: int, rows: int) -> None:
    rng = random.Random(index)
    lines = [HEADER]
    for n in range(rows):
        moment = datetime(2026, 11, 1) + timedelta(
            days=rng.randrange(DAYS), seconds=rng.randrange(86_400)
        )
        lines.append(
            f"{index * 1000 + n},C{rng.randrange(500):04d},{moment:%Y-%m-%d %H:%M:%S},"
            f"placed,{rng.choice(CHANNELS)},{rng.randrange(100, 50_000) / 100:.2f},EUR\n"
        )
    path.write_text("".join(lines), encoding="utf-8")


class Meter:
    """Counts the Lambda invocations per function (and the Convert stage's wall time) and
    the state transitions (states entered) of the execution."""

    def __init__(self) -> None:
        self.invocations: Counter[str] = Counter()
        self.states: Counter[str] = Counter()  # states entered, by name
        self.first_convert: float | None = None
        self.last_convert = 0.0
        self._lock = threading.Lock()

    def install(self) -> None:
        register = moto_patches.register_handler

        def counting(function_name: str, handler: Any) -> None:
            def call(event: Any, context: Any) -> Any:
                started = time.perf_counter()
                with self._lock:
                    self.invocations[function_name] += 1
                    if function_name == "ConvertFunction" and self.first_convert is None:
                        self.first_convert = started
                try:
                    return handler(event, context)
                finally:
                    if function_name == "ConvertFunction":
                        with self._lock:
                            self.last_convert = max(self.last_convert, time.perf_counter())

            register(function_name, call)

        moto_patches.register_handler = counting  # type: ignore[assignment]
        progress = run_module.Progress
        meter = self

        class Counted(progress):  # type: ignore[misc, valid-type]
            def __call__(self, event: dict[str, Any]) -> None:
                if event["type"].endswith("StateEntered"):
                    meter.states[event["stateEnteredEventDetails"]["name"]] += 1
                super().__call__(event)

        run_module.Progress = Counted  # type: ignore[misc]

    @property
    def convert_seconds(self) -> float:
        return self.last_convert - (self.first_convert or self.last_convert)


def live_files(ctx: Any) -> dict[str, int]:
    """Parquet files per partition, in each partition's catalog location."""
    counts = {}
    for partition in ctx.ports.catalog.list_partitions("orders"):
        location = ctx.ports.catalog.partition_location("orders", partition)
        counts[partition["event_date"]] = len(list(Path(location or "").glob("*.parquet")))
    return counts


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--batch-objects", type=int, default=64)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "small_files")
    args = parser.parse_args(argv)
    shutil.rmtree(args.out, ignore_errors=True)
    (args.out / "files").mkdir(parents=True)
    ctx = build_context(Settings(project_dir=REPO, lake_dir=args.out / "lake"))
    use(ctx)
    for index in range(args.files):
        path = args.out / "files" / f"orders_page_{index:05d}.csv"
        small_file(path, index, args.rows)
        ctx.ports.landing.put_file(f"orders/{path.name}", path)
    meter = Meter()
    meter.install()
    options = PipelineOptions(
        sources=["orders"],
        substitutions={"ConvertBatchObjects": str(args.batch_objects), "InlineMapLimit": "1000"},
    )
    started = time.perf_counter()
    outcome = run_pipeline(ctx, REPO, Console(StringIO()), options)
    elapsed = time.perf_counter() - started
    if not outcome.succeeded:
        print(f"the run failed: {outcome.execution.error}", file=sys.stderr)
        return 1
    orders = outcome.report["sources"]["orders"]
    compaction = json.loads(ctx.ports.artifacts.get_bytes(compaction_key(outcome.run_id)))
    after = live_files(ctx)
    close_current()
    per_second = args.files / meter.convert_seconds if meter.convert_seconds else 0.0
    convert_calls = meter.invocations["ConvertFunction"]
    other_calls = {
        name: count
        for name, count in meter.invocations.items()
        if name not in ("ConvertFunction", "OrdersLandFunction")
    }
    # Transitions inside the conversion Map, per batch; the rest are the run's, whatever its size.
    in_map = sum(meter.states[name] for name in CONVERSION_STATES)
    per_batch = in_map / convert_calls if convert_calls else 0.0
    batches_1000 = math.ceil(1000 / batch_size(1000, args.batch_objects, CONCURRENCY))
    result = {
        "files": args.files,
        "rows_per_file": args.rows,
        "batch_objects": args.batch_objects,
        "rows_in": orders["rows_in"],
        "rows_out": orders["rows_out"],
        "run_seconds": round(elapsed, 1),
        "convert_seconds": round(meter.convert_seconds, 1),
        "files_per_second": round(per_second, 1),
        "convert_invocations": convert_calls,
        "files_before_compaction": sum(item["files_before"] for item in compaction),
        "files_per_partition_after": after,
        "per_run": {
            "other_invocations": other_calls,
            "state_transitions": sum(meter.states.values()) - in_map,
        },
        "per_1000_small_files": {
            "convert_invocations": batches_1000,
            "state_transitions": round(batches_1000 * per_batch),
            "unbatched_convert_invocations": 1000,
            "unbatched_state_transitions": round(1000 * per_batch),
        },
    }
    print(json.dumps(result, indent=2))
    fast = per_second >= TARGET_FILES_PER_SECOND
    compact = max(after.values(), default=0) <= TARGET_FILES_PER_PARTITION
    print(
        f"conversion: {per_second:.1f} small files/s (target {TARGET_FILES_PER_SECOND}) "
        f"{'OK' if fast else 'NOT MET'}; compaction: at most {max(after.values(), default=0)} "
        f"files per partition-day (target {TARGET_FILES_PER_PARTITION}) "
        f"{'OK' if compact else 'NOT MET'}"
    )
    return 0 if compact and orders["rows_in"] == orders["rows_out"] == args.files * args.rows else 1


if __name__ == "__main__":
    sys.exit(main())
