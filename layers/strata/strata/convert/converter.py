"""Raw → cleansed for one raw file: type every row by the contract, set aside what cannot be
accepted with its reason, write partitioned Parquet, and account for every row:
rows_in = rows_out + rows_quarantined, per file and per member of an archive, always.

The steps, each streaming through files in a work directory (memory stays bounded):

1. ``inputs``: open gzip and zip containers, check the format, make text UTF-8.
2. ``readers``: each member's records as text (CSV, JSON, xlsx, Parquet).
3. ``drift``: map the file's columns onto the contract, apply the schema-change policy.
4. ``typed``: the SQL typing and checking every record, numbered, with its lineage.
5. ``output``: one pass writes every partition's Parquet file and the rejected rows; then the
   whole-file checks (a second pass only if keys are duplicated), the accounting, the rejects
   as NDJSON. A large CSV or NDJSON file is cut into pieces converted side by side, one per
   core, and their files joined (``pieces``): the same output, in a fraction of the time.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from strata.catalog.base import TableDef
from strata.contracts.model import CsvFormat, SourceContract
from strata.convert import engine, pieces, readers, sql
from strata.convert.drift import Mapping, SchemaDrift, map_columns
from strata.convert.inputs import EmptyFile, FileRejected, Member, prepare
from strata.convert.output import Part, Written
from strata.convert.typed import Duplicates, Lineage, member_sql

__all__ = ["FileConversion", "Lineage", "MemberConversion", "convert_file"]


@dataclass
class MemberConversion:
    """The accounting of one file of a zip archive (or of the raw file itself)."""

    entry: str | None
    rows_in: int = 0
    rows_out: int = 0
    rows_quarantined: int = 0
    encoding: str | None = None


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
    # Quarantined before its rows could be counted (a corrupt archive, another format, a
    # document that is not JSON): the counts are those of the rows read, not the file's.
    rows_unknown: bool = False
    drift: list[str] = field(default_factory=list)
    members: list[MemberConversion] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)  # evolved string columns written
    new_columns: list[str] = field(default_factory=list)  # ... of which new to the catalog

    def check_accounting(self) -> None:
        parts = [(self.rows_in, self.rows_out, self.rows_quarantined, "the file")]
        parts += [
            (m.rows_in, m.rows_out, m.rows_quarantined, f"entry {m.entry!r}") for m in self.members
        ]
        if len(self.members) > 1:
            total = [sum(getattr(m, name) for m in self.members) for name in _COUNTS]
            parts.append((*total, "the sum of the entries"))  # type: ignore[arg-type]
        for rows_in, rows_out, quarantined, what in parts:
            if rows_in != rows_out + quarantined:
                raise AssertionError(
                    f"row accounting broken for {what}: {rows_in} in != {rows_out} out + "
                    f"{quarantined} quarantined"
                )
        if len(self.members) > 1 and total != [self.rows_in, self.rows_out, self.rows_quarantined]:
            raise AssertionError("row accounting broken: entries do not add up to the file")


_COUNTS = ("rows_in", "rows_out", "rows_quarantined")


def convert_file(
    contract: SourceContract,
    path: Path,
    lineage: Lineage,
    out_dir: Path,
    file_id: str,
    known_table: TableDef | None = None,
) -> FileConversion:
    """Convert a local raw file into Parquet files under ``out_dir`` (one per partition).

    ``known_table`` is the catalog's current table, for drift and schema evolution.
    """
    import duckdb

    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / ".work"
    con = engine.connect(work)
    try:
        conversion = _Conversion(con, contract, lineage, out_dir, file_id, known_table)
        try:
            return conversion.run(path, work)
        except EmptyFile as exc:
            conversion.counted = True  # no bytes, no rows
            return conversion.rejected(str(exc))
        except FileRejected as exc:
            return conversion.rejected(str(exc))
        except duckdb.Error as exc:
            return conversion.rejected(_duckdb_reason(exc))
    finally:
        con.close()
        shutil.rmtree(work, ignore_errors=True)


class _Conversion:
    def __init__(
        self,
        con: Any,
        contract: SourceContract,
        lineage: Lineage,
        out_dir: Path,
        file_id: str,
        known: TableDef | None,
    ) -> None:
        self.con, self.contract, self.lineage = con, contract, lineage
        self.out_dir, self.file_id, self.known = out_dir, file_id, known
        self.result = FileConversion()
        self.parse_rejects: list[str | None] = []  # per member, its parser's rejects table
        self._readings: list[_Reading] = []
        self.counted = False  # every member's records are counted (or the pass counts them)
        self.total = 0  # members in the raw file

    def run(self, path: Path, work: Path) -> FileConversion:
        opened = prepare(self.contract, path, work)
        members = opened.members
        self.result.drift += [
            f"archive entry {name!r} skipped (not in members)" for name in opened.skipped
        ]
        self.total = len(members)
        readings = [self._read(index, member, work) for index, member in enumerate(members)]
        parts = [reading.part for reading in readings]
        written = Written(self.con, self.contract, parts, work / "pass", self.file_id)
        if not self._in_pieces(readings, written, work / "pieces"):
            written.write(self._query(readings, []))
        duplicates = written.duplicates()
        if duplicates:  # rare: those rows go to quarantine too, in a second pass
            written.write(self._query(readings, duplicates))
        result = self.result
        for member, passed in zip(result.members, written.passed, strict=True):
            member.rows_in = passed  # parse rejects are added by the accounting
        self.counted = True
        for counts, member in zip(written.counts(), result.members, strict=True):
            member.rows_in, member.rows_quarantined = counts.rows_in, counts.rows_quarantined
        self.parse_rejects = [None] * len(parts)  # now counted in rows_in
        result.rows_in = sum(m.rows_in for m in result.members)
        result.rows_quarantined = sum(m.rows_quarantined for m in result.members)
        if result.rows_quarantined:
            result.rejects_file = self.out_dir / f"{self.file_id}.rejects.ndjson"
            written.write_rejects(result.rejects_file)
        share = result.rows_quarantined / result.rows_in if result.rows_in else 0.0
        miscounted = _miscounted(members, result.members)
        if miscounted or share > self.contract.reject_threshold:
            result.file_rejected_reason = miscounted or (
                f"{result.rows_quarantined} of {result.rows_in} rows rejected ({share:.1%}, "
                f"above the source's threshold of {self.contract.reject_threshold:.1%})"
            )
            result.rows_quarantined = result.rows_in
            for member in result.members:
                member.rows_quarantined = member.rows_in
        elif result.rows_in > result.rows_quarantined:
            result.partitions, result.files = written.publish(self.out_dir / "parquet")
            result.rows_out = sum(result.partitions.values())
            for member in result.members:
                member.rows_out = member.rows_in - member.rows_quarantined
        result.check_accounting()
        return result

    def _query(
        self,
        readings: list[_Reading],
        duplicates: list[Duplicates],
        relation: str | None = None,
        numbered_from: int = 0,
    ) -> str:
        """Every member's rows, member after member (one thread keeps them in that order);
        or, for a piece of a file (``relation``: its one member's records from that piece),
        those of the piece, numbered after ``numbered_from``."""
        extras = self.result.extra_columns  # all members' extras: each member writes them all
        selects = []
        labels = [reading.part.label for reading in readings]
        for reading in readings:
            mapping = replace(
                reading.mapping,
                extras={
                    name: reading.mapping.extras.get(name, "CAST(NULL AS VARCHAR)")
                    for name in extras
                },
            )
            source = reading.source
            if relation is not None:
                source = replace(source, relation=relation)
            selects.append(
                member_sql(
                    self.contract,
                    source,
                    mapping,
                    reading.part.label,
                    labels,
                    self.lineage,
                    duplicates,
                    numbered_from,
                )
            )
        return " UNION ALL ".join(f"({select})" for select in selects)

    def _in_pieces(self, readings: list[_Reading], written: Written, work: Path) -> bool:
        """Converts one large file in pieces side by side (``pieces.py``). False when the file
        is not cut, or a piece failed: it is then converted in one pass."""
        if len(readings) != 1:
            return False
        source, part = readings[0].source, readings[0].part
        cutter, rejects = source.piece, part.parse_rejects
        if cutter is None or rejects is None:
            return False

        def relation(piece: pieces.Piece) -> str:
            return cutter(piece.path, piece.first)

        fmt = self.contract.format
        quote = fmt.quote if isinstance(fmt, CsvFormat) else ""
        gathered = rejects.replace("strata_", "strata_piece_", 1)
        try:
            cut = pieces.cut(part.path, quote, engine.cores(), work)
            if len(cut) < 2:
                return False
            converted = pieces.convert(
                cut,
                relation=relation,
                query=lambda piece, start: self._query(readings, [], relation(piece), start),
                copy=written.copy,
                rejects=rejects,
                work=work,
            )
            pieces.gather(self.con, cut, converted, gathered, work, written.folder)
        except (pieces.Uncut, OSError, ValueError):  # a full disk, say: one pass will tell
            return False
        finally:
            shutil.rmtree(work, ignore_errors=True)
        part.parse_rejects = self.parse_rejects[0] = gathered
        part.lines_counted = True
        part.line_ends = sum(converted.line_ends)
        written.account(converted.rows)
        return True

    def rejected(self, reason: str) -> FileConversion:
        """The whole file goes to quarantine: every row read so far counts as quarantined."""
        result = self.result
        for member, table in zip(result.members, self.parse_rejects, strict=True):
            member.rows_in += self._parse_rejects(table)
            member.rows_out, member.rows_quarantined = 0, member.rows_in
        result.rows_in = sum(member.rows_in for member in result.members)
        result.rows_out, result.rows_quarantined = 0, result.rows_in
        result.partitions, result.files, result.rejects_file = {}, [], None
        result.file_rejected_reason = reason
        result.rows_unknown = not self.counted
        shutil.rmtree(self.out_dir / "parquet", ignore_errors=True)
        result.check_accounting()
        return result

    def _parse_rejects(self, table: str | None) -> int:
        if table is None:
            return 0
        try:
            found = self.con.execute(
                f"SELECT count(DISTINCT line_byte_position) FROM {sql.ident(table)}"
            )
            return found.fetchone()[0]
        except Exception:  # duckdb.Error: the reader failed before creating the table
            return 0

    def _read(self, index: int, member: Member, work: Path) -> _Reading:
        scratch = work / f"member-{index}"
        prefix = f"{member.entry}: " if self.total > 1 else ""
        account = MemberConversion(member.entry, encoding=member.encoding)
        try:
            source = readers.read(self.con, self.contract, member, scratch, index)
        except FileRejected as exc:  # this member's rows cannot be read, nor counted
            self._count_read_members()  # those before it can
            raise FileRejected(f"{prefix}{exc}") from None
        self.result.members.append(account)
        self.parse_rejects.append(source.parse_rejects)
        try:
            mapping = map_columns(self.contract, source, self.known)
        except FileRejected as exc:  # the records can be read: they count
            if isinstance(exc, SchemaDrift):
                self.result.drift += [prefix + item for item in exc.drift]
            account.rows_in = self._count(source)
            self._count_read_members()
            self.counted = index == self.total - 1  # no member after it is left unread
            raise FileRejected(f"{prefix}{exc}") from None
        self._note(mapping, prefix)
        label = member.label(self.lineage.source_file)
        part = Part(
            label,
            member.entry,
            member.path,
            source.parse_rejects,
            _column_names(source, mapping),
            layout=source.layout,
        )
        self._readings.append(_Reading(source, mapping, part))
        return self._readings[-1]

    def _count_read_members(self) -> None:
        """The members read before a member sent the file to quarantine: their rows count."""
        for reading, account in zip(self._readings, self.result.members, strict=False):
            account.rows_in = self._count(reading.source)

    def _count(self, source: readers.TextSource) -> int:
        """Records in a file that will not be converted (rows of a file quarantined whole)."""
        return self.con.execute(f"SELECT count(*) FROM {source.relation}").fetchone()[0]

    def _note(self, mapping: Mapping, prefix: str) -> None:
        result = self.result
        result.drift += [
            prefix + item for item in mapping.drift if prefix + item not in result.drift
        ]
        for name in mapping.extras:
            if name not in result.extra_columns:
                result.extra_columns.append(name)
        result.new_columns += [n for n in mapping.new_columns if n not in result.new_columns]


@dataclass
class _Reading:
    """One member, read and mapped onto the contract."""

    source: readers.TextSource
    mapping: Mapping
    part: Part


def _miscounted(members: list[Member], counted: list[MemberConversion]) -> str | None:
    """Why the records read differ from the count their sender announced, if they do."""
    for member, account in zip(members, counted, strict=True):
        announced = member.announced
        if announced is not None and announced.rows != account.rows_in:
            where = f"{member.entry}: " if member.entry else ""
            return (
                f"{where}row count mismatch: {announced.describe()} announces {announced.rows} "
                f"record(s), the file holds {account.rows_in}"
            )
    return None


def _column_names(source: readers.TextSource, mapping: Mapping) -> dict[str, str]:
    """The reader's internal column names (``_f3``) as rejects show them: the schema's column
    fed by that field, else the file's own name for it."""
    names = {}
    for name, value in zip(source.fields, source.values, strict=True):
        if value.startswith('"_f'):
            names[value.strip('"')] = name
    for column, value in mapping.values.items():
        if value.strip('"') in names:
            names[value.strip('"')] = column
    return names


def _duckdb_reason(exc: Exception) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else "unreadable file"
    first = re.sub(r' in file "[^"]*"', "", first)
    return re.sub(r"^[A-Za-z ]+ Error: ", "", first)
