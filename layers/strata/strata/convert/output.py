"""From the staging files to the outputs: whole-file checks (primary key, ``unique``), the row
accounting, the rejects (NDJSON) and the partitioned Parquet of the accepted rows.

Counts come from what was written, not from what was meant to be: rows out are read back from
the Parquet footers, so the invariant ``rows in = rows out + rows quarantined`` checks the
files themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from strata.contracts.model import SourceContract
from strata.convert import sql
from strata.convert.inputs import FileRejected

PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd"
# Up to this many partitions, each is written by its own COPY (ordered, parallel, one scan of
# the staging files each); beyond, one partitioned COPY.
SEPARATE_WRITES = 6


@dataclass
class Staged:
    """One member's staging file and what its reader set aside before typing."""

    path: Path
    label: str  # the member's name in lineage and rejects
    entry: str | None
    parse_rejects: str | None  # DuckDB rejects table, for CSV and NDJSON
    columns: dict[str, str] = field(default_factory=dict)  # reader's column → name in rejects


@dataclass
class Counts:
    entry: str | None
    rows_in: int
    rows_quarantined: int


class Outputs:
    """The staged members of one raw object, and the statements that finish its conversion."""

    def __init__(self, con: Any, contract: SourceContract, staged: list[Staged]) -> None:
        self.con = con
        self.contract = contract
        self.staged = staged
        files = ", ".join(sql.literal(str(item.path)) for item in staged)
        self.source = f"read_parquet([{files}], file_row_number = true, union_by_name = true)"
        self._collect_parse_rejects()
        self.duplicates = self._duplicates()

    def counts(self) -> list[Counts]:
        """Per member: rows read, rows set aside (parse rejects included)."""
        rows = {
            label: (total, bad)
            for label, total, bad in self.con.execute(
                f"SELECT _source_file, count(*), count(*) FILTER (WHERE {self._problem()} IS NOT "
                f"NULL) FROM {self.source}{self._joins()} GROUP BY 1"
            ).fetchall()
        }
        parsed = dict(
            self.con.execute(
                "SELECT source_file, count(*) FROM strata_parse_rejects GROUP BY 1"
            ).fetchall()
        )
        result = []
        for item in self.staged:
            total, bad = rows.get(item.label, (0, 0))
            extra = parsed.get(item.label, 0)
            result.append(Counts(item.entry, total + extra, bad + extra))
        return result

    def write_rejects(self, path: Path) -> None:
        typed = (
            f"SELECT _source_file AS source_file, file_row_number + 1 AS row, _line AS line, "
            f"split_part({self._problem()}, ':', 1) AS \"column\", {self._problem()} AS reason, "
            f"_raw AS raw FROM {self.source}{self._joins()} WHERE {self._problem()} IS NOT NULL"
        )
        parsed = 'SELECT source_file, NULL, line, "column", reason, raw FROM strata_parse_rejects'
        order = " ".join(
            f"WHEN {sql.literal(item.label)} THEN {index}" for index, item in enumerate(self.staged)
        )
        self.con.execute(
            f"COPY (SELECT * FROM ({typed} UNION ALL {parsed}) ORDER BY CASE source_file {order} "
            f"END, coalesce(row, line), line) TO {sql.literal(str(path))} (FORMAT json)"
        )

    def write_parquet(
        self, out_dir: Path, file_id: str, lineage: dict[str, str], extras: list[str]
    ) -> tuple[dict[str, int], list[Path]]:
        """Accepted rows, one file per partition; returns rows per partition and the files."""
        key = self.contract.partition_key
        names = [sql.ident(c.name) for c in self.contract.columns]
        names += [
            "_source_file",
            f"CAST({sql.literal(lineage['ingested_at'])} AS TIMESTAMP) AS _ingested_at",
            f"{sql.literal(lineage['run_id'])} AS _run_id",
            "CAST(file_row_number + 1 AS BIGINT) AS _row_number",
        ]
        names += [sql.ident(name) for name in extras]
        target = out_dir / "parquet"
        # A join (duplicate keys found) may reorder rows: sort them back, for stable files.
        order = " ORDER BY file_index, file_row_number" if self._joins() else ""
        accepted = (
            f"SELECT {', '.join(names)}, _partition FROM {self.source}{self._joins()} "
            f"WHERE {self._problem()} IS NULL{order}"
        )
        values = [
            row[0]
            for row in self.con.execute(
                f"SELECT DISTINCT _partition FROM ({accepted}) ORDER BY 1"
            ).fetchall()
        ]
        if len(values) <= SEPARATE_WRITES:
            # One plain COPY per partition: parallel, and rows stay in file order.
            for value in values:
                folder = target / f"{key}={value}"
                folder.mkdir(parents=True, exist_ok=True)
                self.con.execute(
                    f"COPY (SELECT * EXCLUDE (_partition) FROM ({accepted}) "
                    f"WHERE _partition = {sql.literal(value)}) "
                    f"TO {sql.literal(str(folder / f'{file_id}_0.parquet'))} ({PARQUET_OPTIONS})"
                )
        else:
            # Many partitions: one pass; a single thread keeps the output byte-for-byte stable.
            self.con.execute("SET threads = 1")
            try:
                self.con.execute(
                    f"COPY (SELECT * EXCLUDE (_partition), _partition AS {sql.ident(key)} "
                    f"FROM ({accepted})) TO {sql.literal(str(target))} ({PARQUET_OPTIONS}, "
                    f"PARTITION_BY ({sql.ident(key)}), "
                    f"FILENAME_PATTERN {sql.literal(file_id + '_{i}')}, OVERWRITE_OR_IGNORE true)"
                )
            finally:
                self.con.execute("RESET threads")
        files = sorted(target.rglob("*.parquet"))
        partitions: dict[str, int] = {}
        if files:
            listed = ", ".join(sql.literal(str(path)) for path in files)
            for name, rows in self.con.execute(
                f"SELECT file_name, num_rows FROM parquet_file_metadata([{listed}])"
            ).fetchall():
                value = Path(name).parent.name.split("=", 1)[1]
                partitions[value] = partitions.get(value, 0) + rows
        return dict(sorted(partitions.items())), files

    def _problem(self) -> str:
        """SQL: every reason a staged row is rejected, or NULL."""
        reasons = ["_reason"]
        for index, (columns, primary) in enumerate(self._unique_sets()):
            if self.duplicates[index]:
                message = sql.literal(sql.duplicate_message(columns, primary))
                reasons.append(f"CASE WHEN _dup{index}._hit THEN {message} END")
        if len(reasons) == 1:
            return "_reason"
        return f"NULLIF(concat_ws('; ', {', '.join(reasons)}), '')"

    def _joins(self) -> str:
        joins = []
        for index, (columns, _) in enumerate(self._unique_sets()):
            if not self.duplicates[index]:
                continue
            alias = f"_dup{index}"
            condition = " AND ".join(
                f"{alias}._k{position} = {sql.ident(c)}" for position, c in enumerate(columns)
            )
            joins.append(f" LEFT JOIN strata_dup{index} AS {alias} ON {condition}")
        return "".join(joins)

    def _unique_sets(self) -> list[tuple[list[str], bool]]:
        sets = [(list(self.contract.primary_key), True)] if self.contract.primary_key else []
        sets += [([rule.column], False) for rule in self.contract.quality if rule.rule == "unique"]
        return sets

    def _duplicates(self) -> list[bool]:
        """Build a table of duplicated values per unique set; whether it has any."""
        found = []
        for index, (columns, _) in enumerate(self._unique_sets()):
            keys = ", ".join(f"{sql.ident(c)} AS _k{i}" for i, c in enumerate(columns))
            not_null = " AND ".join(f"{sql.ident(c)} IS NOT NULL" for c in columns)
            group = ", ".join(str(position) for position in range(1, len(columns) + 1))
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE strata_dup{index} AS SELECT {keys}, true AS _hit "
                f"FROM {self.source} WHERE {not_null} GROUP BY {group} HAVING count(*) > 1"
            )
            found.append(
                self.con.execute(f"SELECT count(*) FROM strata_dup{index}").fetchone()[0] > 0
            )
        return found

    def _collect_parse_rejects(self) -> None:
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE strata_parse_rejects (source_file VARCHAR, line BIGINT, "
            '"column" VARCHAR, reason VARCHAR, raw VARCHAR)'
        )
        for item in self.staged:
            if item.parse_rejects is None:
                continue
            table = sql.ident(item.parse_rejects)
            bad_bytes = self.con.execute(
                f"SELECT min(line) FROM {table} WHERE error_type = 'INVALID ENCODING'"
            ).fetchone()[0]
            if bad_bytes is not None:
                raise FileRejected(f"undecodable bytes: line {bad_bytes} is not valid utf-8")
            column = "any_value(column_name)"
            if item.columns:
                named = " ".join(
                    f"WHEN {sql.literal(inner)} THEN {sql.literal(shown)}"
                    for inner, shown in item.columns.items()
                )
                column = f"CASE {column} {named} ELSE {column} END"
            self.con.execute(
                f"INSERT INTO strata_parse_rejects SELECT {sql.literal(item.label)}, line, "
                f"{column}, string_agg(DISTINCT error_type || ': ' || error_message, '; '), "
                f"any_value(csv_line) FROM {table} GROUP BY line"
            )
