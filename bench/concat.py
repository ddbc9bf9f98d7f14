"""The join of a partition's pieces three ways: the footer rewrite (``parquet_concat.append``,
kept), a DuckDB ``COPY`` of the pieces into one file, and pyarrow reading the pieces' row groups
and writing them with a ``ParquetWriter``. Both library paths decode and re-encode every page.

    python bench/concat.py bench/out/orders_256mb.csv [--pieces 2]

The pieces are written from the file as the conversion writes them (zstd, DuckDB); each way
joins copies of them, its wall and CPU time printed (the best of two).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "layers" / "strata"))


def pieces(source: Path, count: int, folder: Path) -> list[Path]:
    import duckdb

    con = duckdb.connect()
    total = con.execute(
        f"SELECT count(*) FROM read_csv('{source}', all_varchar = true, ignore_errors = true)"
    ).fetchone()
    step = total[0] // count + 1
    written = []
    for index in range(count):
        path = folder / f"piece-{index}.parquet"
        con.execute(
            f"COPY (SELECT * FROM read_csv('{source}', all_varchar = true, ignore_errors = true) "
            f"LIMIT {step} OFFSET {index * step}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)"
        )
        written.append(path)
    return written


def footer(parts: list[Path], target: Path) -> None:
    from strata.convert.parquet_concat import append

    shutil.copyfile(parts[0], target)
    append([target, *parts[1:]])


def duckdb_copy(parts: list[Path], target: Path) -> None:
    import duckdb

    listed = ", ".join(f"'{path}'" for path in parts)
    duckdb.execute(
        f"COPY (SELECT * FROM read_parquet([{listed}])) TO '{target}' "
        "(FORMAT parquet, COMPRESSION zstd, PRESERVE_ORDER true)"
    )


def pyarrow_writer(parts: list[Path], target: Path) -> None:
    import pyarrow.parquet as pq

    schema = pq.read_schema(parts[0])
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        for path in parts:
            source = pq.ParquetFile(path)
            for index in range(source.num_row_groups):
                writer.write_table(source.read_row_group(index))


def timed(action: Callable[[list[Path], Path], None], parts: list[Path], target: Path) -> str:
    runs = []
    for _ in range(2):
        target.unlink(missing_ok=True)
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        action(parts, target)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        runs.append((wall, cpu))
    wall, cpu = min(runs)
    return f"{wall:6.2f} s wall {cpu:6.2f} s CPU  {target.stat().st_size / 1e6:6.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("--pieces", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        parts = pieces(args.source, args.pieces, Path(folder))
        size = sum(path.stat().st_size for path in parts) / 1e6
        print(f"{len(parts)} pieces, {size:.1f} MB of Parquet")
        for name, action in (
            ("footer rewrite", footer),
            ("duckdb COPY", duckdb_copy),
            ("pyarrow ParquetWriter", pyarrow_writer),
        ):
            print(f"{name:22s} {timed(action, parts, Path(folder) / 'joined.parquet')}", flush=True)


if __name__ == "__main__":
    main()
