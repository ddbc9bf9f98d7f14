"""Column types from the sample's values, judged by the converter's own casts.

Each candidate type is a contract ``Column``; a value fits it when the converter's typing
expression (``strata.convert.sql``) reads it without loss. So the values a guess does not fit
are exactly the rows a run would quarantine, and the contract shows the first of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strata.contracts.model import Column
from strata.convert.sql import literal, rounding_problem, typed_expression
from strata_dev.sources.guess import ColumnGuess, Contradiction, Note

TABLE = "_strata_sample"
# A guess the sample contradicts in more than this share of its values is no guess.
TOLERANCE = 0.05
# The decimal places most values have: the few with more are shown, not given a scale.
SCALE_TOLERANCE = 0.01
EXAMPLES = 3  # contradicting values shown per guess
# A string column with at most this many values lists them: an `accepted_values` rule?
FEW_VALUES = 8
INT_MAX, BIGINT_MAX = 2**31 - 1, 2**63 - 1
BOOLEAN_WORDS = ("true", "false", "t", "f", "yes", "no", "y", "n")
DATE_FORMATS = (None, "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y")
TIMESTAMP_FORMATS = (
    None,
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
)
DAY_OR_MONTH_FIRST = {"%d/%m/%Y": "%m/%d/%Y"}
NUMBER = r"^\s*[+-]?\d+(\.\d+)?\s*$"
FLOAT = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
DATED = r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"  # the start of a date, in any order
# A number as European files write it: `1.234,50`, `12,5`, `12` (a comma in some at least).
EUROPEAN_NUMBER = r"^\s*[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?\s*$"
OFFSET = r"(Z|[+-]\d\d(:?\d\d)?)\s*$"


# Text that exports write for "no value"; found in a CSV sample, it joins the null values.
NULL_TOKENS = ("NULL", "null", "N/A", "n/a", "#N/A", "NaN", "None", "nil")


@dataclass(frozen=True)
class Candidate:
    column: Column
    fits_only: str = "true"  # SQL: an extra condition every fitting value meets


def load(con: Any, source: Any, where: str, limit: int) -> int:
    """The sample's records as a table of text columns ``_v0``, ``_v1``, … and ``_where``."""
    values = "".join(f", {value} AS _v{index}" for index, value in enumerate(source.values))
    problem = source.record_problem or "NULL"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {TABLE} AS SELECT * EXCLUDE (_problem) FROM ("
        f"SELECT {where} AS _where, {problem} AS _problem{values} FROM {source.relation}"
        f") WHERE _problem IS NULL LIMIT {limit}"
    )
    return int(con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])


def null_tokens(con: Any, count: int) -> list[tuple[str, int, str]]:
    """The null tokens the sample's values hold: (token, times, where first); each is then
    read as no value in the sample, as the converter will with the format's ``null_values``."""
    if not count:
        return []
    listed = ", ".join(literal(token) for token in NULL_TOKENS)
    values = [f"_v{index}" for index in range(count)]
    found = con.execute(
        f"SELECT _t, count(*), min_by(_where, _n) FROM (SELECT _where, _n, "
        f"unnest([{', '.join(values)}]) AS _t FROM (SELECT *, row_number() OVER () AS _n "
        f"FROM {TABLE})) WHERE _t IN ({listed}) GROUP BY _t ORDER BY min(_n)"
    ).fetchall()
    if found:
        cleared = ", ".join(
            f"{value} = CASE WHEN {value} IN ({listed}) THEN NULL ELSE {value} END"
            for value in values
        )
        con.execute(f"UPDATE {TABLE} SET {cleared}")
    return [(str(token), int(times), str(where)) for token, times, where in found]


def guess_type(con: Any, column: ColumnGuess, value: str) -> None:
    """Sets ``column``'s type, format, counts and notes from the values in ``value``."""
    present, distinct, empty = con.execute(
        f"SELECT count({value}), count(DISTINCT {value}), count(*) - count({value}) FROM {TABLE}"
    ).fetchone()
    column.empty, column.distinct = int(empty), int(distinct)
    if not present:
        note = f"{column.name}: no value in the sample to tell its type; string for now"
        column.notes.append(Note(note, review=True))
        return
    best: tuple[Candidate, int] | None = None
    nearest: tuple[Candidate, int] | None = None  # the type most values fit, if not enough
    for candidate in candidates(con, value, present):
        misfits = _count(con, _misfit(candidate, value))
        if misfits == 0:
            best = (candidate, 0)
            break
        if misfits <= TOLERANCE * present and best is None:
            best = (candidate, misfits)  # unless a later, wider type fits every value
        if nearest is None or misfits < nearest[1]:
            nearest = (candidate, misfits)
    if best is None:
        _string(con, column, value, present, nearest)
        return
    candidate, misfits = best
    column.type, column.format = candidate.column.type, candidate.column.format
    column.notes.append(Note(_summary(con, candidate.column, value, present)))
    if misfits:
        examples = _examples(con, _misfit(candidate, value), value)
        found = Contradiction(misfits, present, examples)
        what = f"are not {_shown_type(candidate.column)}"
        column.notes.append(Note(found.describe(column.name, what), review=True))
    _check_day_order(con, column, value)


def candidates(con: Any, value: str, present: int) -> list[Candidate]:
    """The types worth trying, most specific first: only those whose shape (digits, words,
    separators) half the values have at least, as the casts cost far more than a shape test
    (and the contract shows what stops a type most values fit)."""
    shapes = {
        "number": f"regexp_full_match({value}, {literal(NUMBER)})",
        "float": f"regexp_full_match({value}, {literal(FLOAT)})",
        "word": _boolean_word(value),
        "dated": f"regexp_matches({value}, {literal(DATED)})",
        "nested": f"regexp_matches({value}, '^\\s*[\\[{{]')",
        **{sep: f"contains({value}, {literal(sep)})" for sep in "-/.:"},
    }
    counts = con.execute(
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE {test})" for test in shapes.values())
        + f" FROM {TABLE}"
    ).fetchone()
    enough = {shape for shape, count in zip(shapes, counts, strict=True) if count >= present / 2}
    found = []
    if "word" in enough:
        found.append(Candidate(_column("boolean"), _boolean_word(value)))
    if "number" in enough:
        found += _numeric(con, value)
    if "float" in enough:
        found.append(Candidate(_column("double"), _no_leading_zero(value)))
    if "dated" in enough:
        found += [c for c in _temporal(value) if _separator(c.column.format) in enough]
    if "nested" in enough:  # lists and deeper objects a JSON reader keeps as JSON text
        found.append(Candidate(_column("json")))
    return found


def _numeric(con: Any, value: str) -> list[Candidate]:
    numbers = f"regexp_full_match({value}, {literal(NUMBER)})"
    int_digits, scale, widest = con.execute(
        f"SELECT max(length(ltrim(split_part(trim(ltrim(trim({value}), '+-')), '.', 1), '0'))), "
        f"quantile_disc(length(split_part(trim({value}), '.', 2)), {1 - SCALE_TOLERANCE}), "
        f"max(abs(TRY_CAST({value} AS HUGEINT))) FROM {TABLE} WHERE {numbers}"
    ).fetchone()
    kept = _no_leading_zero(value)
    found = []
    # Room to grow: an int only while the sample's widest value is a hundredth of its limit.
    if widest is None or widest <= INT_MAX // 100:
        found.append(Candidate(_column("int"), kept))
    if widest is None or widest <= BIGINT_MAX // 100:
        found.append(Candidate(_column("bigint"), kept))
    if int_digits is not None:
        found.append(Candidate(_column(decimal_type(int(int_digits), int(scale or 0))), kept))
    return found


def _no_leading_zero(value: str) -> str:
    """A number written with leading zeros (a code: ``00123``) would lose them as a number."""
    return f"NOT regexp_matches({value}, '^\\s*[+-]?0\\d')"


def _temporal(value: str) -> list[Candidate]:
    date_only = (
        f"TRY_CAST(trim({value}) AS TIMESTAMP) = CAST(TRY_CAST(trim({value}) AS DATE) AS TIMESTAMP)"
    )
    found = [
        Candidate(_column("date", fmt), date_only if fmt is None else "true")
        for fmt in DATE_FORMATS
    ]
    found.append(Candidate(_column("timestamptz"), f"regexp_matches({value}, {literal(OFFSET)})"))
    return found + [Candidate(_column("timestamp", fmt)) for fmt in TIMESTAMP_FORMATS]


def _separator(fmt: str | None) -> str:
    """The character between a format's day, month and year (ISO: ``-``)."""
    return "-" if fmt is None else fmt[2]


def decimal_type(int_digits: int, scale: int) -> str:
    """Room for the sample's widest value and a few more integer digits (a total grows)."""
    precision = min(38, max(10, int_digits + 4) + scale)
    return f"decimal({precision},{min(scale, precision)})"


def _column(kind: str, fmt: str | None = None) -> Column:
    return Column(name="value", type=kind, format=fmt)


def _boolean_word(value: str) -> str:
    words = ", ".join(literal(word) for word in BOOLEAN_WORDS)
    return f"lower(trim({value})) IN ({words})"


def _misfit(candidate: Candidate, value: str) -> str:
    column = candidate.column
    typed = typed_expression(column, value)
    rounded = rounding_problem(column, value, typed)
    lost = f" OR ({rounded[0]})" if rounded else ""
    return f"{value} IS NOT NULL AND ({typed} IS NULL OR NOT ({candidate.fits_only}){lost})"


def _count(con: Any, condition: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {TABLE} WHERE {condition}").fetchone()[0])


def _examples(con: Any, condition: str, value: str) -> list[tuple[str, str]]:
    rows = con.execute(
        f"SELECT _where, {value} FROM {TABLE} WHERE {condition} LIMIT {EXAMPLES}"
    ).fetchall()
    return [(str(where), str(shown)) for where, shown in rows]


def _summary(con: Any, column: Column, value: str, present: int) -> str:
    typed = typed_expression(column, value)
    low, high = con.execute(f"SELECT min({typed}), max({typed}) FROM {TABLE}").fetchone()
    shown = _shown_type(column)
    if column.type in ("boolean", "json"):
        return f"{shown}: {present:,} values"
    return f"{shown}: {present:,} values from {low} to {high}"


def _shown_type(column: Column) -> str:
    return f"{column.type} {column.format}" if column.format else column.type


def _string(
    con: Any,
    column: ColumnGuess,
    value: str,
    present: int,
    nearest: tuple[Candidate, int] | None,
) -> None:
    european = f"regexp_full_match({value}, {literal(EUROPEAN_NUMBER)})"
    comma = _count(con, european)
    example = con.execute(
        f"SELECT _where, {value} FROM {TABLE} WHERE {european} AND contains({value}, ',') LIMIT 1"
    ).fetchone()
    if comma >= (1 - TOLERANCE) * present and example is not None:
        column.notes.append(
            Note(
                f"{column.name}: {comma:,} of {present:,} values are numbers with a decimal comma "
                f"({example[0]} {example[1]!r}), which a decimal column does not read",
                review=True,
            )
        )
        return
    if nearest is not None and nearest[1] <= present // 2:
        candidate, misfits = nearest
        examples = _examples(con, _misfit(candidate, value), value)
        what = f"are not {_shown_type(candidate.column)}, so it is typed string"
        found = Contradiction(misfits, present, examples).describe(column.name, what)
        column.notes.append(Note(found, review=True))
        return
    shown = ""
    if column.distinct <= FEW_VALUES:
        values = con.execute(
            f"SELECT DISTINCT {value} FROM {TABLE} WHERE {value} IS NOT NULL ORDER BY 1"
        ).fetchall()
        shown = ": " + ", ".join(str(row[0]) for row in values)
    column.notes.append(Note(f"string: {column.distinct:,} distinct value(s){shown}"))


def _check_day_order(con: Any, column: ColumnGuess, value: str) -> None:
    """``%d/%m`` and ``%m/%d`` both fit when no day passes 12: the sample cannot tell."""
    fmt = column.format or ""
    for day_first, month_first in DAY_OR_MONTH_FIRST.items():
        if not fmt.startswith(day_first):
            continue
        other = _column(column.type, month_first + fmt[len(day_first) :])
        if _count(con, _misfit(Candidate(other), value)) == 0:
            column.notes.append(
                Note(
                    f"{column.name}: day-first ({fmt}) assumed: no day in the sample passes 12, "
                    f"so month-first ({other.format}) fits too",
                    review=True,
                )
            )
