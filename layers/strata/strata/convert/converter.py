"""Raw → cleansed for one raw object: type every row by the contract, set aside what cannot be
accepted with its reason, write partitioned Parquet, and account for every row:
rows_in = rows_out + rows_quarantined, always.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from strata.contracts.model import SourceContract
from strata.convert import sql
from strata.convert.readers import REJECTS_TABLE, UnreadableFileError, read_text_rows

MEMORY_LIMIT = "1GB"


@dataclass
class Lineage:
    source_file: str
    ingested_at: str  # ISO-8601 UTC
    run_id: str
    ingest_date: str


@dataclass
class FileConversion:
    """What happened to one file; written to the run manifest and shown in the summary."""

    rows_in: int = 0
    rows_out: int = 0
    rows_quarantined: int = 0
    partitions: dict[str, int] = field(default_factory=dict)  # partition value → rows
    files: list[Path] = field(default_factory=list)  # Parquet files written under out_dir
    rejects_file: Path | None = None  # NDJSON of rejected rows
    file_rejected_reason: str | None = None  # the whole file goes to quarantine
    drift: list[str] = field(default_factory=list)

    def check_accounting(self) -> None:
        if self.rows_in != self.rows_out + self.rows_quarantined:
            raise AssertionError(
                f"row accounting broken: {self.rows_in} in != {self.rows_out} out + "
                f"{self.rows_quarantined} quarantined"
            )


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def convert_file(
    contract: SourceContract, path: Path, lineage: Lineage, out_dir: Path, file_id: str
) -> FileConversion:
    """Convert a local raw file into Parquet files under ``out_dir`` (one per partition)."""
    import duckdb

    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = {sql.literal(str(out_dir / '.spill'))}")
        con.execute("SET preserve_insertion_order = true")
        return _convert(con, contract, path, lineage, out_dir, file_id)
    except UnreadableFileError as exc:
        return FileConversion(file_rejected_reason=str(exc))
    except duckdb.Error as exc:
        return FileConversion(file_rejected_reason=_first_line(str(exc)))
    finally:
        con.close()


def _convert(
    con: Any, contract: SourceContract, path: Path, lineage: Lineage, out_dir: Path, file_id: str
) -> FileConversion:
    if path.stat().st_size == 0:
        raise UnreadableFileError("empty file")
    source = read_text_rows(contract, path)
    con.execute(
        f"CREATE TEMP TABLE text_rows AS SELECT row_number() OVER () AS _row, * FROM {source}"
    )
    header = [row[0] for row in con.execute("DESCRIBE text_rows").fetchall()][1:]
    raw_of, drift = _map_columns(contract, header)
    result = FileConversion(drift=drift)
    parse_rejects = _parse_rejects(con, contract)
    con.execute(_checked_sql(contract, raw_of, lineage))
    counts = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE _reason = '') FROM checked"
    ).fetchone()
    parsed, good = counts
    result.rows_in = parsed + parse_rejects
    result.rows_out = good
    result.rows_quarantined = parsed - good + parse_rejects
    if result.rows_quarantined:
        result.rejects_file = _write_rejects(
            con, raw_of, lineage, out_dir / f"{file_id}.rejects.ndjson"
        )
    rejected_share = result.rows_quarantined / result.rows_in if result.rows_in else 0.0
    if rejected_share > contract.reject_threshold:
        result.file_rejected_reason = (
            f"{result.rows_quarantined} of {result.rows_in} rows rejected "
            f"({rejected_share:.1%}, above the source's threshold of "
            f"{contract.reject_threshold:.1%})"
        )
        result.rows_quarantined, result.rows_out = result.rows_in, 0
    elif good:
        result.partitions, result.files = _write_parquet(con, contract, out_dir, file_id)
    result.check_accounting()
    return result


def _map_columns(
    contract: SourceContract, header: list[str]
) -> tuple[dict[str, str | None], list[str]]:
    """Which file column feeds each contract column; drift against the contract."""
    by_normalised = {normalise(name): name for name in header}
    raw_of: dict[str, str | None] = {}
    for column in contract.columns:
        raw_of[column.name] = by_normalised.get(normalise(column.source_field))
    missing = [name for name, raw in raw_of.items() if raw is None]
    used = {raw for raw in raw_of.values() if raw is not None}
    extra = [name for name in header if name not in used]
    drift = [f"missing column {contract.column(name).source_field!r}" for name in missing]
    drift += [f"unexpected column {name!r}" for name in extra]
    if drift and contract.schema_change == "strict":
        raise UnreadableFileError(
            "header does not match the contract (schema_change: strict): " + "; ".join(drift)
        )
    return raw_of, drift


def _parse_rejects(con: Any, contract: SourceContract) -> int:
    if contract.format.type != "csv":
        return 0
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if REJECTS_TABLE not in tables:
        return 0
    return con.execute(f"SELECT count(DISTINCT line) FROM {REJECTS_TABLE}").fetchone()[0]


def _checked_sql(contract: SourceContract, raw_of: dict[str, str | None], lineage: Lineage) -> str:
    raw = {
        name: sql.ident(source) if source else "CAST(NULL AS VARCHAR)"
        for name, source in raw_of.items()
    }
    typed = {
        c.name: sql.typed_expression(c, raw[c.name], contract.timezone) for c in contract.columns
    }
    problems = []
    for column in contract.columns:
        problems.append(sql.type_problem(column, raw[column.name], typed[column.name]))
        if not column.nullable:
            problems.append(sql.null_problem(column, raw[column.name]))
    problems += [sql.rule_problem(rule, typed[rule.column]) for rule in contract.quality]
    key_problem = sql.primary_key_problem(contract, typed)
    if key_problem:
        problems.append(key_problem)
    partition = sql.partition_expression(contract, typed, lineage.ingest_date)
    if contract.partitioning.by == "event_date":
        column = contract.column(contract.partitioning.column or "")
        if column.nullable:  # otherwise null_problem already reports it
            message = (
                f"{column.name}: missing value, needed for the partition {contract.partition_key}"
            )
            problems.append(f"CASE WHEN {raw[column.name]} IS NULL THEN {sql.literal(message)} END")
    columns = ", ".join(f"{typed[c.name]} AS {sql.ident(c.name)}" for c in contract.columns)
    raws = ", ".join(f"{raw[name]} AS {sql.ident('_raw_' + name)}" for name in raw)
    reason = f"concat_ws('; ', {', '.join(problems)})"
    lineage_columns = (
        f"{sql.literal(lineage.source_file)} AS _source_file, "
        f"CAST({sql.literal(lineage.ingested_at)} AS TIMESTAMP) AS _ingested_at, "
        f"{sql.literal(lineage.run_id)} AS _run_id"
    )
    return (
        f"CREATE TEMP TABLE checked AS SELECT _row, {columns}, {lineage_columns}, {raws}, "
        f"{partition} AS _partition, {reason} AS _reason FROM text_rows"
    )


def _write_parquet(
    con: Any, contract: SourceContract, out_dir: Path, file_id: str
) -> tuple[dict[str, int], list[Path]]:
    key = contract.partition_key
    lineage = "_source_file, _ingested_at, _run_id, CAST(_row AS BIGINT) AS _row_number"
    names = ", ".join(sql.ident(c.name) for c in contract.columns)
    target = out_dir / "parquet"
    con.execute(
        f"COPY (SELECT {names}, {lineage}, _partition AS {sql.ident(key)} FROM checked "
        f"WHERE _reason = '' ORDER BY _row) TO {sql.literal(str(target))} "
        f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({sql.ident(key)}), "
        f"FILENAME_PATTERN {sql.literal(file_id + '_{i}')}, OVERWRITE_OR_IGNORE true)"
    )
    partitions = dict(
        con.execute(
            "SELECT _partition, count(*) FROM checked WHERE _reason = '' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    return partitions, sorted(target.rglob("*.parquet"))


def _write_rejects(con: Any, raw_of: dict[str, str | None], lineage: Lineage, path: Path) -> Path:
    raw_fields = ", ".join(
        f"{sql.literal(source)}, {sql.ident('_raw_' + name)}"
        for name, source in raw_of.items()
        if source is not None
    )
    source_file = sql.literal(lineage.source_file)
    typed_rejects = (
        f"SELECT {source_file} AS source_file, _row AS row, NULL::BIGINT AS line, "
        f"split_part(_reason, ':', 1) AS column, _reason AS reason, "
        f"CAST(json_object({raw_fields}) AS VARCHAR) AS raw FROM checked WHERE _reason <> ''"
    )
    parts = [typed_rejects]
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if REJECTS_TABLE in tables:
        parts.append(
            f"SELECT {source_file}, NULL::BIGINT, line, any_value(column_name), "
            f"string_agg(error_type || ': ' || error_message, '; '), any_value(csv_line) "
            f"FROM {REJECTS_TABLE} GROUP BY line"
        )
    con.execute(
        f"COPY ({' UNION ALL '.join(parts)} ORDER BY coalesce(line, row)) "
        f"TO {sql.literal(str(path))} (FORMAT json)"
    )
    return path


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unreadable file"
