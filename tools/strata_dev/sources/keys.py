"""The primary key (a unique, never-empty column or pair of columns in the sample) and the
event-date partition column (a date or timestamp column that is never empty)."""

from __future__ import annotations

import itertools
import re
from typing import Any

from strata.contracts.model import Column
from strata.convert.sql import typed_expression
from strata_dev.sources.guess import ColumnGuess, Note
from strata_dev.sources.types import TABLE

KEY_TYPES = ("int", "bigint", "string", "date", "timestamp", "timestamptz")
KEY_NAME = re.compile(
    r"(^id$|_id$|^id_|_key$|_code$|_number$|_no$|_ref$|^code$|^key$|^sku$|uuid$|guid$)"
)
EVENT_NAME = re.compile(r"(date|_at$|time|day|created|ordered|event|period|month)")
MAX_PAIR_COLUMNS = 12  # columns tried in pairs (66 pairs at most)
TEMPORAL = ("date", "timestamp", "timestamptz")


def primary_key(
    con: Any, columns: list[ColumnGuess], values: dict[str, str], rows: int
) -> tuple[list[str], Note]:
    """The likeliest key: single columns first (named like a key, then by type), then pairs."""
    if rows < 2:
        return [], Note("primary_key: too few rows in the sample to find a key", review=True)
    complete = [c for c in columns if c.empty == 0 and c.type in KEY_TYPES]
    singles = sorted(
        (c for c in complete if c.distinct == rows), key=lambda c: _key_rank(c, columns)
    )
    if singles:
        others = [c.name for c in singles[1:4]]
        also = f"; also unique: {', '.join(others)}" if others else ""
        return [singles[0].name], Note(
            f"primary_key: unique and never empty in the sample's {rows:,} rows{also}"
        )
    ranked = sorted(complete, key=lambda c: _key_rank(c, columns))[:MAX_PAIR_COLUMNS]
    for first, second in itertools.combinations(ranked, 2):
        distinct = con.execute(
            f"SELECT count(DISTINCT ({values[first.name]}, {values[second.name]})) FROM {TABLE}"
        ).fetchone()[0]
        if distinct == rows:
            return [first.name, second.name], Note(
                f"primary_key: no column is unique; this pair is, in the sample's {rows:,} rows",
                review=True,
            )
    return [], Note(
        "primary_key: no column or pair of columns is unique in the sample; none set", review=True
    )


def _key_rank(column: ColumnGuess, columns: list[ColumnGuess]) -> tuple[int, int, int]:
    named = 0 if KEY_NAME.search(column.name) else 1
    kind = 0 if column.type in ("int", "bigint", "string") else 1
    return (named, kind, columns.index(column))


def partition(
    con: Any, columns: list[ColumnGuess], values: dict[str, str]
) -> tuple[dict[str, Any], Note]:
    """Partitioning by the event date of the first complete date/timestamp column (one named
    like an event first); by the ingest date when there is none."""
    dated = [c for c in columns if c.type in TEMPORAL and c.empty == 0]
    if not dated:
        return {"by": "ingest_date"}, Note(
            "partitioned by the day each file lands: no date column is always filled", review=True
        )
    dated.sort(key=lambda c: (0 if EVENT_NAME.search(c.name) else 1, columns.index(c)))
    chosen = dated[0]
    others = [c.name for c in dated[1:]]
    also = f"; other date columns: {', '.join(others)}" if others else ""
    typed = typed_expression(
        Column(name="value", type=chosen.type, format=chosen.format), values[chosen.name]
    )
    # Month starts only, of several months (a daily file of the 1st says nothing).
    monthly = con.execute(
        f"SELECT bool_and(day({typed}) = 1) AND count(DISTINCT month({typed})) > 1 FROM {TABLE}"
    ).fetchone()[0]
    granularity = "month" if monthly else "day"
    per = " (every date is a month's first day)" if monthly else ""
    return {"by": "event_date", "column": chosen.name, "granularity": granularity}, Note(
        f"event date from {chosen.name}, never empty in the sample{per}{also}"
    )
