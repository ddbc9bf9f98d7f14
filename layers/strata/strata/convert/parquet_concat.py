"""Concatenation of Parquet files of one schema into one file, without decoding any data.

Separate DuckDB connections write the parts of one output in parallel; the lake wants a single
file. Rewriting through DuckDB would decode and re-encode every page, so instead the column
chunks (and bloom filters) are copied byte for byte and a new footer lists the row groups of all
parts, their absolute offsets shifted to where the bytes now lie. The cost is the copy.

Layout: ``PAR1``, the data, the FileMetaData (Thrift compact protocol), its length (4 bytes, LE),
``PAR1``. The footer is decoded by a small generic codec that keeps every field, unknown ones
included, so what is not shifted is written back exactly as it was read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from strata.convert.ranges import copy_range

MAGIC = b"PAR1"
Fields = list[tuple[int, int, Any]]  # a struct: (field id, compact type, value), in file order

# Compact protocol types. A bool field carries its value in the type (1 true, 2 false).
TRUE, FALSE, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(1, 13)
INTEGERS = (I16, I32, I64)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def byte(self) -> int:
        self.pos += 1
        return self.data[self.pos - 1]

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError("truncated Thrift data")
        self.pos += n
        return self.data[self.pos - n : self.pos]

    def varint(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, kind: int) -> Any:
        if kind in (TRUE, FALSE):  # only in lists: a byte, 1 for true; Apache Thrift's writers
            return self.byte() == TRUE  # put 2 for false where the spec says 0: read either
        if kind == BYTE:
            return self.byte()
        if kind in INTEGERS:
            return self.zigzag()
        if kind == DOUBLE:
            return self.take(8)  # kept as bytes: written back bit for bit
        if kind == BINARY:
            return self.take(self.varint())
        if kind in (LIST, SET):
            header = self.byte()
            size = header >> 4 if header >> 4 != 15 else self.varint()
            return header & 0x0F, [self.value(header & 0x0F) for _ in range(size)]
        if kind == STRUCT:
            return self.struct()
        raise ValueError(f"unsupported Thrift compact type {kind}")  # MAP: none in Parquet

    def struct(self) -> Fields:
        fields: Fields = []
        last = 0
        while (header := self.byte()) != 0:
            kind, delta = header & 0x0F, header >> 4
            last = last + delta if delta else self.zigzag()
            fields.append((last, kind, kind == TRUE if kind in (TRUE, FALSE) else self.value(kind)))
        return fields


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _zigzag(n: int) -> bytes:
    return _varint((n << 1) ^ (n >> 63))


def _value(kind: int, value: Any) -> bytes:
    if kind in (TRUE, FALSE):
        return bytes([TRUE if value else FALSE])
    if kind == BYTE:
        return bytes([value])
    if kind in INTEGERS:
        return _zigzag(value)
    if kind == DOUBLE:
        return value
    if kind == BINARY:
        return _varint(len(value)) + value
    if kind in (LIST, SET):
        element, items = value
        # up to 14 items, the size shares the byte with the element type; beyond, a varint
        size = bytes([min(len(items), 15) << 4 | element])
        size += _varint(len(items)) if len(items) >= 15 else b""
        return size + b"".join(_value(element, item) for item in items)
    if kind == STRUCT:
        return encode(value)
    raise ValueError(f"unsupported Thrift compact type {kind}")


def decode(data: bytes) -> Fields:
    """The struct that ``data`` holds exactly, in the Thrift compact protocol."""
    reader = _Reader(data)
    fields = reader.struct()
    if reader.pos != len(data):
        raise ValueError("trailing bytes after the Thrift struct")
    return fields


def encode(fields: Fields) -> bytes:
    out, last = bytearray(), 0
    for fid, kind, value in fields:
        delta = fid - last
        if kind in (TRUE, FALSE):
            kind = TRUE if value else FALSE
        out += bytes([delta << 4 | kind]) if 0 < delta <= 15 else bytes([kind]) + _zigzag(fid)
        if kind not in (TRUE, FALSE):
            out += _value(kind, value)
        last = fid
    return bytes(out + b"\x00")


def _get(fields: Fields, fid: int) -> Any:
    return next((value for f, _, value in fields if f == fid), None)


def _with(fields: Fields, fid: int, change: Callable[[Any], Any]) -> Fields:
    return [(f, kind, change(value) if f == fid else value) for f, kind, value in fields]


def _shift(fields: Fields, fids: tuple[int, ...], by: int) -> Fields:
    return [(f, kind, value + by if f in fids else value) for f, kind, value in fields]


def footer(path: Path) -> tuple[Fields, int]:
    """The FileMetaData of the Parquet file at ``path``, and the offset where it starts."""
    with path.open("rb") as f:
        size = f.seek(0, 2)
        f.seek(0)
        head = f.read(4)
        f.seek(max(size - 8, 0))
        tail = f.read(8)
        length = int.from_bytes(tail[:4], "little")
        if tail[4:] == b"PARE":
            raise ValueError(f"{path}: encrypted Parquet footers are not supported")
        if size < 12 or head != MAGIC or tail[4:] != MAGIC or length > size - 12:
            raise ValueError(f"{path}: not a Parquet file")
        f.seek(size - 8 - length)
        try:
            return decode(f.read(length)), size - 8 - length
        except (ValueError, IndexError) as error:
            raise ValueError(f"{path}: unreadable Parquet footer ({error})") from error


def _moved_chunk(chunk: Fields, by: int, path: Path) -> Fields:
    # Page indexes hold absolute page offsets of their own, which are not rewritten here
    # (DuckDB 2.0 writes none); chunks in another file or encrypted are not ours to move.
    if any(f in (1, 4, 6, 8, 9) for f, _, _ in chunk):
        raise ValueError(f"{path}: page indexes, external or encrypted chunks are not supported")
    chunk = _with(chunk, 2, lambda offset: offset + by if offset else 0)  # DuckDB writes 0
    return _with(chunk, 3, lambda meta: _shift(meta, (9, 10, 11, 14), by))


def _moved_row_group(row_group: Fields, by: int, ordinal: int, path: Path) -> Fields:
    row_group = _with(_shift(row_group, (5,), by), 7, lambda _: ordinal)
    return _with(
        row_group, 1, lambda chunks: (chunks[0], [_moved_chunk(c, by, path) for c in chunks[1]])
    )


def append(parts: list[Path]) -> None:
    """The row groups of ``parts``, in order, as one Parquet file in place of ``parts[0]``: its
    bytes stay where they are, the others' are appended and a new footer lists them all.

    The parts must have the same schema (``ValueError`` naming the first that differs, or that
    is no Parquet file); every footer is checked before ``parts[0]`` is touched, the others
    are left as they are. A failure while appending leaves ``parts[0]`` no Parquet file (the
    parts are work files). The key-value metadata, ``created_by`` and column orders are
    part 0's."""
    blob, starts = _joined(parts)
    if len(parts) == 1:
        return
    with parts[0].open("r+b") as out:
        out.truncate(starts[0])
        out.seek(starts[0])
        for path, start in zip(parts[1:], starts[1:], strict=True):
            with path.open("rb") as source:
                copy_range(source, out, 4, start - 4)
        out.write(blob + len(blob).to_bytes(4, "little") + MAGIC)


def _joined(parts: list[Path]) -> tuple[bytes, list[int]]:
    """The footer of the parts joined, and where each part's footer starts (its data ends)."""
    if not parts:
        raise ValueError("no Parquet files to concatenate")
    footers = [footer(path) for path in parts]
    first = footers[0][0]
    for path, (meta, _) in zip(parts, footers, strict=True):
        if _get(meta, 2) != _get(first, 2):
            raise ValueError(f"{path}: schema differs from that of {parts[0]}")
        if _get(meta, 8) is not None:
            raise ValueError(f"{path}: encrypted Parquet files are not supported")
    # Each part's bytes 4..footer land at ``position`` in the result: its offsets move by
    # ``position - 4``.
    row_groups: list[Fields] = []
    rows, position = 0, len(MAGIC)
    for path, (meta, start) in zip(parts, footers, strict=True):
        for row_group in _get(meta, 4)[1]:
            row_groups.append(_moved_row_group(row_group, position - 4, len(row_groups), path))
        rows += _get(meta, 3)
        position += start - 4
    metadata = _with(_with(first, 3, lambda _: rows), 4, lambda old: (old[0], row_groups))
    return encode(metadata), [start for _, start in footers]
