"""Inference benchmark (`make bench-infer`): `strata sources new` on a 1 GB CSV sample must read
a bounded prefix only and finish in under 10 s. Prints the numbers; never part of `make test`."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 10.0


def make_sample(path: Path, gigabytes: float) -> int:
    """A CSV of web-shop orders of about ``gigabytes`` GB, written by DuckDB."""
    import duckdb

    rows = int(gigabytes * 1e9 / 62)
    duckdb.sql(
        f"""COPY (SELECT i AS "Order ID", 'C-' || lpad(CAST(i % 99991 AS VARCHAR), 6, '0')
                  AS "Customer",
                  TIMESTAMP '2026-01-01' + INTERVAL (i * 7) SECOND AS "Order Date",
                  ['placed', 'shipped', 'delivered', 'cancelled'][i % 4 + 1] AS "Status",
                  CAST(round((i * 13) % 50000 / 100.0 + 9.99, 2) AS DECIMAL(12, 2)) AS "Amount",
                  'EUR' AS "Currency", i % 3 = 0 AS "Gift Wrap"
              FROM range({rows}) AS t(i))
            TO '{path}' (HEADER, DELIMITER ',')"""
    )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gigabytes", type=float, default=1.0)
    args = parser.parse_args()
    from strata.secrets.local import LocalSecretStore
    from strata_dev.sources.new import NewSource, new_source

    with tempfile.TemporaryDirectory(prefix="bench-infer-") as folder:
        root = Path(folder)
        sample = root / "orders.csv"
        started = time.perf_counter()
        rows = make_sample(sample, args.gigabytes)
        made = time.perf_counter() - started
        size = sample.stat().st_size
        print(f"sample: {size / 1e9:.2f} GB, {rows:,} rows (written in {made:.1f} s)")
        request = NewSource(name="bench_orders", kind="s3_drop", sample=str(sample))
        started = time.perf_counter()
        written = new_source(request, root / "project", LocalSecretStore(env={}))
        seconds = time.perf_counter() - started
        print(
            f"inferred {len(written.inference.columns)} columns from the first "
            f"{written.inference.rows:,} rows in {seconds:.2f} s (target < {TARGET_SECONDS:.0f} s)"
        )
        print(written.contract.read_text(encoding="utf-8"))
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
