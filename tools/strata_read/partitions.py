"""Partition pruning for the cleansed layer: which partition values a date range keeps.

Cleansed partitions are named by day (``2026-11-24``), month (``2026-11``) or year (``2026``),
by event or by ingestion date. ISO values sort as text, so a value is kept when it lies between
the range's ends cut to the value's own length: ``2026-11`` is kept by 24 Nov to 2 Dec.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from strata_read.errors import ReadError


def as_day(value: Any, argument: str) -> str | None:
    """A date, a datetime or an ISO string as ``YYYY-MM-DD``; ``None`` stays open."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            pass
    raise ReadError(f"{argument}={value!r} is not a date: write e.g. {argument}='2026-11-24'")


def keeps(value: str, start: str | None, end: str | None) -> bool:
    """Whether the partition ``value`` holds any day from ``start`` to ``end`` (inclusive)."""
    width = len(value)
    if start is not None and value < start[:width]:
        return False
    return not (end is not None and value > end[:width])


def check_range(start: str | None, end: str | None) -> None:
    if start and end and start > end:
        raise ReadError(f"start={start} is after end={end}: nothing to read")
