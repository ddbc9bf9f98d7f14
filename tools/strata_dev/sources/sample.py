"""A sample, opened for inference: containers taken off, text made UTF-8, and only a bounded
prefix of a large file read, so a 1 GB sample costs what its first few MiB cost.

The result is a local file the runtime's own readers parse (``strata.convert.readers``): what
the inference sees is what the conversion will see.
"""

from __future__ import annotations

import codecs
import gzip
import json
import shutil
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from strata.errors import StrataError

# Bytes of text read from a sample at most: enough rows to type columns, bounded in time.
PREFIX_BYTES = 8 << 20
# A workbook is a zip archive read whole by openpyxl.
MAX_WORKBOOK_BYTES = 128 << 20
CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
PARQUET_MAGIC = b"PAR1"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # a legacy .xls workbook (or another OLE document)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
TEXT_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".psv": "csv"}
JSON_SUFFIXES = {".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson"}


class SampleError(StrataError):
    """The sample cannot be read; the message names it and says why."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: cannot infer a contract: {reason}")


@dataclass
class Sample:
    """A sample ready for a format's inference."""

    origin: str  # the path or URL as given, for messages
    path: Path  # the local file to parse: decompressed, UTF-8 for text formats
    name: str  # the sample's own file name, without a compression suffix
    format: str  # csv, json, ndjson, xlsx or parquet
    compression: str = "none"  # none, gzip or zip (the container the sample came in)
    encoding: str | None = None  # the text's encoding in the sample, for text formats
    truncated: bool = False  # only a prefix was read
    notes: list[str] = field(default_factory=list)  # what was decided about the file itself


def open_sample(path: Path, scratch: Path, origin: str | None = None) -> Sample:
    """The sample at ``path``, unpacked into ``scratch``; raises SampleError when unreadable."""
    shown = origin or str(path)
    if not path.is_file():
        raise SampleError(shown, "no such file")
    if path.stat().st_size == 0:
        raise SampleError(shown, "the file is empty")
    scratch.mkdir(parents=True, exist_ok=True)
    head = _head(path, 4)
    try:
        if head.startswith(GZIP_MAGIC):
            name = path.name.removesuffix(".gz").removesuffix(".gzip")
            with gzip.open(path, "rb") as stream:
                data, truncated = _prefix(stream)
            return _text_sample(shown, name, data, truncated, scratch, "gzip")
        if head.startswith(ZIP_MAGIC):
            return _zip_sample(shown, path, scratch)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        raise SampleError(shown, f"corrupt archive: {exc}") from None
    if head.startswith(PARQUET_MAGIC):  # read from its footer: the file itself, not a prefix
        return Sample(shown, path, path.name, "parquet")
    if head.startswith(OLE_MAGIC):
        raise SampleError(shown, "a legacy .xls workbook: save it as .xlsx")
    with path.open("rb") as stream:
        data, truncated = _prefix(stream)
    return _text_sample(shown, path.name, data, truncated, scratch, "none")


def _zip_sample(shown: str, path: Path, scratch: Path) -> Sample:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            if path.stat().st_size > MAX_WORKBOOK_BYTES:
                raise SampleError(shown, f"a workbook over {MAX_WORKBOOK_BYTES >> 20} MiB")
            target = scratch / "sample.xlsx"
            shutil.copyfile(path, target)
            return Sample(shown, target, path.name, "xlsx")
        entries = sorted(
            info.filename
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not PurePosixPath(info.filename).name.startswith(".")
        )
        if not entries:
            raise SampleError(shown, "the zip archive holds no file")
        with archive.open(entries[0]) as stream:
            data, truncated = _prefix(stream)
    sample = _text_sample(shown, PurePosixPath(entries[0]).name, data, truncated, scratch, "zip")
    sample.notes.append(f"zip archive of {len(entries)} file(s); inferred from {entries[0]}")
    return sample


def _text_sample(
    shown: str, name: str, data: bytes, truncated: bool, scratch: Path, compression: str
) -> Sample:
    if not data.strip():
        raise SampleError(shown, "the file holds only blank space")
    encoding = detect_encoding(data, truncated)
    text = _decode(data, encoding, truncated)
    fmt = _text_format(name, text, shown)
    if truncated and fmt == "json":
        raise SampleError(
            shown,
            f"a JSON document is read whole, and this one is larger than "
            f"{PREFIX_BYTES >> 20} MiB: give a smaller sample (or NDJSON)",
        )
    if truncated:  # the last line of a prefix is cut: drop it
        text = text[: text.rfind("\n") + 1] or text
    target = scratch / f"sample.{'csv' if fmt == 'csv' else 'json'}"
    target.write_text(text, encoding="utf-8", newline="")
    sample = Sample(shown, target, name, fmt, compression, encoding, truncated)
    if truncated:
        sample.notes.append(f"read the first {PREFIX_BYTES >> 20} MiB only")
    return sample


def detect_encoding(data: bytes, truncated: bool) -> str:
    """A byte-order mark decides; else UTF-8 if the bytes decode, then cp1252, then latin-1
    (the order of the converter's ``encoding: auto``)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding
    body = data[: data.rfind(b"\n") + 1] if truncated else data
    for encoding in ("utf-8", "cp1252"):
        try:
            body.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _decode(data: bytes, encoding: str, truncated: bool) -> str:
    # A prefix may end inside a multi-byte character: the incremental decoder keeps it back.
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    return decoder.decode(data, final=not truncated)


def _text_format(name: str, text: str, shown: str) -> str:
    suffix = PurePosixPath(name.lower()).suffix
    if suffix == ".xlsx":
        raise SampleError(shown, "not a valid xlsx workbook (not a zip archive)")
    if suffix in JSON_SUFFIXES and JSON_SUFFIXES[suffix] == "ndjson":
        return "ndjson"
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if suffix in TEXT_SUFFIXES or start not in ("{", "["):
        return "csv"
    return "ndjson" if _one_object_per_line(text) else "json"


def _one_object_per_line(text: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    try:
        return len(lines) > 1 and all(isinstance(json.loads(line), dict) for line in lines)
    except ValueError:
        return False


def _prefix(stream: IO[bytes]) -> tuple[bytes, bool]:
    """At most ``PREFIX_BYTES`` of the stream, and whether more followed."""
    data = stream.read(PREFIX_BYTES)
    return data, bool(stream.read(1))


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)
