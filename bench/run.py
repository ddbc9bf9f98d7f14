"""``make bench``: raw → cleansed throughput and memory, side by side with a bare DuckDB COPY and
a pandas conversion of the same files, written to docs/benchmarks.md.

    python bench/run.py --sizes 256 512 1024 --pandas-python bench/out/venv/bin/python

Every measurement runs in its own process (peak RSS from ``wait4``, so each is its own); the
methods take turns, ``--repeat`` times, and the fastest run of each counts (the machine may be
shared). Never a unit test: timings belong here, not in ``pytest``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (a sibling script)

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# The targets (issue 20), all against the fair reference (``duckdb-typed``: the bare COPY with
# the contract's column types, zstd, all cores) and the same conversion in pandas.
TARGET_RSS_MB = 600
TARGET_VS_DUCKDB = 0.8  # Strata's speed (wall) at least this share of the reference's
TARGET_CPU_VS_DUCKDB = 1.3  # Strata's CPU per GB at most this multiple of the reference's
TARGET_VS_PANDAS = 5.0
REFERENCE = "duckdb-typed"


@dataclass
class Run:
    method: str
    kind: str
    size_mb: float
    wall: float
    cpu: float
    rss_mb: float
    detail: dict[str, object]

    @property
    def mb_s(self) -> float:
        return self.size_mb / self.wall

    @property
    def mb_s_per_core(self) -> float:
        return self.size_mb / self.cpu if self.cpu else 0.0

    @property
    def cpu_s_per_gb(self) -> float:
        return self.cpu / (self.size_mb / 1000)

    def figures(self) -> dict[str, object]:
        """What the cost model (``bench/costs.py``) and a later reader want of the run."""
        return {
            "method": self.method,
            "kind": self.kind,
            "size_mb": round(self.size_mb, 1),
            "wall_s": round(self.wall, 3),
            "cpu_s": round(self.cpu, 3),
            "cpu_s_per_gb": round(self.cpu_s_per_gb, 2),
            "rss_mb": round(self.rss_mb),
            **self.detail,
        }


def measure(python: str, method: str, path: Path, work: Path) -> Run:
    command = [python, str(HERE / "measure.py"), method, str(path), str(work)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{method} on {path.name} failed (exit {process.returncode})")
    detail = json.loads(output.strip().splitlines()[-1])
    return Run(
        method=method,
        kind=path.suffix.lstrip("."),
        size_mb=path.stat().st_size / 1e6,
        wall=detail.pop("wall"),
        cpu=detail.pop("cpu"),
        rss_mb=usage.ru_maxrss / 1024,
        detail=detail,
    )


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda run: run.wall)


def side_by_side(args: argparse.Namespace, size: int) -> dict[tuple[str, str], Run]:
    methods = {
        "strata": sys.executable,
        REFERENCE: sys.executable,
        "duckdb": sys.executable,
        "duckdb-1-thread": sys.executable,
    }
    if args.pandas_python:
        methods["pandas"] = args.pandas_python
        methods["pandas-contract"] = args.pandas_python
    results: dict[tuple[str, str], list[Run]] = {}
    for kind in ("csv", "ndjson"):
        path = args.out / f"orders_{size}mb.{kind}"
        for attempt in range(args.repeat):
            for method, python in methods.items():
                if method.startswith("pandas") and attempt > 0:
                    continue  # one pandas run is plenty: it is not close
                run = measure(python, method, path, args.out / "work")
                print(
                    f"  {kind:6s} {method:15s} {run.wall:6.1f} s {run.rss_mb:5.0f} MB", flush=True
                )
                results.setdefault((kind, method), []).append(run)
    return {key: best(runs) for key, runs in results.items()}


def memory_scaling(args: argparse.Namespace) -> list[Run]:
    runs = []
    for size in args.sizes:
        for kind in ("csv", "ndjson"):
            run = measure(
                sys.executable, "strata", args.out / f"orders_{size}mb.{kind}", args.out / "work"
            )
            print(f"  {kind:6s} {size:5d} MB {run.wall:7.1f} s  {run.rss_mb:6.0f} MB", flush=True)
            runs.append(run)
    return runs


def report(
    main: dict[tuple[str, str], Run], scaling: list[Run], size: int, loads: list[float]
) -> str:
    import duckdb

    lines = [
        START,
        "<!-- Written by `make bench` (bench/run.py): the numbers of the last run. -->",
        "",
        "Raw → cleansed conversion (`strata.convert.converter.convert_file`) of a nightly orders",
        "export (`bench/generate.py`: the `orders` contract, one bad row in 10,000, orders of one",
        "Paris day, so two UTC event-date partitions), next to the fair reference `duckdb-typed`:",
        "a bare DuckDB `COPY` that reads the same file with the contract's explicit column types",
        "and writes one zstd Parquet file on all cores (no rules, lineage, partitions or kept",
        "rejects). For context: the untyped bare COPY (`duckdb`: sniffed types, snappy; on all",
        "cores and on one thread), a pandas `read_csv`/`read_json` + `to_parquet` (pyarrow) of",
        "the same file, and `pandas-contract`: the same conversion written in pandas",
        "(`bench/measure.py`). Each measurement runs in its own process; the fastest of the",
        "runs counts. CPU is the CPU time of all threads; per GB is per 1,000 MB of input.",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"load average {loads[0]:.1f} at the start of the side-by-side runs and "
        f"{loads[-1]:.1f} at their end (the machine is shared: a load above its cores slows "
        "every method, unevenly).",
        "",
        f"## Side by side ({size} MB files)",
        "",
        "| input | method | seconds | MB/s | CPU s / GB | MB/s per core | peak RSS (MB) "
        "| rows written |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (kind, method), run in sorted(main.items()):
        lines.append(
            f"| {kind} | {method} | {run.wall:.1f} | {run.mb_s:.0f} | {run.cpu_s_per_gb:.1f} | "
            f"{run.mb_s_per_core:.0f} | {run.rss_mb:.0f} | {run.detail.get('rows_out', '')} |"
        )
    lines += [
        "",
        "## Peak memory by file size (strata)",
        "",
        "| input | size (MB) | seconds | MB/s | peak RSS (MB) | rows in / out / quarantined |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for run in scaling:
        counts = " / ".join(
            str(run.detail.get(name)) for name in ("rows_in", "rows_out", "rows_quarantined")
        )
        lines.append(
            f"| {run.kind} | {run.size_mb:.0f} | {run.wall:.1f} | {run.mb_s:.0f} | "
            f"{run.rss_mb:.0f} | {counts} |"
        )
    lines += ["", "## Targets", "", *verdicts(main, scaling), "", END]
    return "\n".join(lines)


def write_report(path: Path, generated: str) -> None:
    """Replace the generated part of the page; the analysis written around it stays."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        text = text[: text.index(START)] + generated + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + generated + "\n"
    path.write_text(text, encoding="utf-8")


def verdicts(main: dict[tuple[str, str], Run], scaling: list[Run]) -> list[str]:
    """Each target, met or not, with the measured ratio: on both inputs against the fair
    reference and pandas-contract, and memory at every size."""
    checks = []
    for kind in ("csv", "ndjson"):
        ours, reference = main[(kind, "strata")], main[(kind, REFERENCE)]
        speed = reference.wall / ours.wall
        cpu = ours.cpu_s_per_gb / reference.cpu_s_per_gb
        checks += [
            (
                f"{kind}: wall time ≥ {TARGET_VS_DUCKDB}× the speed of the typed zstd COPY",
                f"{speed:.2f}× ({ours.wall:.1f} s against {reference.wall:.1f} s; against the "
                f"untyped snappy COPY: {_ratio(main, kind, 'duckdb', ours)})",
                speed >= TARGET_VS_DUCKDB,
            ),
            (
                f"{kind}: CPU per GB ≤ {TARGET_CPU_VS_DUCKDB}× the typed zstd COPY's",
                f"{cpu:.2f}× ({ours.cpu_s_per_gb:.1f} against {reference.cpu_s_per_gb:.1f} "
                "CPU s per GB)",
                cpu <= TARGET_CPU_VS_DUCKDB,
            ),
        ]
        pandas = main.get((kind, "pandas-contract"))
        if pandas:
            checks.append(
                (
                    f"{kind}: ≥ {TARGET_VS_PANDAS:g}× pandas-contract (the same conversion)",
                    f"{pandas.wall / ours.wall:.1f}× (against `read_csv`/`read_json` + "
                    f"`to_parquet` alone: {_ratio(main, kind, 'pandas', ours)})",
                    pandas.wall / ours.wall >= TARGET_VS_PANDAS,
                )
            )
    checks.append(
        (
            f"peak RSS < {TARGET_RSS_MB} MB at every size",
            f"at most {max(run.rss_mb for run in scaling):.0f} MB",
            all(run.rss_mb < TARGET_RSS_MB for run in scaling),
        )
    )
    return [
        f"- {'met' if ok else '**not met**'}: {target} — measured {value}"
        for target, value, ok in checks
    ]


def _ratio(main: dict[tuple[str, str], Run], kind: str, method: str, ours: Run) -> str:
    other = main.get((kind, method))
    return f"{other.wall / ours.wall:.2f}×" if other else "not measured"


def write_figures(path: Path, main: dict[tuple[str, str], Run], scaling: list[Run]) -> None:
    """The runs as JSON, for the cost model (``bench/costs.py``)."""
    figures = {
        "measured_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "side_by_side": [run.figures() for run in main.values()],
        "scaling": [run.figures() for run in scaling],
    }
    path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--pandas-python", help="a Python with pandas and pyarrow")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--side-by-side-size", type=int, help="the size compared side by side (default: largest)"
    )
    parser.add_argument("--report", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument(
        "--json", type=Path, help="the runs as JSON (default: conversion.json in --out)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        for kind in ("csv", "ndjson"):
            path = args.out / f"orders_{size}mb.{kind}"
            if not path.exists():
                print(f"generating {path}", flush=True)
                generate.write(kind, path, size * 1024 * 1024, days=1)
    size = args.side_by_side_size or max(args.sizes)
    print(f"side by side, {size} MB:", flush=True)
    loads = [os.getloadavg()[0]]
    main_runs = side_by_side(args, size)
    loads.append(os.getloadavg()[0])
    print("memory by size:", flush=True)
    scaling = memory_scaling(args)
    text = report(main_runs, scaling, size, loads)
    write_report(args.report, text)
    write_figures(args.json or args.out / "conversion.json", main_runs, scaling)
    print(text)


if __name__ == "__main__":
    main()
