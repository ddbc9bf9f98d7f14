"""Typing that tells the truth: a value the type cannot hold exactly, or a local time that is
not one instant, is rejected unless the contract opts into an explicit rule per column."""

from __future__ import annotations

from decimal import Decimal

import pytest
from convert_helpers import accounting, contract, convert_bytes, rejects, rows

NUMBERS = [
    {"name": "id", "type": "int", "nullable": False},
    {"name": "amount", "type": "decimal(12,2)"},
    {"name": "count", "type": "bigint"},
]
VALUES = (
    b"id,amount,count\n"
    b"1,10.555,1\n"  # a tie at the third decimal place
    b"2,20.004,2\n"
    b"3,-10.545,3.0\n"  # a trailing zero loses nothing
    b"4,1.50000,3\n"
    b"5,1e-3,2\n"
    b"6,7.25,-2.5\n"
    b"7,1e1,10\n"
)
LOSSY = "has more decimal places than {} keeps (see `rounding`)"


def numbers(rounding: str) -> list[dict]:
    return [
        {**column, "rounding": rounding} if column["name"] != "id" else column for column in NUMBERS
    ]


def test_a_value_with_more_decimal_places_than_its_type_keeps_is_rejected(tmp_path):
    result = convert_bytes(tmp_path, VALUES, contract(schema=NUMBERS))

    assert accounting(result) == (7, 2, 5)
    assert rows(result, "id, amount, count") == [(4, Decimal("1.50"), 3), (7, Decimal("10.00"), 10)]
    decimal, bigint = LOSSY.format("decimal(12,2)"), LOSSY.format("bigint")
    assert [(r["row"], r["column"], r["reason"]) for r in rejects(result)] == [
        (1, "amount", f"amount: 10.555 {decimal}"),
        (2, "amount", f"amount: 20.004 {decimal}"),
        (3, "amount", f"amount: -10.545 {decimal}"),
        (5, "amount", f"amount: 1e-3 {decimal}"),
        (6, "count", f"count: -2.5 {bigint}"),
    ]


@pytest.mark.parametrize(
    ("rounding", "amounts", "counts"),
    [
        # Halves away from zero; to the even neighbour; towards zero.
        ("half_up", ["10.56", "20.00", "-10.55", "0.00"], [-3]),
        ("half_even", ["10.56", "20.00", "-10.54", "0.00"], [-2]),
        ("truncate", ["10.55", "20.00", "-10.54", "0.00"], [-2]),
    ],
)
def test_a_column_that_opts_into_rounding_rounds_by_its_rule(tmp_path, rounding, amounts, counts):
    result = convert_bytes(tmp_path, VALUES, contract(schema=numbers(rounding)))

    assert accounting(result) == (7, 7, 0)
    found = rows(result, "id, amount, count")
    assert [amount for id_, amount, _ in found if id_ in (1, 2, 3, 5)] == [
        Decimal(amount) for amount in amounts
    ]
    assert [count for id_, _, count in found if id_ == 6] == counts


TIMES = (
    b"id,seen\n"
    b"1,2026-10-25 01:30:00\n"
    b"2,2026-10-25 02:30:00\n"  # happens twice: at 00:30 and at 01:30 UTC
    b"3,2026-03-29 02:30:00\n"  # never happens: the clocks skip from 02:00 to 03:00
)


def times(**rules: str) -> list[dict]:
    return [{"name": "id", "type": "int"}, {"name": "seen", "type": "timestamp", **rules}]


def test_a_local_time_that_happens_twice_or_never_is_rejected_with_the_reason(tmp_path):
    madrid = contract(schema=times(), timezone="Europe/Madrid")
    result = convert_bytes(tmp_path, TIMES, madrid)

    assert rows(result, "id, CAST(seen AS VARCHAR)") == [(1, "2026-10-24 23:30:00")]
    assert [(r["row"], r["column"], r["reason"]) for r in rejects(result)] == [
        (
            2,
            "seen",
            "seen: 2026-10-25 02:30:00 happens twice in Europe/Madrid (the clocks go back; "
            "see `ambiguous`)",
        ),
        (
            3,
            "seen",
            "seen: 2026-03-29 02:30:00 does not exist in Europe/Madrid (the clocks skip it; "
            "see `nonexistent`)",
        ),
    ]


def test_a_column_that_opts_into_daylight_saving_rules_takes_the_instant_they_name(tmp_path):
    rules = times(ambiguous="earlier", nonexistent="shift_forward")
    result = convert_bytes(tmp_path, TIMES, contract(schema=rules, timezone="Europe/Madrid"))

    assert rows(result, "id, CAST(seen AS VARCHAR)") == [
        (1, "2026-10-24 23:30:00"),
        (2, "2026-10-25 00:30:00"),  # the first 02:30, summer time
        (3, "2026-03-29 01:30:00"),  # 03:30 summer time
    ]
