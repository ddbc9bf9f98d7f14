"""Type and check one file's records in a single streaming pass, into a staging Parquet file.

The staging file keeps the records in file order (so a record's position in it is its record
number), typed by the contract, with ``_reason`` saying why a record cannot be accepted (NULL
when it can) and ``_raw``, its original text, for the rejected ones only. Checks that need the
whole file (primary key, ``unique``) run afterwards, on the staging files (``output.py``).
"""

from __future__ import annotations

from pathlib import Path

from strata.contracts.model import SourceContract
from strata.convert import sql
from strata.convert.drift import Mapping
from strata.convert.readers.base import TextSource
from strata.convert.timezones import to_utc_sql

# Internal, read back by DuckDB only: the v2 encodings are cheaper to write and to read.
STAGE_OPTIONS = "FORMAT parquet, COMPRESSION snappy, PARQUET_VERSION v2"


def stage_sql(
    contract: SourceContract,
    source: TextSource,
    mapping: Mapping,
    label: str,
    ingest_date: str,
    target: Path,
) -> str:
    """``COPY`` statement writing the typed, checked records of ``source`` to ``target``."""
    text = {name: sql.ident("_v_" + name) for name in mapping.values}
    extra = {name: sql.ident("_x_" + name) for name in mapping.extras}
    inputs = "".join(f", {value} AS {text[name]}" for name, value in mapping.values.items())
    inputs += "".join(f", {value} AS {extra[name]}" for name, value in mapping.extras.items())
    problem = source.record_problem or "CAST(NULL AS VARCHAR)"
    read = f"SELECT *{inputs}, {problem} AS _record_problem FROM {source.relation}"
    # Each value is typed once; the checks below refer to the typed column by name. Naive
    # times of the source's zone are parsed first, then moved to UTC (by name: once each).
    zone = contract.timezone
    zoned = [c.name for c in contract.columns if sql.in_source_zone(c, zone)]
    local = {name: sql.ident("_l_" + name) for name in zoned}
    typed = ", ".join(
        f"{sql.typed_expression(c, text[c.name])} AS {local.get(c.name, sql.ident(c.name))}"
        for c in contract.columns
    )
    if zoned:
        utc = ", ".join(f"{to_utc_sql(local[n], zone)} AS {sql.ident(n)}" for n in zoned)
        read = f"SELECT *, {typed} FROM ({read})"
        typed = utc
    named = {c.name: sql.ident(c.name) for c in contract.columns}
    partition = sql.partition_expression(contract, named, ingest_date)
    checked = (
        f"SELECT *, {partition} AS _partition, {_reason(contract, text, named)} AS _reason "
        f"FROM (SELECT *, {typed} FROM ({read}))"
    )
    names = ", ".join(named.values())
    names += "".join(f", {extra[name]} AS {sql.ident(name)}" for name in mapping.extras)
    # The raw text is built for rejected records only: CASE evaluates it for those alone.
    return (
        f"COPY (SELECT {names}, {sql.literal(label)} AS _source_file, "
        f"CAST({source.line} AS BIGINT) AS _line, _partition, _reason, "
        f"CASE WHEN _reason IS NOT NULL THEN {source.raw} END AS _raw FROM ({checked})) "
        f"TO {sql.literal(str(target))} ({STAGE_OPTIONS})"
    )


def _reason(contract: SourceContract, text: dict[str, str], typed: dict[str, str]) -> str:
    problems: list[sql.Problem] = []
    for column in contract.columns:
        if column.type != "string":  # text is always a string
            problems.append(sql.type_problem(column, text[column.name], typed[column.name]))
        if not column.nullable:
            problems.append(sql.null_problem(column, text[column.name]))
    for rule in contract.quality:
        if rule.rule != "unique":
            problems += sql.rule_problems(rule, typed[rule.column])
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
