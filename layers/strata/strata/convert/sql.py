"""SQL fragments for typing and checking rows, generated from a contract.

Every source field is read as text; each column is then typed with TRY_ casts so a bad value
becomes a reason, not an exception, and the row can be set aside with that reason.
"""

from __future__ import annotations

import re

from strata.catalog.types import duckdb_type, glue_type
from strata.contracts.model import Column, QualityRule, SourceContract


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def typed_expression(column: Column, raw: str, accepted: list[str] | None = None) -> str:
    """DuckDB expression typing the text in ``raw``; NULL when it cannot be typed.

    A ``timestamp`` stays wall-clock time here: ``timezones.to_utc_sql`` converts it. A text
    column with ``accepted`` values becomes an ENUM of them (NULL for any other text): the
    cast is the check, and Parquet's writer takes an ENUM's codes as they are instead of
    hashing every value into its dictionary (the same UTF-8 column in the file).
    """
    kind = column.type
    if kind == "string":
        return f"TRY_CAST({raw} AS {enum(accepted)})" if accepted else raw
    if kind == "json":
        return f"CASE WHEN json_valid({raw}) THEN {raw} END"
    if kind in ("timestamp", "timestamptz", "date"):
        return _temporal(column, raw)
    # Numeric and temporal casts accept surrounding blanks; the boolean cast does not.
    value = f"trim({raw})" if kind == "boolean" else raw
    cast = f"TRY_CAST({value} AS {duckdb_type(glue_type(kind))})"
    if scale(column) is None or column.rounding in ("reject", "half_up"):
        return cast  # DuckDB's cast rounds half away from zero; ``reject`` checks it did not
    rounded = {"half_even": "round_even", "truncate": "trunc"}[column.rounding]
    exact = exact_value(column, raw)
    # Only a value with digits beyond the scale is rounded again, from its exact value: the
    # wide decimal's arithmetic costs ten times the cast.
    return (
        f"CASE WHEN {cast} IS DISTINCT FROM {exact} THEN TRY_CAST({rounded}({exact}, "
        f"{scale(column)}) AS {duckdb_type(glue_type(kind))}) ELSE {cast} END"
    )


# Digits left of the point in the integer types (a scale of 0).
_INTEGER_DIGITS = {"int": 10, "bigint": 19}
_WIDEST = 38  # DuckDB's widest decimal


def scale(column: Column) -> int | None:
    """The decimal places the column keeps (0 for integers); None for other types."""
    if column.type in _INTEGER_DIGITS:
        return 0
    decimal = re.fullmatch(r"decimal\((\d+),(\d+)\)", column.type)
    return int(decimal.group(2)) if decimal else None


def exact_value(column: Column, raw: str) -> str:
    """The text in ``raw`` as the widest decimal with the column's integer digits: it keeps
    every decimal place a source writes (up to 38 digits in all), so comparing it with the
    typed value tells whether typing rounded."""
    places = scale(column) or 0
    integer = _INTEGER_DIGITS.get(column.type)
    if integer is None:
        precision = int(column.type[len("decimal(") :].split(",")[0])
        integer = precision - places
    return f"TRY_CAST({raw} AS DECIMAL({_WIDEST}, {max(places, _WIDEST - integer)}))"


def in_source_zone(column: Column, timezone: str) -> bool:
    """Whether the column holds naive times of a zone other than UTC (to convert to UTC)."""
    return column.type == "timestamp" and timezone != "UTC"


def _temporal(column: Column, raw: str) -> str:
    if column.type == "timestamptz":
        parsed = f"TRY_CAST({raw} AS TIMESTAMPTZ)"
        return f"CAST(({parsed}) AT TIME ZONE 'UTC' AS TIMESTAMP)"
    if column.format:
        parsed = f"TRY_STRPTIME({raw}, {literal(column.format)})"
    else:
        parsed = f"TRY_CAST({raw} AS TIMESTAMP)"
    if column.type == "date":
        return f"CAST({parsed} AS DATE)"
    return f"CAST({parsed} AS TIMESTAMP)"


# A check: (SQL condition true when the row breaks it, SQL message saying how).
Problem = tuple[str, str]


def type_problem(column: Column, raw: str, typed: str) -> Problem:
    return (
        f"{raw} IS NOT NULL AND {typed} IS NULL",
        f"{literal(column.name + ': cannot read ')} || {shown(raw)} || "
        f"{literal(' as ' + column.type)}",
    )


def shown(raw: str) -> str:
    """A value as a reason quotes it: 80 characters at most."""
    return f"CASE WHEN length({raw}) > 80 THEN left({raw}, 77) || '...' ELSE {raw} END"


def rounding_problem(
    column: Column, raw: str, typed: str, original: str | None = None
) -> Problem | None:
    """A value typed only by rounding it (``rounding: reject``, the default), if the column
    has a scale. ``original``: the text as the file wrote it, when ``raw`` is normalised
    (see ``number_text``)."""
    if scale(column) is None or column.rounding != "reject":
        return None
    # A text of at most 15 characters holds at most 15 significant digits, and so does its
    # typed value: two such numbers are equal exactly when their doubles are, and a double
    # is read for half the CPU of the wide decimal that longer texts need.
    rounded = (
        f"CASE WHEN strlen({raw}) <= 15 THEN {typed} <> TRY_CAST({raw} AS DOUBLE) "
        f"ELSE {typed} <> {exact_value(column, raw)} END"
    )
    return (
        rounded,
        f"{literal(column.name + ': ')} || {shown(f'trim({original or raw})')} || "
        f"{literal(f' has more decimal places than {column.type} keeps (see `rounding`)')}",
    )


NUMERIC = ("int", "bigint", "double")


def is_numeric(column: Column) -> bool:
    return column.type in NUMERIC or column.type.startswith("decimal")


def number_text(raw: str, decimal: str, thousands: str) -> str:
    """SQL: a number written with ``decimal`` as its decimal mark and ``thousands`` grouping
    digits (`1.234,50`), as DuckDB casts it (`1234.50`); NULL when the marks are misplaced
    (`12.34,5`, or `1.5` where `,` is the decimal mark and `.` groups nothing), so that the
    value is rejected rather than misread."""
    value = f"trim({raw})"
    plain = value
    if decimal != ".":
        swapped = f"replace({value}, {literal(decimal)}, '.')"
        plain = f"CASE WHEN contains({value}, '.') THEN NULL ELSE {swapped} END"
    if not thousands:
        return plain
    group, point = re.escape(thousands), re.escape(decimal)
    pattern = rf"[-+]?\d{{1,3}}({group}\d{{3}})+({point}\d*)?([eE][-+]?\d+)?"
    ungrouped = f"replace({value}, {literal(thousands)}, '')"
    if decimal != ".":
        ungrouped = f"replace({ungrouped}, {literal(decimal)}, '.')"
    return (
        f"CASE WHEN contains({value}, {literal(thousands)}) THEN CASE WHEN "
        f"regexp_full_match({value}, {literal(pattern)}) THEN {ungrouped} END ELSE {plain} END"
    )


def null_problem(column: Column, raw: str) -> Problem:
    # A value that is present but untypable is already reported by type_problem.
    return f"{raw} IS NULL", literal(column.name + ": missing value")


def enum(values: list[str]) -> str:
    return f"ENUM ({', '.join(literal(value) for value in dict.fromkeys(values))})"


def rule_problems(rule: QualityRule, typed: str, raw: str, enumerated: bool) -> list[Problem]:
    """The checks of ``rule`` on a column; ``enumerated``: the column is typed as the ENUM of
    the rule's accepted values (``typed_expression``)."""
    name = rule.column
    value = f"{literal(name + ': ')} || CAST({typed} AS VARCHAR)"
    if rule.rule == "not_null":
        return [(f"{typed} IS NULL", literal(name + ": missing value (not_null)"))]
    if rule.rule == "accepted_values":
        shown = ", ".join(str(item) for item in rule.values or [])
        if enumerated:
            return [
                (
                    f"{raw} IS NOT NULL AND {typed} IS NULL",
                    f"{literal(name + ': ')} || {raw} || {literal(' is not one of ' + shown)}",
                )
            ]
        allowed = ", ".join(literal(item) for item in rule.values or [])
        # Not IN (...) nor list_contains: DuckDB plans those as a hash join, which costs more
        # per row than scanning a short list.
        return [
            (
                f"{typed} IS NOT NULL AND list_position([{allowed}], {typed}) IS NULL",
                f"{value} || {literal(' is not one of ' + shown)}",
            )
        ]
    if rule.rule == "range":
        checks = []
        if rule.min is not None:
            text = f" is below the minimum {rule.min:g}"
            checks.append((f"{typed} < {literal(rule.min)}", f"{value} || {literal(text)}"))
        if rule.max is not None:
            text = f" is above the maximum {rule.max:g}"
            checks.append((f"{typed} > {literal(rule.max)}", f"{value} || {literal(text)}"))
        return checks
    if rule.rule == "regex":
        return [
            (
                f"{typed} IS NOT NULL AND NOT regexp_full_match(CAST({typed} AS VARCHAR), "
                f"{literal(rule.pattern)})",
                f"{value} || {literal(' does not match ' + str(rule.pattern))}",
            )
        ]
    raise ValueError(f"rule {rule.rule!r} is checked across rows, not per row")


def duplicate_message(columns: list[str], primary_key: bool) -> str:
    if primary_key:
        return f"{columns[0]}: duplicate primary key ({', '.join(columns)}) within the file"
    return f"{columns[0]}: duplicate value (unique) within the file"


def partition_expression(contract: SourceContract, typed: dict[str, str], ingest_date: str) -> str:
    fmt = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[contract.partitioning.granularity]
    if contract.partitioning.by == "ingest_date":
        width = {"day": 10, "month": 7, "year": 4}[contract.partitioning.granularity]
        return literal(ingest_date[:width])
    column = typed[contract.partitioning.column or ""]
    if contract.partitioning.granularity == "day":
        # A DATE: its folder name is strftime's %Y-%m-%d text, for far less CPU.
        return f"CAST({column} AS DATE)"
    return f"strftime({column}, {literal(fmt)})"
