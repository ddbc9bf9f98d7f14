"""A large CSV or NDJSON file converted in pieces, side by side, one DuckDB connection each.

DuckDB numbers records with ``row_number() OVER ()`` on one thread, and with it the whole
pass. So a file of several hundred MB is cut at record boundaries into pieces, one per core,
each converted on its own connection: piece k numbers its records from the count of the
pieces before it (a count costs about a tenth of a conversion and runs while piece 0
converts). Each partition's files from the pieces are then joined, row groups copied as
they are (``parquet_concat``): the result is what one pass writes, one file per partition
with the same rows, numbers and rejects, and the same bytes on every run.

A CSV record boundary is a newline after an even number of quotes. A stray quote inside an
unquoted value (DuckDB accepts one) can mislead that count; the piece before the cut then
ends inside a quoted value, its count sees an ``UNQUOTED VALUE`` reject there, and the file
is converted in one pass instead (``Uncut``), as it is after any failure of a piece.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any, BinaryIO

from strata.convert import engine, lines, sql
from strata.convert.parquet_concat import append
from strata.convert.ranges import BLOCK, copy_range

MIN_PIECE = 64 << 20  # a smaller file converts in about a second anyway
# Beyond one invocation: Lambda's /tmp holds at most 10 GB, and converting a file in pieces
# holds its bytes twice (the file, the pieces' copies) plus its Parquet (about a fifth) and
# DuckDB's spill. A file above INVOCATION_BYTES is split into byte ranges of RANGE_BYTES, each
# converted by an invocation of its own (``split``, ``range_file``; docs/architecture.md,
# "Scale on paper"). At 12.8 s per GB on two vCPUs a range takes under a minute.
INVOCATION_BYTES = 4 << 30
RANGE_BYTES = 2 << 30
COUNT_SHARE = 0.12  # what counting a piece costs, against converting it
SEARCH = 64 << 20  # how far past its target a cut may move to find a record boundary
# Errors that leave DuckDB's CSV parser inside a quoted value: the cut was not a boundary.
UNBOUNDED = ("UNQUOTED VALUE", "INVALID STATE")


class Uncut(Exception):
    """The file is not converted in pieces (no boundary found, or one proved wrong)."""


@dataclass(frozen=True)
class Piece:
    source: Path  # the whole file
    start: int  # offset of its first byte in the file
    end: int
    path: Path  # its own file, once ``copy_out`` has written it

    @property
    def first(self) -> bool:  # it starts the file (header, rows to skip)
        return self.start == 0

    def copy_out(self) -> None:
        with self.source.open("rb") as source, self.path.open("wb") as out:
            copy_range(source, out, self.start, self.end - self.start)


def cut(path: Path, quote: str, count: int, folder: Path) -> list[Piece]:
    """Where ``path`` is cut into at most ``count`` pieces (their files go under ``folder``);
    one piece: the file itself. Piece 0 is converted while the others count the piece before
    theirs: it gets more bytes."""
    size = path.stat().st_size
    count = min(count, size // MIN_PIECE)
    if count < 2:
        return [Piece(path, 0, size, path)]
    weights = [1 + COUNT_SHARE] + [1.0] * (count - 1)
    targets, total = [], 0.0
    for weight in weights[:-1]:
        total += weight
        targets.append(int(size * total / sum(weights)))
    bounds = [0, *_boundaries(path, quote.encode(), targets), size]
    folder.mkdir(parents=True, exist_ok=True)
    return [
        Piece(path, start, end, folder / f"piece-{index}{path.suffix}")
        for index, (start, end) in enumerate(pairwise(bounds))
    ]


def split(path: Path, quote: str, range_bytes: int = RANGE_BYTES) -> list[tuple[int, int]]:
    """Byte ranges of ``path`` of about ``range_bytes`` each, cut at record boundaries, in
    order: one per invocation. Raises Uncut where no boundary is found."""
    size = path.stat().st_size
    count = max(1, -(-size // range_bytes))
    if count == 1:
        return [(0, size)]
    targets = [size * index // count for index in range(1, count)]
    return list(pairwise([0, *_boundaries(path, quote.encode(), targets), size]))


def header_end(path: Path, quote: str) -> int:
    """Where the first record (a CSV header) ends: what every range's file starts with."""
    return _boundaries(path, quote.encode(), [1])[0]


def range_file(path: Path, start: int, end: int, header: int, target: Path) -> Path:
    """What one invocation converts: the header's ``header`` bytes, then bytes ``start`` to
    ``end`` of ``path`` (on AWS, two ranged GETs of the raw object)."""
    with path.open("rb") as source, target.open("wb") as out:
        if start > 0 and header:
            copy_range(source, out, 0, header)
        copy_range(source, out, start, end - start)
    return target


@dataclass
class Converted:
    rows: int  # written by all the pieces
    line_ends: list[int]  # in each piece


def convert(
    pieces: list[Piece],
    relation: Callable[[Piece], str],
    query: Callable[[Piece, int], str],
    copy: Callable[[str, Path], str],
    rejects: str,
    work: Path,
) -> Converted:
    """Converts every piece on its own connection: ``copy(query(piece, numbered_from), folder)``
    writes piece k under ``work/piece-k``, and its parser's rejects, with the line of each
    within the piece, to ``work/rejects-k.parquet``. Raises Uncut."""
    run = _Run(pieces)
    end = lines.ending(pieces[0].source)

    def convert_one(index: int) -> tuple[int, int]:
        piece = pieces[index]
        try:
            # Every piece writes its own files, in parallel with the others.
            piece.copy_out()
            run.copied[index].set_result(True)
            # A piece's line numbers start after the rows of every piece before it: wait for
            # the previous piece's count.
            if index:
                run.copied[index - 1].result()
                before = run.count(pieces[index - 1], relation, rejects, work / f"count-{index}")
                run.offsets[index].set_result(run.offsets[index - 1].result() + before)
            with run.connection(work / f"spill-{index}") as con:
                written = con.execute(
                    copy(query(piece, run.offsets[index].result()), output(work, index))
                ).fetchone()[0]
                # The pieces after need its line ends, and the rejects all of them.
                ends = _place_rejects(con, piece, rejects, end, rejected(work, index))
            return int(written), ends
        except Exception as exc:
            run.abandon(exc)
            raise

    with ThreadPoolExecutor(max_workers=len(pieces)) as pool:
        tasks = [pool.submit(convert_one, index) for index in range(len(pieces))]
        try:
            done = [task.result() for task in tasks]
        except BaseException as exc:  # KeyboardInterrupt too: the pieces stop first
            run.abandon(exc)
            if isinstance(exc, Exception):
                raise Uncut(str(run.failures[0])) from run.failures[0]
            raise
    return Converted(sum(rows for rows, _ in done), [ends for _, ends in done])


def _place_rejects(con: Any, piece: Piece, rejects: str, end: bytes, target: Path) -> int:
    """Writes the piece's parser rejects, placed in the whole file by byte and within the
    piece by line (DuckDB's own line numbers are the piece's records': replaced), for the
    accounting. Returns the line ends in the piece."""
    ends = lines.place(con, rejects, "strata_piece_lines", piece.path, end, whole=True)
    con.execute(
        f"COPY (SELECT r.* REPLACE (line_byte_position + {piece.start} AS line_byte_position, "
        f"byte_position + {piece.start} AS byte_position, l.line AS line) "
        f"FROM {sql.ident(rejects)} AS r JOIN strata_piece_lines AS l "
        f"ON l.position = r.line_byte_position) TO {sql.literal(str(target))} (FORMAT parquet)"
    )
    return ends


class _Run:
    """What the pieces' threads share: the numbers each starts from, which pieces' files are
    written, the open connections (to stop them when one piece fails), the failures (the
    first is the cause)."""

    def __init__(self, pieces: list[Piece]) -> None:
        self.offsets: list[Future[int]] = [Future() for _ in pieces]
        self.offsets[0].set_result(0)
        self.copied: list[Future[bool]] = [Future() for _ in pieces]
        self.share = max(2, len(pieces))  # of engine.MEMORY_MB, per connection
        self.running: list[Any] = []
        self.failures: list[BaseException] = []
        self.stopped = threading.Event()

    @contextlib.contextmanager
    def connection(self, work: Path) -> Iterator[Any]:
        con = engine.connect(work, self.share)
        self.running.append(con)
        try:
            # DuckDB ignores an interrupt sent before a query starts: look first.
            if self.stopped.is_set():
                raise Uncut("stopped: another piece failed")
            yield con
        finally:
            self.running.remove(con)
            con.close()

    def count(
        self, piece: Piece, relation: Callable[[Piece], str], rejects: str, work: Path
    ) -> int:
        """Records the reader hands over from ``piece``; Uncut if it ends inside a quoted
        value."""
        with self.connection(work) as con:
            # fetchall: the reader writes its rejects table when its query is finished.
            ((found,),) = con.execute(f"SELECT count(*) FROM {relation(piece)}").fetchall()
            listed = ", ".join(sql.literal(kind) for kind in UNBOUNDED)
            unbounded = con.execute(
                f"SELECT min(line_byte_position) FROM {sql.ident(rejects)} "
                f"WHERE error_type IN ({listed})"
            ).fetchone()[0]
        if unbounded is not None:
            where = piece.start + unbounded
            raise Uncut(f"{piece.path.name} has an unterminated quote (record at byte {where})")
        return int(found)

    def abandon(self, exc: BaseException) -> None:
        """A piece failed: the pieces waiting for a number stop, the running ones are
        stopped."""
        self.failures.append(exc)
        self.stopped.set()
        for waited in [*self.offsets, *self.copied]:
            if not waited.done():
                with contextlib.suppress(Exception):  # set meanwhile by its own thread
                    waited.set_exception(Uncut(str(exc)))
        for con in list(self.running):
            with contextlib.suppress(Exception):  # duckdb.Error: closed meanwhile
                con.interrupt()


def output(work: Path, index: int) -> Path:
    return work / f"piece-{index}"


def rejected(work: Path, index: int) -> Path:
    return work / f"rejects-{index}.parquet"


def gather(
    con: Any, pieces: list[Piece], converted: Converted, rejects: str, work: Path, folder: Path
) -> None:
    """Each partition's files from the pieces, in order, as one file under ``folder`` (laid out
    as one pass lays it out); the pieces' parser rejects as the table ``rejects``, each on its
    line in the whole file (not the reader's own table name: a second pass over the file would
    need that one)."""
    partitions: dict[str, list[Path]] = {}
    for index in range(len(pieces)):
        for path in sorted(output(work, index).glob("*/*.parquet")):
            partitions.setdefault(f"{path.parent.name}/{path.name}", []).append(path)
    shutil.rmtree(folder, ignore_errors=True)
    for name, parts in sorted(partitions.items()):
        append(parts)  # into the first piece's file: its bytes stay where they are
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        parts[0].replace(folder / name)
    before = [0, *accumulate(converted.line_ends)]
    placed = " UNION ALL ".join(
        f"SELECT * REPLACE (line + {before[index]} AS line) "
        f"FROM read_parquet({sql.literal(str(rejected(work, index)))})"
        for index in range(len(pieces))
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {sql.ident(rejects)} AS "
        f"SELECT * FROM ({placed}) ORDER BY line_byte_position"
    )


def _boundaries(path: Path, quote: bytes, targets: list[int]) -> list[int]:
    """For each target offset, the first record boundary at or after it (read in blocks:
    memory stays flat)."""
    cuts: list[int] = []
    size = path.stat().st_size
    with path.open("rb") as handle:
        position, odd = 0, False
        for target in targets:
            target = max(target, position)
            odd ^= _odd_quotes(handle, quote, position, target)
            position, limit = target, min(size, target + SEARCH)
            while True:
                handle.seek(position)
                block = handle.read(min(BLOCK, limit - position))
                if not block:
                    raise Uncut(f"no record boundary within {SEARCH >> 20} MB of byte {target}")
                at, found = 0, False
                while not found and (newline := block.find(b"\n", at)) >= 0:
                    odd ^= bool(quote) and block.count(quote, at, newline) % 2 == 1
                    at, found = newline + 1, not odd
                if not found:
                    odd ^= bool(quote) and block.count(quote, at) % 2 == 1
                position += at if found else len(block)
                if found:
                    break
            if position >= size:
                raise Uncut("the last record boundary is the end of the file")
            cuts.append(position)
    return cuts


def _odd_quotes(handle: BinaryIO, quote: bytes, start: int, end: int) -> bool:
    """Whether bytes ``start`` to ``end`` hold an odd number of quotes."""
    if not quote:
        return False
    handle.seek(start)
    count = 0
    while start < end:
        block = handle.read(min(BLOCK, end - start))
        count, start = count + block.count(quote), start + len(block)
    return count % 2 == 1
