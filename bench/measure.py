"""One measurement, run in its own process by ``bench/run.py`` (so its peak memory is its own).

    python bench/measure.py <method> <input file> <work dir>

Methods: ``strata`` (``convert_file`` with the orders contract), ``duckdb-typed`` (the fair
reference: a bare DuckDB ``COPY`` reading the file with the contract's explicit column types
and writing zstd Parquet, on all cores), ``duckdb`` (a bare DuckDB
``COPY (SELECT * FROM read_…(…)) TO 'x.parquet'``: sniffed types, snappy), ``pandas``
(``read_csv``/``read_json`` then ``to_parquet``: no typing, no checks) and
``pandas-contract`` (the same conversion as strata's, written the way a pandas/awswrangler
job does it), both run with the bench virtualenv's Python. Prints one JSON line: the
operation's wall time and CPU time (all threads), and the rows it wrote.
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# As a scheduled run names them (``new_run_id``): lineage strings cost by their length.
RUN_ID = "20261125T060000Z-4f3c2a1b"
RAW_PREFIX = f"orders/ingest_date=2026-11-25/run_id={RUN_ID}"
INGESTED_AT = "2026-11-25 06:00:00"


def strata(path: Path, work: Path) -> dict[str, object]:
    sys.path.insert(0, str(REPO / "layers" / "strata"))
    from strata.contracts.loader import load_contract
    from strata.contracts.model import JsonFormat
    from strata.convert.converter import Lineage, convert_file

    contract = load_contract(REPO / "sources" / "orders.yaml")
    if path.suffix == ".ndjson":
        contract = contract.model_copy(update={"format": JsonFormat(type="ndjson")})
    lineage = Lineage(f"{RAW_PREFIX}/{path.name}", INGESTED_AT, RUN_ID, "2026-11-25")
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


def duckdb_typed(path: Path, work: Path) -> dict[str, object]:
    """The fair reference: the same file read with the contract's own column types (no
    sniffing), the fields renamed, zstd Parquet, all cores. No rules, no lineage, no
    partitions, no rejects kept: what DuckDB itself costs for the typed part of the work."""
    import duckdb

    sys.path.insert(0, str(REPO / "layers" / "strata"))
    from strata.catalog.types import duckdb_type, glue_type
    from strata.contracts.loader import load_contract

    contract = load_contract(REPO / "sources" / "orders.yaml")
    types = {
        column.source_field: duckdb_type(glue_type(column.type)) for column in contract.columns
    }
    if path.suffix == ".csv":  # the reader's columns are by position: in the header's order
        with path.open(encoding="utf-8") as handle:
            order = handle.readline().rstrip("\r\n").split(contract.format.delimiter)
    else:
        order = list(types)
    columns = ", ".join(f"'{name}': '{types[name]}'" for name in order)
    renamed = ", ".join(f'"{column.source_field}" AS {column.name}' for column in contract.columns)
    if path.suffix == ".csv":
        nulls = ", ".join(f"'{value}'" for value in contract.format.null_values)
        reader = (
            f"read_csv('{path}', header = true, columns = {{{columns}}}, nullstr = [{nulls}], "
            "timestampformat = '%Y-%m-%d %H:%M:%S', ignore_errors = true)"
        )
    else:
        reader = (
            f"read_json('{path}', format = 'newline_delimited', columns = {{{columns}}}, "
            "timestampformat = '%Y-%m-%d %H:%M:%S', ignore_errors = true)"
        )
    target = work / "typed.parquet"
    rows = duckdb.execute(
        f"COPY (SELECT {renamed} FROM {reader}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
    ).fetchone()[0]
    return {"rows_out": rows}


def duckdb_one_thread(path: Path, work: Path) -> dict[str, object]:
    import duckdb

    duckdb.execute("SET threads = 1")
    return duckdb_copy(path, work)


def pandas(path: Path, work: Path) -> dict[str, object]:
    import pandas as pd

    if path.suffix == ".csv":
        frame = pd.read_csv(path, on_bad_lines="skip", low_memory=False)
    else:
        frame = pd.read_json(path, lines=True)
    frame.to_parquet(work / "pandas.parquet", engine="pyarrow")
    return {"rows_out": len(frame)}


def pandas_contract(path: Path, work: Path) -> dict[str, object]:
    """The orders conversion in pandas, as a careful pandas/awswrangler job writes it: chunks
    (bounded memory), every field read as text then typed by the contract with coercion,
    Paris time to UTC, the contract's rules, rejected rows kept with their reason, the lineage
    columns, one zstd Parquet file per event date. Ragged CSV lines are dropped: the C parser
    can only skip them (keeping them needs the Python engine, far slower)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = {
        "Order ID": "order_id", "Customer": "customer_id", "Order Date": "ordered_at",
        "Status": "status", "Channel": "channel", "Amount": "amount", "Currency": "currency",
    }  # fmt: skip
    schema = pa.schema(
        [
            ("order_id", pa.int64()), ("customer_id", pa.string()),
            ("ordered_at", pa.timestamp("us")), ("status", pa.string()),
            ("channel", pa.string()), ("amount", pa.decimal128(12, 2)),
            ("currency", pa.string()), ("_source_file", pa.string()),
            ("_ingested_at", pa.timestamp("us")), ("_run_id", pa.string()),
            ("_row_number", pa.int64()),
        ]
    )  # fmt: skip
    required = ["order_id", "customer_id", "ordered_at", "status", "amount"]
    statuses = ["placed", "shipped", "delivered", "cancelled", "returned"]
    nulls = ["", "NULL", "n/a"]
    if path.suffix == ".csv":
        chunks = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=nulls, chunksize=500_000,
            on_bad_lines="skip",
        )  # fmt: skip
    else:
        chunks = pd.read_json(path, lines=True, dtype=False, chunksize=500_000)
    writers: dict[str, pq.ParquetWriter] = {}
    keys, rows_written, rejected, offset = [], 0, 0, 0
    with (work / "rejects.ndjson").open("w") as rejects:
        for chunk in chunks:
            text = chunk.rename(columns=names).astype("string")
            frame = pd.DataFrame(index=text.index)
            frame["order_id"] = pd.to_numeric(text["order_id"], errors="coerce").astype("Int64")
            frame["customer_id"] = text["customer_id"]
            local = pd.to_datetime(text["ordered_at"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
            frame["ordered_at"] = (
                local.dt.tz_localize("Europe/Paris", ambiguous="NaT", nonexistent="shift_forward")
                .dt.tz_convert("UTC")
                .dt.tz_localize(None)
            )
            frame["status"] = text["status"]
            frame["channel"] = text["channel"]
            frame["amount"] = pd.to_numeric(text["amount"], errors="coerce").round(2)
            frame["currency"] = text["currency"]
            problems = {
                "order_id: cannot read": text["order_id"].notna() & frame["order_id"].isna(),
                "ordered_at: cannot read": text["ordered_at"].notna() & frame["ordered_at"].isna(),
                "amount: cannot read": text["amount"].notna() & frame["amount"].isna(),
                "missing value": frame[required].isna().any(axis=1),
                "status: not accepted": frame["status"].notna() & ~frame["status"].isin(statuses),
                "amount: below 0": frame["amount"] < 0,
                "currency: no match": frame["currency"].notna()
                & ~frame["currency"].str.fullmatch(r"[A-Z]{3}").fillna(False),
            }
            bad = np.zeros(len(frame), dtype=bool)
            for mask in problems.values():
                bad |= mask.fillna(False).to_numpy(dtype=bool)
            if bad.any():
                reasons = pd.Series("", index=frame.index)
                for reason, mask in problems.items():
                    reasons[mask.fillna(False).to_numpy(dtype=bool)] += reason + "; "
                out = text[bad].assign(reason=reasons[bad], row=np.flatnonzero(bad) + offset + 1)
                out.to_json(rejects, orient="records", lines=True)
                rejected += int(bad.sum())
            good = frame[~bad].copy()
            good["_source_file"] = f"{RAW_PREFIX}/{path.name}"
            good["_ingested_at"] = pd.Timestamp(INGESTED_AT)
            good["_run_id"] = RUN_ID
            good["_row_number"] = np.flatnonzero(~bad) + offset + 1
            offset += len(frame)
            keys.append(good["order_id"].to_numpy(dtype="int64"))
            for date, part in good.groupby(good["ordered_at"].dt.strftime("%Y-%m-%d")):
                if date not in writers:
                    folder = work / f"event_date={date}"
                    folder.mkdir()
                    writers[date] = pq.ParquetWriter(
                        folder / "part-0.parquet", schema, compression="zstd"
                    )
                table = pa.Table.from_pandas(part, preserve_index=False)
                writers[date].write_table(table.cast(schema, safe=False))
                rows_written += len(part)
    for writer in writers.values():
        writer.close()
    every = np.concatenate(keys) if keys else np.array([], dtype="int64")
    duplicated = int(len(every) - len(np.unique(every)))
    return {"rows_out": rows_written, "rows_quarantined": rejected, "duplicated_keys": duplicated}


METHODS = {
    "strata": strata,
    "duckdb-typed": duckdb_typed,
    "duckdb": duckdb_copy,
    "duckdb-1-thread": duckdb_one_thread,
    "pandas": pandas,
    "pandas-contract": pandas_contract,
}


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
