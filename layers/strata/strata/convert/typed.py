"""Type and check one member's records: the ``SELECT`` that the conversion's single pass writes.

Every row comes out typed by the contract, numbered, with its lineage and the partition it goes
to. A row that cannot be accepted has no partition (DuckDB writes it under ``REJECTED``),
carrying its reject record (file, line, reason, raw text) as JSON in its ``carrier`` column
(see ``reject_carrier``). One ``COPY`` writes every partition with the same columns, so this keeps
the cleansed files to exactly the table's columns while the rejects still cost no second pass
over the raw file; ``output.py`` turns the ``REJECTED`` partition into the rejects file and
removes it.

Checks that need the whole file (primary key, ``unique``) cannot run in a streaming pass: they
run on the written files, and when they find duplicates (rare) the pass runs again with those
keys in ``Duplicates`` tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from strata.contracts.model import Column, SourceContract
from strata.convert import sql
from strata.convert.drift import Mapping
from strata.convert.readers.base import TextSource
from strata.convert.timezones import problem_sql, rejects, to_utc_sql

# Where DuckDB writes the rows whose partition is NULL: the rejected rows, as an accepted row
# always has one (a row without its event date is rejected). A NULL rather than a marker
# value lets a day partition stay a DATE, which DuckDB hashes and writes for less CPU than its
# text (about 3 % of the pass).
REJECTED = "__HIVE_DEFAULT_PARTITION__"


def reject_carrier(contract: SourceContract) -> str:
    """The column that carries a rejected row's reject record through the pass.

    The first text column that no uniqueness check reads (a rejected row keeps its typed
    values for those: its key still counts for duplicates; the raw text is in the record).
    Only when there is none does ``_source_file`` carry it, which then has to be text on every
    row rather than a one-value ENUM: long text copied per row costs about 2 CPU s per GB.
    """
    checked = set(contract.primary_key or [])
    checked |= {rule.column for rule in contract.quality if rule.rule == "unique"}
    for column in contract.columns:
        if column.type == "string" and column.name not in checked:
            return column.name
    return "_source_file"


def enumerated(contract: SourceContract) -> dict[str, list[str]]:
    """Text columns typed as the ENUM of their one ``accepted_values`` rule (not the reject
    carrier: it carries reject records too)."""
    rules: dict[str, list[list[str]]] = {}
    for rule in contract.quality:
        if rule.rule == "accepted_values":
            rules.setdefault(rule.column, []).append([str(value) for value in rule.values or []])
    carrier = reject_carrier(contract)
    return {
        column.name: rules[column.name][0]
        for column in contract.columns
        if column.type == "string"
        and column.name != carrier
        and len(rules.get(column.name, [])) == 1
        and rules[column.name][0]
    }


@dataclass
class Duplicates:
    """A temporary table of key values found more than once in the file (columns ``_k0``…)."""

    table: str
    columns: list[str]
    message: str


@dataclass
class Lineage:
    source_file: str
    ingested_at: str  # ISO-8601 UTC
    run_id: str
    ingest_date: str


def member_sql(
    contract: SourceContract,
    source: TextSource,
    mapping: Mapping,
    label: str,
    labels: list[str],
    lineage: Lineage,
    duplicates: list[Duplicates],
    numbered_from: int = 0,
) -> str:
    """The member's rows: the contract's columns, the lineage, the extras, ``_partition``.

    ``labels`` names every member of the raw file: ``_source_file`` is one ENUM of them all,
    so that the members' rows stay one type through their ``UNION ALL``. Records are numbered
    from ``numbered_from`` + 1 (a piece of the file numbers after the pieces before it).
    """
    text = {name: sql.ident("_v_" + name) for name in mapping.values}
    extra = {name: sql.ident("_x_" + name) for name in mapping.extras}
    inputs = "".join(f", {value} AS {text[name]}" for name, value in mapping.values.items())
    numbers = _number_texts(contract, text)
    inputs += "".join(f", {value} AS {sql.ident('_n_' + name)}" for name, value in numbers.items())
    number = {name: sql.ident("_n_" + name) for name in numbers}
    inputs += "".join(f", {value} AS {extra[name]}" for name, value in mapping.extras.items())
    problem = source.record_problem or "CAST(NULL AS VARCHAR)"
    # Numbered where the reader hands the records over, in file order: the whole pass runs on
    # one thread (see engine.py), so nothing downstream can reorder them.
    read = (
        f"SELECT *{inputs}, {problem} AS _record_problem, "
        f"row_number() OVER (){f' + {numbered_from}' if numbered_from else ''} AS _row_number "
        f"FROM {source.relation}"
    )
    # Each value is typed once; the checks below refer to the typed column by name. Naive
    # times of the source's zone are parsed first, then moved to UTC (by name: once each).
    zone = contract.timezone
    zoned = [c.name for c in contract.columns if sql.in_source_zone(c, zone)]
    local = {name: sql.ident("_l_" + name) for name in zoned}
    accepted = enumerated(contract)
    typed = ", ".join(
        f"{sql.typed_expression(c, number.get(c.name, text[c.name]), accepted.get(c.name))} AS "
        f"{local.get(c.name, sql.ident(c.name))}"
        for c in contract.columns
    )
    if zoned:
        utc = ", ".join(
            f"{to_utc_sql(local[c.name], zone, c.ambiguous, c.nonexistent)} AS {sql.ident(c.name)}"
            for c in contract.columns
            if c.name in local
        )
        read = f"SELECT *, {typed} FROM ({read})"
        typed = utc
    named = {c.name: sql.ident(c.name) for c in contract.columns}
    partition = sql.partition_expression(contract, named, lineage.ingest_date)
    checked = (
        f"SELECT *, {partition} AS _partition, "
        f"{_reason(contract, text, named, local, number)} AS _reason "
        f"FROM (SELECT *, {typed} FROM ({read}))"
    )
    checked, reason = _with_duplicates(checked, duplicates)
    # The reject record is built for rejected rows only: CASE evaluates it for those alone.
    record = (
        f"CAST(json_object('file', {sql.literal(label)}, 'line', {source.line}, "
        f"'reason', {reason}, 'raw', {source.raw}) AS VARCHAR)"
    )
    carrier = reject_carrier(contract)

    def carrying(name: str, value: str) -> str:
        if name != carrier:
            return f"{value} AS {sql.ident(name)}"
        return f"CASE WHEN {reason} IS NULL THEN {value} ELSE {record} END AS {sql.ident(name)}"

    columns = [carrying(c.name, sql.ident(c.name)) for c in contract.columns]
    columns += [
        carrying("_source_file", _constant(label, labels)),
        f"CAST({sql.literal(lineage.ingested_at)} AS TIMESTAMP) AS _ingested_at",
        f"{_constant(lineage.run_id, [lineage.run_id])} AS _run_id",
        "_row_number",
    ]
    columns += [f"{extra[name]} AS {sql.ident(name)}" for name in mapping.extras]
    columns.append(f"CASE WHEN {reason} IS NULL THEN _partition END AS _partition")
    return f"SELECT {', '.join(columns)} FROM ({checked})"


def _constant(text: str, values: list[str]) -> str:
    """A string the same on every row, as an ENUM of ``values``: DuckDB copies a VARCHAR
    longer than 12 bytes for every row on its way to the partition's file (a quarter of the
    pass's CPU for two such columns), an ENUM not. Parquet gets the same UTF-8 column either
    way."""
    listed = ", ".join(sql.literal(value) for value in dict.fromkeys(values))
    return f"CAST({sql.literal(text)} AS ENUM ({listed}))"


def _with_duplicates(checked: str, duplicates: list[Duplicates]) -> tuple[str, str]:
    """Joins the duplicate-key tables; returns the query and its full reason expression."""
    if not duplicates:
        return checked, "_reason"
    joins = []
    for index, found in enumerate(duplicates):
        alias = f"_dup{index}"
        condition = " AND ".join(
            f"{alias}._k{position} = _c.{sql.ident(column)}"
            for position, column in enumerate(found.columns)
        )
        joins.append(f" LEFT JOIN {sql.ident(found.table)} AS {alias} ON {condition}")
    reasons = ", ".join(
        f"CASE WHEN _dup{index}._hit THEN {sql.literal(found.message)} END"
        for index, found in enumerate(duplicates)
    )
    problem = f"NULLIF(concat_ws('; ', _c._reason, {reasons}), '')"
    return f"SELECT _c.*, {problem} AS _problem FROM ({checked}) AS _c{''.join(joins)}", "_problem"


def _number_texts(contract: SourceContract, text: dict[str, str]) -> dict[str, str]:
    """SQL, by column: the numeric columns' text in the form DuckDB casts, for a format whose
    numbers use other marks (European CSV's `1.234,50`)."""
    fmt = contract.format
    decimal, thousands = (
        getattr(fmt, "decimal_separator", "."),
        getattr(fmt, "thousands_separator", ""),
    )
    if decimal == "." and not thousands:
        return {}
    return {
        column.name: sql.number_text(text[column.name], decimal, thousands)
        for column in contract.columns
        if sql.is_numeric(column)
    }


def _reason(
    contract: SourceContract,
    text: dict[str, str],
    typed: dict[str, str],
    local: dict[str, str],
    number: dict[str, str],
) -> str:
    """The reasons a row is rejected, or NULL; ``local``: the local time of the columns that
    are converted to UTC, by name; ``number``: the normalised text of numeric columns whose
    format writes numbers with other marks."""
    problems: list[sql.Problem] = []
    for column in contract.columns:
        problems += _column_problems(column, contract.timezone, text, typed, local, number)
    accepted = enumerated(contract)
    for rule in contract.quality:
        if rule.rule != "unique":
            column = rule.column
            problems += sql.rule_problems(rule, typed[column], text[column], column in accepted)
    if contract.partitioning.by == "event_date":
        column = contract.column(contract.partitioning.column or "")
        if column.nullable:  # otherwise null_problem already reports it
            message = (
                f"{column.name}: missing value, needed for the partition {contract.partition_key}"
            )
            problems.append((f"{text[column.name]} IS NULL", sql.literal(message)))
    if not problems:
        return "_record_problem"
    # The messages are built only for the rows that break a check (CASE is selective).
    broken = " OR ".join(f"({condition})" for condition, _ in problems)
    messages = ", ".join(
        f"CASE WHEN {condition} THEN {message} END" for condition, message in problems
    )
    # A record that is not a record at all (broken JSON, say) has that one reason.
    return f"coalesce(_record_problem, CASE WHEN {broken} THEN concat_ws('; ', {messages}) END)"


def _column_problems(
    column: Column,
    zone: str,
    text: dict[str, str],
    typed: dict[str, str],
    local: dict[str, str],
    number: dict[str, str],
) -> list[sql.Problem]:
    """What can be wrong with one column's value: it cannot be typed, it is typed only by
    rounding it, it is a local time that is not one instant, it is missing."""
    name = column.name
    problems = []
    if column.type != "string":  # text is always a string
        condition, message = sql.type_problem(column, text[name], typed[name])
        if name in local and rejects(zone, column.ambiguous, column.nonexistent):
            # Read, but not one instant in the source's zone: one check for both, per row.
            instant = f"{sql.literal(name + ': ')} || {sql.shown(text[name])} || "
            instant += problem_sql(local[name], zone)
            message = f"CASE WHEN {local[name]} IS NULL THEN {message} ELSE {instant} END"
        problems.append((condition, message))
    rounded = sql.rounding_problem(
        column, number.get(name, text[name]), typed[name], text[name] if name in number else None
    )
    if rounded is not None:
        problems.append(rounded)
    if not column.nullable:
        problems.append(sql.null_problem(column, text[name]))
    return problems
