"""From a raw object to the files the readers parse: containers opened, text made UTF-8.

Everything streams in 1 MiB chunks through files in the work directory, so memory stays flat
whatever the size. A problem with the object as a whole (corrupt gzip or zip, an empty file,
bytes the encoding cannot decode, a file of another format) raises :class:`FileRejected` with
the reason the quarantine records.
"""

from __future__ import annotations

import codecs
import gzip
import re
import shutil
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from strata.contracts.model import CsvFormat, ExcelFormat, JsonFormat, SourceContract

CHUNK = 1 << 20
SAMPLE = 1 << 20  # bytes looked at to detect an encoding
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
PARQUET_MAGIC = b"PAR1"
# A multi-byte UTF-8 sequence: rare by chance in cp1252 or latin-1 text.
UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class FileRejected(Exception):
    """The file as a whole cannot be converted: it goes to quarantine with this reason."""


class EmptyFile(FileRejected):
    """A file without a byte: it holds no rows, for certain."""


@dataclass(frozen=True)
class Member:
    """One file to parse: the raw object itself, or one file of a zip archive."""

    path: Path  # local, decompressed; text formats are UTF-8 (a UTF-8 BOM may remain)
    entry: str | None = None  # the file's name inside the archive
    encoding: str | None = None  # the source encoding, for text formats

    def label(self, source_file: str) -> str:
        """How rejects and lineage name the member: the raw key, plus ``!entry`` in an archive."""
        return source_file if self.entry is None else f"{source_file}!{self.entry}"


def prepare(contract: SourceContract, path: Path, workdir: Path) -> list[Member]:
    """The members of the raw file at ``path``, ready for the format's reader."""
    workdir.mkdir(parents=True, exist_ok=True)
    fmt = contract.format
    if path.stat().st_size == 0:
        raise EmptyFile("empty file")
    container = _container(fmt, path)
    if container == "gzip":
        path = _gunzip(path, workdir / "gunzipped")
        sources = [(path, None)]
    elif container == "zip":
        sources = list(_unzip(path, workdir / "unzipped"))
    else:
        sources = [(path, None)]
    members = []
    for index, (source, entry) in enumerate(sources):
        where = f" (archive entry {entry!r})" if entry else ""
        try:
            members.append(_member(fmt, source, entry, workdir / f"member-{index}"))
        except FileRejected as exc:
            raise FileRejected(f"{exc}{where}") from None
    return members


def _container(fmt: object, path: Path) -> str:
    declared = getattr(fmt, "compression", "none")
    if isinstance(fmt, ExcelFormat):
        return "none"  # a workbook is itself a zip archive
    head = _head(path, 4)
    looks_like = "gzip" if head.startswith(GZIP_MAGIC) else None
    if head.startswith(ZIP_MAGICS):
        if _is_workbook(path):
            raise FileRejected(f"wrong format: an xlsx workbook, but the contract says {fmt.type}")
        looks_like = "zip"
    if declared == "auto":
        return looks_like or "none"
    if declared != "none" and looks_like != declared:
        raise FileRejected(f"not a {declared} file, although the contract says {declared}")
    if declared == "none" and looks_like:
        raise FileRejected(f"the file is {looks_like}-compressed, but the contract says none")
    return declared


def _gunzip(path: Path, target: Path) -> Path:
    try:
        with gzip.open(path, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
    except EOFError:
        raise FileRejected("corrupt gzip: the file is truncated") from None
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise FileRejected(f"corrupt gzip: {exc}") from None
    if target.stat().st_size == 0:
        raise EmptyFile("empty file (inside gzip)")
    return target


def _unzip(path: Path, folder: Path) -> list[tuple[Path, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = sorted(
                (info for info in archive.infolist() if _is_data_entry(info)),
                key=lambda info: info.filename,
            )
            if not entries:
                raise FileRejected("zip archive holds no files")
            extracted = []
            for index, info in enumerate(entries):
                if info.flag_bits & 0x1:
                    raise FileRejected(f"zip entry {info.filename!r} is encrypted")
                target = folder / f"{index}-{PurePosixPath(info.filename).name}"
                with archive.open(info) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
                extracted.append((target, info.filename))
            return extracted
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise FileRejected(f"corrupt zip archive: {exc}") from None


def _is_data_entry(info: zipfile.ZipInfo) -> bool:
    parts = PurePosixPath(info.filename).parts
    return not (info.is_dir() or not parts or parts[0] == "__MACOSX" or parts[-1].startswith("."))


def _member(fmt: object, path: Path, entry: str | None, scratch: Path) -> Member:
    if path.stat().st_size == 0:
        raise FileRejected("empty file")
    head = _head(path, 8)
    _check_format(fmt, path, head)
    if not isinstance(fmt, CsvFormat | JsonFormat):
        return Member(path, entry)
    encoding = _encoding(fmt.encoding, path)
    if encoding in ("utf-8", "utf-8-sig"):
        return Member(path, entry, encoding)  # DuckDB reads UTF-8 itself and skips the BOM
    target = scratch.with_suffix(".utf8")
    _transcode(path, encoding, target)
    return Member(target, entry, encoding)


def _check_format(fmt: object, path: Path, head: bytes) -> None:
    wanted = getattr(fmt, "type", "?")
    found = None
    if head.startswith(PARQUET_MAGIC):
        found = "a Parquet file"
    elif head.startswith(ZIP_MAGICS):
        found = "an xlsx workbook" if _is_workbook(path) else "a zip archive"
    elif head.startswith(GZIP_MAGIC):
        found = "gzip-compressed"
    if wanted == "parquet":
        if not head.startswith(PARQUET_MAGIC):
            raise FileRejected(f"wrong format: not a Parquet file ({found or 'no PAR1 header'})")
        if _tail(path, 4) != PARQUET_MAGIC:
            raise FileRejected("corrupt Parquet file: truncated (no PAR1 footer)")
    elif wanted == "xlsx":
        if found != "an xlsx workbook":
            raise FileRejected(f"wrong format: not an xlsx workbook ({found or 'not a zip'})")
    elif found is not None:
        raise FileRejected(f"wrong format: {found}, but the contract says {wanted}")


def _is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _encoding(declared: str, path: Path) -> str:
    """The codec to read the file with, from the declaration, its BOM, or (auto) its bytes."""
    head = _head(path, 4)
    bom = next((name for mark, name in BOMS if head.startswith(mark)), None)
    if declared == "utf-16":
        if bom and bom.startswith("utf-16"):
            return bom
        return _utf16_order(_head(path, SAMPLE)) or "utf-16-le"
    if declared == "utf-8" and bom == "utf-8-sig":
        return "utf-8-sig"
    if declared != "auto":
        return declared
    if bom:
        return bom
    sample = _head(path, SAMPLE)
    return _utf16_order(sample) or _guess_8bit(sample, complete=path.stat().st_size <= SAMPLE)


def _utf16_order(sample: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII text leaves every other byte NUL."""
    pairs = sample[: len(sample) // 2 * 2]
    if len(pairs) < 4:
        return None
    even, odd = pairs[0::2].count(0), pairs[1::2].count(0)
    half = len(pairs) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _guess_8bit(sample: bytes, complete: bool) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError as exc:
        if UTF8_MULTIBYTE.search(sample):
            raise FileRejected(
                f"mixed encodings: UTF-8 text, but byte {exc.start} is not UTF-8 "
                "(declare the encoding, or fix the file)"
            ) from None
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _transcode(path: Path, encoding: str, target: Path) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while True:
            chunk = source.read(CHUNK)
            try:
                out.write(decoder.decode(chunk, final=not chunk))
            except UnicodeDecodeError as exc:
                raise FileRejected(
                    f"undecodable bytes: byte {offset + max(exc.start, 0)} is not valid {encoding}"
                ) from None
            if not chunk:
                return
            offset += len(chunk)


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _tail(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(max(path.stat().st_size - size, 0))
        return handle.read(size)
