"""The cheap local → UTC conversion gives exactly what ICU's ``AT TIME ZONE`` gives, with ICU's
own rules for local times that happen twice or never; other rules pick the other instant or
none."""

from __future__ import annotations

import duckdb
import pytest

from strata.convert.timezones import problem_sql, to_utc_sql, transitions

ZONES = [
    "Europe/Paris",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",  # 30-minute DST shifts
    "Asia/Kolkata",  # no DST
    "Pacific/Apia",  # skipped 30 December 2011 entirely
    "Asia/Tehran",
]


ICU = ("later", "shift_forward")  # what ICU makes of local times that happen twice or never


@pytest.mark.parametrize("zone", ZONES)
def test_fast_conversion_matches_icu_everywhere_and_around_every_transition(zone):
    boundaries, _ = transitions(zone)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE t AS SELECT unnest(range(TIMESTAMP '1969-12-25', TIMESTAMP '1971-01-01', "
        "INTERVAL 97 MINUTE)) AS l UNION ALL SELECT unnest(range(TIMESTAMP '2010-01-01', "
        "TIMESTAMP '2028-01-01', INTERVAL 37 MINUTE)) UNION ALL SELECT unnest(["
        "TIMESTAMP '1900-01-01 12:00', TIMESTAMP '2099-12-31 23:00', TIMESTAMP '2150-06-01', "
        "NULL])"
    )
    for boundary in boundaries:
        con.execute(
            f"INSERT INTO t SELECT unnest(range(TIMESTAMP '{boundary}' - INTERVAL 3 HOUR, "
            f"TIMESTAMP '{boundary}' + INTERVAL 3 HOUR, INTERVAL 1 MINUTE))"
        )
    icu = f"CAST((l AT TIME ZONE '{zone}') AT TIME ZONE 'UTC' AS TIMESTAMP)"
    mismatches = con.execute(
        f"SELECT count(*), any_value(l) FROM t WHERE ({to_utc_sql('l', zone, *ICU)}) "
        f"IS DISTINCT FROM {icu}"
    ).fetchone()
    assert mismatches == (0, None)


def test_a_zone_without_transitions_is_a_fixed_offset():
    assert transitions("Asia/Kolkata") == ((), (19800,))


# In Europe/Madrid the clocks go from 02:00 to 03:00 on 2026-03-29 and from 03:00 back to 02:00
# on 2026-10-25 (UTC+1 in winter, UTC+2 in summer).
LOCAL = {
    "before the gap": ("2026-03-29 01:59:59", "2026-03-29 00:59:59"),
    "in the gap": ("2026-03-29 02:30:00", None),
    "after the gap": ("2026-03-29 03:00:00", "2026-03-29 01:00:00"),
    "before the overlap": ("2026-10-25 01:59:59", "2026-10-24 23:59:59"),
    "in the overlap": ("2026-10-25 02:30:00", None),
    "end of the overlap": ("2026-10-25 02:59:59", None),
    "after the overlap": ("2026-10-25 03:00:00", "2026-10-25 02:00:00"),
}


@pytest.mark.parametrize(
    ("ambiguous", "nonexistent", "gap", "overlap"),
    [
        ("reject", "reject", None, None),
        ("earlier", "shift_forward", "2026-03-29 01:30:00", "2026-10-25 00:30:00"),
        ("later", "reject", None, "2026-10-25 01:30:00"),
    ],
)
def test_local_times_that_happen_twice_or_never_follow_the_columns_rules(
    ambiguous, nonexistent, gap, overlap
):
    con = duckdb.connect()
    found = {}
    for name, (local, _) in LOCAL.items():
        sql = to_utc_sql(f"TIMESTAMP '{local}'", "Europe/Madrid", ambiguous, nonexistent)
        found[name] = con.execute(f"SELECT CAST({sql} AS VARCHAR)").fetchone()[0]
    expected = {name: utc for name, (_, utc) in LOCAL.items()}
    expected["in the gap"] = gap
    expected["in the overlap"] = overlap
    expected["end of the overlap"] = overlap and overlap.replace("30:00", "59:59")
    assert found == expected


def test_the_reason_says_whether_a_local_time_happens_twice_or_never():
    con = duckdb.connect()

    def reason(local: str) -> str:
        return con.execute(
            f"SELECT {problem_sql(f'TIMESTAMP {local!r}', 'Europe/Madrid')}"
        ).fetchone()[0]

    assert reason("2026-03-29 02:30:00") == (
        " does not exist in Europe/Madrid (the clocks skip it; see `nonexistent`)"
    )
    assert reason("2026-10-25 02:30:00") == (
        " happens twice in Europe/Madrid (the clocks go back; see `ambiguous`)"
    )
