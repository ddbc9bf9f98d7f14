"""The cheap local → UTC conversion gives exactly what ICU's ``AT TIME ZONE`` gives."""

from __future__ import annotations

import duckdb
import pytest

from strata.convert.timezones import to_utc_sql, transitions

ZONES = [
    "Europe/Paris",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",  # 30-minute DST shifts
    "Asia/Kolkata",  # no DST
    "Pacific/Apia",  # skipped 30 December 2011 entirely
    "Asia/Tehran",
]


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
        f"SELECT count(*), any_value(l) FROM t WHERE ({to_utc_sql('l', zone)}) "
        f"IS DISTINCT FROM {icu}"
    ).fetchone()
    assert mismatches == (0, None)


def test_a_zone_without_transitions_is_a_fixed_offset():
    assert transitions("Asia/Kolkata") == ((), (19800,))
