"""One measurement, run in its own process by ``bench/run.py`` (so its peak memory is its own).

    python bench/measure.py <method> <input file> <work dir>

Methods: ``strata`` (``convert_file`` with the orders contract), ``duckdb`` (a bare DuckDB
``COPY (SELECT * FROM read_…(…)) TO 'x.parquet'``), ``pandas`` (``read_csv``/``read_json`` then
``to_parquet``, run with the bench virtualenv's Python). Prints one JSON line: the operation's
wall time and CPU time (all threads), and the rows it wrote.
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def strata(path: Path, work: Path) -> dict[str, object]:
    sys.path.insert(0, str(REPO / "layers" / "strata"))
    from strata.contracts.loader import load_contract
    from strata.contracts.model import JsonFormat
    from strata.convert.converter import Lineage, convert_file

    contract = load_contract(REPO / "sources" / "orders.yaml")
    if path.suffix == ".ndjson":
        contract = contract.model_copy(update={"format": JsonFormat(type="ndjson")})
    lineage = Lineage(
        f"orders/ingest_date=2026-11-25/run_id=bench/{path.name}",
        "2026-11-25 06:00:00",
        "bench",
        "2026-11-25",
    )
    result = convert_file(contract, path, lineage, work, "bench")
    result.check_accounting()
    return {
        "rows_in": result.rows_in,
        "rows_out": result.rows_out,
        "rows_quarantined": result.rows_quarantined,
        "partitions": len(result.partitions),
        "rejected": result.file_rejected_reason,
    }


def duckdb_copy(path: Path, work: Path) -> dict[str, object]:
    import duckdb

    reader = "read_csv" if path.suffix == ".csv" else "read_json"
    target = work / "bare.parquet"
    # ignore_errors: a bare COPY stops at the first ragged line otherwise.
    rows = duckdb.execute(
        f"COPY (SELECT * FROM {reader}('{path}', ignore_errors = true)) TO '{target}'"
    ).fetchone()[0]
    return {"rows_out": rows}


def pandas(path: Path, work: Path) -> dict[str, object]:
    import pandas as pd

    if path.suffix == ".csv":
        frame = pd.read_csv(path, on_bad_lines="skip", low_memory=False)
    else:
        frame = pd.read_json(path, lines=True)
    frame.to_parquet(work / "pandas.parquet", engine="pyarrow")
    return {"rows_out": len(frame)}


METHODS = {"strata": strata, "duckdb": duckdb_copy, "pandas": pandas}


def main() -> None:
    method, path, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    outcome = METHODS[method](path, work)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"wall": wall, "cpu": cpu, **outcome}))


if __name__ == "__main__":
    main()
