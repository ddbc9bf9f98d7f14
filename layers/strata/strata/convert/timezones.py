"""Naive local timestamps to UTC, cheaply: ``AT TIME ZONE`` asks ICU for every row (about a
quarter of a microsecond each, the costliest step of typing a timestamp column), although a
zone's offset changes only a couple of times a year.

The zone's transitions are read once per process from DuckDB's own ICU (so the result is the
same as ``AT TIME ZONE``, time-zone database included), and each value is converted by a
binary search over them written as nested ``CASE`` expressions.

A local time that happens twice (the clocks go back) or never (they go forward) is not one
instant: each column's contract says what it becomes (``ambiguous``: the earlier or the later
instant; ``nonexistent``: shifted forward by the gap), or it is NULL, for the row to be rejected
with ``problem_sql``'s reason. ICU itself takes the later instant and shifts forward; values
outside 1970–2099 fall back to it.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from strata.contracts.model import Ambiguous, Nonexistent
from strata.convert.sql import literal

FIRST, LAST = datetime(1970, 1, 2), datetime(2099, 12, 30)


def to_utc_sql(local: str, zone: str, ambiguous: Ambiguous, nonexistent: Nonexistent) -> str:
    """SQL converting ``local`` (a TIMESTAMP column reference, wall-clock time in ``zone``);
    NULL for a local time that ``ambiguous`` or ``nonexistent`` rejects."""
    icu = f"CAST(({local} AT TIME ZONE {literal(zone)}) AT TIME ZONE 'UTC' AS TIMESTAMP)"
    starts, offsets = _segments(zone, ambiguous, nonexistent)
    leaves = [_interval(offset) for offset in offsets]
    fast = f"{local} - {_search(local, starts, leaves, 0, len(leaves) - 1)}"
    return (
        f"CASE WHEN {local} >= {_timestamp(FIRST)} AND {local} < {_timestamp(LAST)} "
        f"THEN {fast} ELSE {icu} END"
    )


def rejects(zone: str, ambiguous: Ambiguous, nonexistent: Nonexistent) -> bool:
    """Whether ``to_utc_sql`` gives no instant for some local times in 1970–2099."""
    return None in _segments(zone, ambiguous, nonexistent)[1]


def problem_sql(local: str, zone: str) -> str:
    """SQL: why ``to_utc_sql`` gave no instant for ``local``. It searches the transitions
    again: evaluate it for those rows only."""
    starts, kinds = _segments(zone, "reject", "reject", kinds=True)
    messages = {
        "ambiguous": f" happens twice in {zone} (the clocks go back; see `ambiguous`)",
        "nonexistent": f" does not exist in {zone} (the clocks skip it; see `nonexistent`)",
    }
    leaves = [literal(messages.get(str(kind), "")) for kind in kinds]
    return _search(local, starts, leaves, 0, len(leaves) - 1)


def _segments(
    zone: str, ambiguous: str, nonexistent: str, kinds: bool = False
) -> tuple[list[datetime], list[int | str | None]]:
    """The local time line cut where its offset changes, and the offset of each stretch
    (``starts[i]`` starts stretch i + 1; None: no instant). Around each transition, the
    stretch that happens twice or never gets its rule's offset; with ``kinds``, its kind."""
    boundaries, offsets = transitions(zone)
    starts: list[datetime] = []
    values: list[int | str | None] = [offsets[0]]
    for index, boundary in enumerate(boundaries):
        old, new = offsets[index], offsets[index + 1]
        if new < old:  # back: the local times [boundary, boundary + old - new) happen twice
            rule = {"earlier": old, "later": new, "reject": None}[ambiguous]
            starts += [boundary, boundary + timedelta(seconds=old - new)]
            values += ["ambiguous" if kinds else rule, new]
        else:  # forward: the local times [boundary - (new - old), boundary) never happen
            rule = {"shift_forward": old, "reject": None}[nonexistent]
            starts += [boundary - timedelta(seconds=new - old), boundary]
            values += ["nonexistent" if kinds else rule, new]
    # A rule that takes a neighbour's offset needs no stretch of its own.
    merged_starts: list[datetime] = []
    merged: list[int | str | None] = values[:1]
    for start, value in zip(starts, values[1:], strict=True):
        if value != merged[-1]:
            merged_starts.append(start)
            merged.append(value)
    return merged_starts, merged


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


def _search(local: str, starts: list[datetime], leaves: list[str], low: int, high: int) -> str:
    """The leaf of ``local``'s stretch, by binary search over leaves[low..high]."""
    if low == high:
        return leaves[low]
    middle = (low + high + 1) // 2
    return (
        f"CASE WHEN {local} < {_timestamp(starts[middle - 1])} "
        f"THEN {_search(local, starts, leaves, low, middle - 1)} "
        f"ELSE {_search(local, starts, leaves, middle, high)} END"
    )


def _interval(offset: int | str | None) -> str:
    return "CAST(NULL AS INTERVAL)" if offset is None else f"INTERVAL ({offset}) SECOND"


def _timestamp(moment: datetime) -> str:
    return f"TIMESTAMP '{moment.isoformat(sep=' ')}'"
