"""Parquet: the file names and types its columns; its values, read as text by the runtime's
Parquet reader, are typed as any other format's, so the contract keeps what the data needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strata.contracts.model import ParquetFormat
from strata.convert.inputs import FileRejected, Member
from strata.convert.readers import parquet as parquet_reader
from strata_dev.sources.guess import FormatGuess, Note
from strata_dev.sources.sample import Sample, SampleError


def infer(con: Any, sample: Sample, scratch: Path) -> FormatGuess:
    fmt = ParquetFormat(type="parquet")
    try:
        source = parquet_reader.read(con, fmt, Member(sample.path), scratch, 0)
    except FileRejected as exc:
        raise SampleError(sample.origin, str(exc)) from None
    kinds = ", ".join(f"{name} {kind}" for name, kind in source.types.items())
    notes = {"type": Note(f"the file's own types: {kinds}")}
    return FormatGuess({"type": "parquet"}, notes, source, "'row ' || row_number() OVER ()")
