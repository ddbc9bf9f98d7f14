"""From an opened sample to an :class:`Inference`: the format, the columns and their types,
the key, the partitioning and the timezone, each with its notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strata_dev.sources import keys, types
from strata_dev.sources.formats import infer_format
from strata_dev.sources.guess import ColumnGuess, FormatGuess, Inference, Note
from strata_dev.sources.names import column_names
from strata_dev.sources.sample import Sample, SampleError

MAX_ROWS = 100_000  # records of the sample typed at most
# Partition column names: a column may not take one (the contract refuses the clash).
PARTITION_KEYS = frozenset(
    f"{by}_{unit}" for by in ("event", "ingest") for unit in ("date", "month", "year")
)


def infer_sample(
    sample: Sample,
    name: str,
    scratch: Path,
    *,
    timezone: str | None = None,
    sheet: str | None = None,
    max_rows: int = MAX_ROWS,
) -> Inference:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET threads = 1")  # records are numbered in file order
        if sheet is not None and sample.format != "xlsx":
            raise SampleError(sample.origin, "--sheet applies to Excel workbooks only")
        guess = infer_format(con, sample, scratch, sheet=sheet)
        rows = types.load(con, guess.source, guess.where, max_rows)
        if rows == 0:
            raise SampleError(sample.origin, "the sample holds no record")
        if guess.block["type"] == "csv":
            _null_values(con, guess, len(guess.source.fields))
        names = column_names(guess.source.fields, PARTITION_KEYS)
        columns = [ColumnGuess(n, f) for n, f in zip(names, guess.source.fields, strict=True)]
        values = {column.name: f"_v{index}" for index, column in enumerate(columns)}
        for column in columns:
            types.guess_type(con, column, values[column.name])
        inference = Inference(name, guess, columns, rows)
        inference.sample_notes = [Note(text) for text in sample.notes]
        inference.primary_key, inference.key_note = keys.primary_key(con, columns, values, rows)
        inference.partition, inference.partition_note = keys.partition(con, columns, values)
    finally:
        con.close()
    required = set(inference.primary_key) | {inference.partition.get("column")}
    for column in columns:
        column.nullable = column.name not in required
    _timezone(inference, timezone)
    return inference


def _null_values(con: Any, guess: FormatGuess, count: int) -> None:
    found = types.null_tokens(con, count)
    if not found:
        return
    guess.block["null_values"] = ["", *(token for token, _, _ in found)]
    shown = ", ".join(
        f"{token!r} {times:,} time(s), first at {where}" for token, times, where in found
    )
    guess.notes["null_values"] = Note(f"read as no value: {shown}")


def _timezone(inference: Inference, timezone: str | None) -> None:
    naive = [column.name for column in inference.columns if column.type == "timestamp"]
    if timezone:
        inference.timezone = timezone
        inference.timezone_note = Note("as asked (--timezone)")
    elif naive:
        inference.timezone_note = Note(
            f"{', '.join(naive)}: times without a UTC offset, read as UTC; "
            "name their zone (--timezone Europe/Paris) if they are local times",
            review=True,
        )
