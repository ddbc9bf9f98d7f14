"""One inference function per format, each ``infer(con, sample, scratch, **options)`` →
:class:`FormatGuess`. A new format plugs in with a module and a line in ``INFERENCES``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from strata_dev.sources.guess import FormatGuess
from strata_dev.sources.sample import Sample, SampleError


def _csv() -> Callable[..., FormatGuess]:
    from strata_dev.sources.formats import csv

    return csv.infer


def _json() -> Callable[..., FormatGuess]:
    from strata_dev.sources.formats import json

    return json.infer


def _excel() -> Callable[..., FormatGuess]:
    from strata_dev.sources.formats import excel

    return excel.infer


def _parquet() -> Callable[..., FormatGuess]:
    from strata_dev.sources.formats import parquet

    return parquet.infer


INFERENCES: dict[str, Callable[[], Callable[..., FormatGuess]]] = {
    "csv": _csv,
    "json": _json,
    "ndjson": _json,
    "xlsx": _excel,
    "parquet": _parquet,
}


def infer_format(con: Any, sample: Sample, scratch: Path, **options: Any) -> FormatGuess:
    """The format block and the sample's records for ``sample.format``; ``options`` are the
    format's own (``sheet=`` for a workbook)."""
    if sample.format not in INFERENCES:
        raise SampleError(sample.origin, f"no inference for the {sample.format} format yet")
    wanted = {key: value for key, value in options.items() if value is not None}
    return INFERENCES[sample.format]()(con, sample, scratch, **wanted)
