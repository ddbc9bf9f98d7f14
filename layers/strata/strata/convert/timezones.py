"""Naive local timestamps to UTC, cheaply: ``AT TIME ZONE`` asks ICU for every row (about a
quarter of a microsecond each, the costliest step of typing a timestamp column), although a
zone's offset changes only a couple of times a year.

The zone's transitions are read once per process from DuckDB's own ICU (so the result is the
same as ``AT TIME ZONE``, time-zone database included), and each value is converted by a
binary search over them written as nested ``CASE`` expressions. Local times that do not exist
or occur twice around a transition resolve as ICU resolves them: with the offset in force after
the transition. Values outside 1970–2099 fall back to ICU.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from strata.convert.sql import literal

FIRST, LAST = datetime(1970, 1, 2), datetime(2099, 12, 30)


def to_utc_sql(local: str, zone: str) -> str:
    """SQL converting ``local`` (a TIMESTAMP column reference, wall-clock time in ``zone``)."""
    icu = f"CAST(({local} AT TIME ZONE {literal(zone)}) AT TIME ZONE 'UTC' AS TIMESTAMP)"
    boundaries, offsets = transitions(zone)
    fast = f"{local} - {_search(local, boundaries, offsets, 0, len(offsets) - 1)}"
    return (
        f"CASE WHEN {local} >= {_timestamp(FIRST)} AND {local} < {_timestamp(LAST)} "
        f"THEN {fast} ELSE {icu} END"
    )


@functools.lru_cache(maxsize=64)
def transitions(zone: str) -> tuple[tuple[datetime, ...], tuple[int, ...]]:
    """Local wall-clock times from which a new offset applies, and the offsets (seconds).

    ``offsets[i]`` applies before ``boundaries[i]`` (and ``offsets[-1]`` after the last).
    """
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        offset = f"epoch(timezone({literal(zone)}, CAST(u AS TIMESTAMPTZ)) - u)"
        start, end = FIRST - timedelta(days=2), LAST + timedelta(days=2)
        # Days whose offset differs from the next day's, their hours, then minutes.
        rows = con.execute(
            f"""
            WITH days AS (
                SELECT u, {offset} AS o
                FROM range({_timestamp(start)}, {_timestamp(end)}, INTERVAL 1 DAY) AS t(u)
            ),
            day_changes AS (
                SELECT u AS day FROM (SELECT u, o, lead(o) OVER (ORDER BY u) AS next FROM days)
                WHERE o <> next
            ),
            hours AS (
                SELECT u, {offset} AS o
                FROM day_changes, range(day, day + INTERVAL 25 HOUR, INTERVAL 1 HOUR) AS t(u)
            ),
            hour_changes AS (
                SELECT u AS hour FROM (SELECT u, o, lead(o) OVER (ORDER BY u) AS next FROM hours)
                WHERE o <> next
            ),
            minutes AS (
                SELECT u, {offset} AS o
                FROM hour_changes, range(hour, hour + INTERVAL 61 MINUTE, INTERVAL 1 MINUTE) AS t(u)
            )
            SELECT u, o FROM (SELECT u, o, lag(o) OVER (ORDER BY u) AS before FROM minutes)
            WHERE o <> before ORDER BY u
            """
        ).fetchall()
        first = con.execute(f"SELECT {offset} FROM (SELECT {_timestamp(start)} AS u)").fetchone()
    finally:
        con.close()
    offsets = [int(first[0])] + [int(new) for _, new in rows]
    # From each UTC instant on, local time L maps with the new offset; ICU resolves local
    # times in a gap or an overlap with that offset too.
    boundaries = [instant + timedelta(seconds=int(new)) for instant, new in rows]
    return tuple(boundaries), tuple(offsets)


def _search(
    local: str, boundaries: tuple[datetime, ...], offsets: tuple[int, ...], low: int, high: int
) -> str:
    """The offset of ``local`` as an INTERVAL, by binary search over offsets[low..high]."""
    if low == high:
        return f"INTERVAL ({offsets[low]}) SECOND"
    middle = (low + high + 1) // 2
    return (
        f"CASE WHEN {local} < {_timestamp(boundaries[middle - 1])} "
        f"THEN {_search(local, boundaries, offsets, low, middle - 1)} "
        f"ELSE {_search(local, boundaries, offsets, middle, high)} END"
    )


def _timestamp(moment: datetime) -> str:
    return f"TIMESTAMP '{moment.isoformat(sep=' ')}'"
