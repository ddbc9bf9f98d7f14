"""The single pass's output, and what is finished from it: whole-file checks (primary key,
``unique``), the row accounting, the rejects (NDJSON) and the accepted partitions.

Counts come from what was written, not from what was meant to be: rows out are read back from
the Parquet footers and rows set aside from the ``REJECTED`` partition, and together they must
make the number of rows the pass wrote (``COPY``'s own count), or the conversion stops.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from strata.contracts.model import SourceContract
from strata.convert import engine, lines, sql
from strata.convert.inputs import FileRejected
from strata.convert.typed import REJECTED, Duplicates, reject_carrier

PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd"


@dataclass
class Part:
    """One member of the raw object (the file itself, or an entry of its zip archive)."""

    label: str  # the member's name in lineage and rejects
    entry: str | None
    path: Path  # the file the reader parses
    parse_rejects: str | None  # DuckDB rejects table, for CSV and NDJSON
    columns: dict[str, str] = field(default_factory=dict)  # reader's column → name in rejects
    lines_counted: bool = False  # parse_rejects' ``line`` is already the line an editor shows
    layout: lines.Layout | None = None  # line-based text: its rejects' lines are found by it
    line_ends: int | None = None  # in the file, when the pieces counted them


@dataclass
class Counts:
    entry: str | None
    rows_in: int
    rows_quarantined: int


class Written:
    """The files of one pass over a raw object's members, under ``folder``."""

    def __init__(
        self, con: Any, contract: SourceContract, parts: list[Part], folder: Path, file_id: str
    ) -> None:
        self.con, self.contract, self.parts = con, contract, parts
        self.folder, self.file_id = folder, file_id
        self.carrier = sql.ident(reject_carrier(contract))  # the reject records, when rejected
        self.rows = 0  # what the pass wrote, by COPY's own count
        self.passed: list[int] = []  # per member: rows through the pass, counted in the files
        self.rejected: dict[str, int] = {}  # per member label: rows the pass set aside
        self._counts: list[Counts] = []  # per member, once counted

    def write(self, query: str) -> None:
        """Writes every row of ``query`` into its partition's file (one file per partition)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.account(self.con.execute(self.copy(query, self.folder)).fetchone()[0])

    def copy(self, query: str, folder: Path) -> str:
        """The ``COPY`` writing ``query``'s rows under ``folder``, a file per partition."""
        key = sql.ident(self.contract.partition_key)
        return (
            f"COPY (SELECT * EXCLUDE (_partition), _partition AS {key} FROM ({query})) "
            f"TO {sql.literal(str(folder))} ({PARQUET_OPTIONS}, PARTITION_BY ({key}), "
            f"FILENAME_PATTERN {sql.literal(self.file_id + '_{i}')}, OVERWRITE_OR_IGNORE true)"
        )

    def account(self, rows: int) -> None:
        """The pass wrote ``rows`` rows (``COPY``'s own count) into the files under ``folder``:
        counted back from the files, per member, or the conversion stops."""
        self.rows = rows
        self.passed = self._count_passed()
        if sum(self.passed) != self.rows:
            raise AssertionError(
                f"row accounting broken: the pass wrote {self.rows} rows, its files hold "
                f"{sum(self.passed)}"
            )

    def duplicates(self) -> list[Duplicates]:
        """Key values written more than once, per unique set that has any, as temp tables."""
        found = []
        files = self._accepted() + self._rejected()
        for index, (columns, primary) in enumerate(self._unique_sets()):
            every = self._candidates(files, columns)
            if not every:
                continue
            table = f"strata_dup{index}"
            keys = ", ".join(f"{sql.ident(c)} AS _k{i}" for i, c in enumerate(columns))
            not_null = " AND ".join(f"{sql.ident(c)} IS NOT NULL" for c in columns)
            group = ", ".join(str(position) for position in range(1, len(columns) + 1))
            with engine.all_cores(self.con):  # which keys repeat: no order to keep
                self.con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {keys}, true AS _hit "
                    f"FROM {every} WHERE {not_null} GROUP BY {group} HAVING count(*) > 1"
                )
            if self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
                found.append(Duplicates(table, columns, sql.duplicate_message(columns, primary)))
        return found

    def _candidates(self, files: list[Path], columns: list[str]) -> str:
        """The rows among which a repeated key is looked for: all of them, unless the key
        rises strictly through each file, as it does in the many exports ordered by their
        key. Then no file repeats a value of its own, and the grouping only needs the smaller
        files and the rows of the largest whose key one of them holds: a fraction of the CPU.
        '' when no key can repeat."""
        if not files or len(columns) != 1 or not all(self._rises(p, columns[0]) for p in files):
            return self._read(files)
        sizes = self._file_rows(files)
        largest = max(files, key=lambda path: sizes.get(path, 0))
        others = self._read([path for path in files if path != largest])
        if not others:
            return ""
        key = sql.ident(columns[0])
        return (
            f"(SELECT {key} FROM {others} UNION ALL SELECT {key} FROM {self._read([largest])} "
            f"WHERE {key} IN (SELECT {key} FROM {others}))"
        )

    def _rises(self, path: Path, column: str) -> bool:
        """Whether ``column``'s values rise strictly through the file (read in order)."""
        key = sql.ident(column)
        falls = self.con.execute(
            f"SELECT count(*) FROM (SELECT {key}, lag({key}) OVER () AS _previous "
            f"FROM {self._read([path])} WHERE {key} IS NOT NULL) WHERE {key} <= _previous"
        ).fetchone()[0]
        return falls == 0

    def _count_passed(self) -> list[int]:
        """Per member: rows through the pass (everything its reader handed over)."""
        if len(self.parts) == 1:
            # One member: the Parquet footers' row counts are its count, so no file is read.
            accepted = {self.parts[0].label: sum(self._file_rows(self._accepted()).values())}
        else:
            accepted = self._per_member(self._accepted(), "_source_file")
        self.rejected = self._per_member(
            self._rejected(), f"json_extract_string({self.carrier}, '$.file')"
        )
        return [accepted.get(p.label, 0) + self.rejected.get(p.label, 0) for p in self.parts]

    def counts(self) -> list[Counts]:
        """Per member: rows read, rows set aside (parse rejects included)."""
        self._collect_parse_rejects()
        parsed = dict(
            self.con.execute(
                "SELECT source_file, count(*) FROM strata_parse_rejects GROUP BY 1"
            ).fetchall()
        )
        self._counts = [
            Counts(
                part.entry,
                passed + parsed.get(part.label, 0),
                self.rejected.get(part.label, 0) + parsed.get(part.label, 0),
            )
            for part, passed in zip(self.parts, self.passed, strict=True)
        ]
        return self._counts

    def write_rejects(self, path: Path) -> None:
        """Every reject with its file, line (where the format has lines), row (its number
        among the file's records, those the parser refused included), column and reason."""
        rejected = self._read(self._rejected())

        def field(name: str) -> str:
            return f"json_extract_string({self.carrier}, '$.{name}')"

        typed = ""
        if rejected:
            typed = (
                f"SELECT {field('file')} AS source_file, _row_number, "
                f"CAST({field('line')} AS BIGINT) AS line, {field('reason')} AS reason, "
                f"{field('raw')} AS raw FROM {rejected}"
            )
        self._place_rejects(typed)
        parsed = (
            'SELECT p.source_file, n.number AS row, p.line, p."column", p.reason, p.raw '
            "FROM strata_parse_rejects AS p LEFT JOIN strata_refused AS n "
            "ON n.source_file = p.source_file AND n.line = p.line"
        )
        if typed:
            # A reason names its column first ("amount: ..."); a record that is no record at
            # all (not JSON, say) names none.
            named = ", ".join(sql.literal(column.name) for column in self.contract.columns)
            column = "split_part(t.reason, ':', 1)"
            parsed += (
                " UNION ALL SELECT t.source_file, coalesce(n.number, t._row_number), "
                f"coalesce(t.line, n.line), CASE WHEN {column} IN ({named}) THEN {column} END, "
                f"t.reason, t.raw FROM ({typed}) AS t LEFT JOIN strata_placed AS n "
                "ON n.source_file = t.source_file AND n.row = t._row_number"
            )
        order = " ".join(
            f"WHEN {sql.literal(part.label)} THEN {index}" for index, part in enumerate(self.parts)
        )
        self.con.execute(
            f"COPY (SELECT * FROM ({parsed}) ORDER BY CASE source_file {order} "
            f"END, coalesce(row, line), line, reason) TO {sql.literal(str(path))} (FORMAT json)"
        )

    def _place_rejects(self, typed: str) -> None:
        """``strata_placed`` (source_file, row, line, number): the line and the number among
        all records of each rejected row of line-based text; ``strata_refused`` (source_file,
        line, number): the number of each record the parser refused."""
        placed: list[tuple[str, int, int, int]] = []
        refused: list[tuple[str, int, int]] = []
        for part, counts in zip(self.parts, self._counts, strict=True):
            if part.layout is None:
                continue
            label = sql.literal(part.label)
            rows = []
            if typed:
                rows = [
                    row
                    for (row,) in self.con.execute(
                        f"SELECT _row_number FROM ({typed}) WHERE source_file = {label}"
                    ).fetchall()
                ]
            lines_refused = [
                line
                for (line,) in self.con.execute(
                    f"SELECT line FROM strata_parse_rejects WHERE source_file = {label}"
                ).fetchall()
            ]
            if not rows and not lines_refused:
                continue
            numbered = lines.number_records(
                part.path, part.layout, counts.rows_in, rows, lines_refused, part.line_ends
            )
            placed += [(part.label, row, *where) for row, where in numbered.by_row.items()]
            refused += [(part.label, line, number) for line, number in numbered.by_line.items()]
        self._table("strata_placed", "row BIGINT, line BIGINT, number BIGINT", placed)
        self._table("strata_refused", "line BIGINT, number BIGINT", refused)

    def _table(self, name: str, columns: str, values: list[tuple]) -> None:
        """A temp table of ``values`` (a column of lists per field: one statement, whereas
        DuckDB runs an ``executemany`` row by row)."""
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (source_file VARCHAR, {columns})")
        if values:
            fields = [list(field) for field in zip(*values, strict=True)]
            listed = ", ".join(f"unnest(${index})" for index in range(1, len(fields) + 1))
            self.con.execute(f"INSERT INTO {name} SELECT {listed}", fields)

    def publish(self, target: Path) -> tuple[dict[str, int], list[Path]]:
        """Moves the accepted partitions under ``target``; rows per partition, and the files."""
        partitions: dict[str, int] = {}
        accepted = self._accepted()
        for path, rows in self._file_rows(accepted).items():
            value = path.parent.name.split("=", 1)[1]
            partitions[value] = partitions.get(value, 0) + rows
        files = []
        for path in accepted:
            moved = target / path.parent.name / path.name
            moved.parent.mkdir(parents=True, exist_ok=True)
            path.replace(moved)
            files.append(moved)
        return dict(sorted(partitions.items())), sorted(files)

    def _accepted(self) -> list[Path]:
        rejected = f"{self.contract.partition_key}={REJECTED}"
        return sorted(p for p in self.folder.glob("*/*.parquet") if p.parent.name != rejected)

    def _rejected(self) -> list[Path]:
        return sorted(self.folder.glob(f"{self.contract.partition_key}={REJECTED}/*.parquet"))

    def _read(self, files: list[Path]) -> str:
        """A ``read_parquet`` of ``files``, or '' when there are none."""
        if not files:
            return ""
        listed = ", ".join(sql.literal(str(path)) for path in files)
        return f"read_parquet([{listed}], hive_partitioning = false)"

    def _file_rows(self, files: list[Path]) -> dict[Path, int]:
        """Rows per file, from the Parquet footers."""
        if not files:
            return {}
        listed = ", ".join(sql.literal(str(path)) for path in files)
        found = self.con.execute(
            f"SELECT file_name, sum(num_rows) FROM parquet_file_metadata([{listed}]) GROUP BY 1"
        ).fetchall()
        return {Path(name): int(rows) for name, rows in found}

    def _per_member(self, files: list[Path], label: str) -> dict[str, int]:
        if not files:
            return {}
        return dict(
            self.con.execute(
                f"SELECT {label}, count(*) FROM {self._read(files)} GROUP BY 1"
            ).fetchall()
        )

    def _unique_sets(self) -> list[tuple[list[str], bool]]:
        sets = [(list(self.contract.primary_key), True)] if self.contract.primary_key else []
        sets += [([rule.column], False) for rule in self.contract.quality if rule.rule == "unique"]
        return sets

    def _collect_parse_rejects(self) -> None:
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE strata_parse_rejects (source_file VARCHAR, line BIGINT, "
            '"column" VARCHAR, reason VARCHAR, raw VARCHAR)'
        )
        for part in self.parts:
            if part.parse_rejects is None:
                continue
            table = sql.ident(part.parse_rejects)
            self._place_lines(part, part.parse_rejects)
            bad_bytes = self.con.execute(
                f"SELECT min(strata_lines.line) FROM {table} JOIN strata_lines ON position = "
                "line_byte_position WHERE error_type = 'INVALID ENCODING'"
            ).fetchone()[0]
            if bad_bytes is not None:
                raise FileRejected(f"undecodable bytes: line {bad_bytes} is not valid utf-8")
            column = "any_value(column_name)"
            if part.columns:
                named = " ".join(
                    f"WHEN {sql.literal(inner)} THEN {sql.literal(shown)}"
                    for inner, shown in part.columns.items()
                )
                column = f"CASE {column} {named} ELSE {column} END"
            self.con.execute(
                f"INSERT INTO strata_parse_rejects SELECT {sql.literal(part.label)}, "
                f"any_value(strata_lines.line), {column}, "
                f"string_agg(DISTINCT error_type || ': ' || error_message, '; '), "
                # After a blank line, DuckDB's raw line starts with it: no record does.
                f"ltrim(any_value(csv_line), chr(13) || chr(10)) FROM {table} JOIN strata_lines "
                "ON position = line_byte_position GROUP BY line_byte_position"
            )

    def _place_lines(self, part: Part, rejects: str) -> None:
        """``strata_lines``: the line of each parser reject's record, by its byte position."""
        table, end = sql.ident(rejects), lines.ending(part.path)
        starts = "strata_starts"
        if part.lines_counted:  # the line of each reject's first byte, from the pieces
            starts = f"(SELECT DISTINCT line_byte_position AS position, line FROM {table})"
        else:
            lines.place(self.con, rejects, starts, part.path, end)
        blank = lines.leading_ends_sql("any_value(r.csv_line)", end)
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE strata_lines AS SELECT s.position, "
            f"any_value(s.line) + {blank} AS line FROM {starts} AS s JOIN {table} AS r "
            "ON r.line_byte_position = s.position GROUP BY s.position"
        )
