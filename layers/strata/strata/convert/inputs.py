"""From a raw object to the files the readers parse: containers opened, text made UTF-8.

Everything streams in 1 MiB chunks through files in the work directory, so memory stays flat
whatever the size. A problem with the object as a whole (corrupt gzip or zip, an empty file,
bytes the encoding cannot decode, a file of another format) raises :class:`FileRejected` with
the reason the quarantine records.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import shutil
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from strata.contracts.model import (
    CsvFormat,
    ExcelFormat,
    FixedWidthFormat,
    JsonFormat,
    SourceContract,
)
from strata.convert import footer
from strata.convert.errors import EmptyFile, FileRejected

CHUNK = 1 << 20
SAMPLE = 1 << 20  # bytes looked at to detect an encoding
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
PARQUET_MAGIC = b"PAR1"
TAR_MAGIC = (257, b"ustar")  # offset and bytes of a POSIX (or GNU) tar header
# Formats whose text is made UTF-8 here (XML honours its own declaration; see readers/xml.py).
TRANSCODED = (CsvFormat, JsonFormat, FixedWidthFormat)
# A multi-byte UTF-8 sequence: rare by chance in cp1252 or latin-1 text.
UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


__all__ = ["EmptyFile", "FileRejected", "Member", "Opened", "prepare"]


@dataclass(frozen=True)
class Member:
    """One part to parse: the raw object itself, one file of an archive, or one sheet of a
    workbook."""

    path: Path  # local, decompressed; text formats are UTF-8 (a UTF-8 BOM may remain)
    entry: str | None = None  # the file's name inside the archive, or the sheet's name
    encoding: str | None = None  # the source encoding, for text formats
    sheet: str | None = None  # the workbook's sheet to read
    announced: footer.Count | None = None  # the record count the sender wrote in the file

    def label(self, source_file: str) -> str:
        """How rejects and lineage name the member: the raw key, plus ``!entry`` for a file of
        an archive or a sheet read by a pattern."""
        return source_file if self.entry is None else f"{source_file}!{self.entry}"


@dataclass
class Opened:
    """A raw file's members, and the archive entries its ``members`` pattern left out."""

    members: list[Member]
    skipped: list[str] = field(default_factory=list)


def prepare(contract: SourceContract, path: Path, workdir: Path) -> Opened:
    """The members of the raw file at ``path``, ready for the format's reader."""
    workdir.mkdir(parents=True, exist_ok=True)
    fmt = contract.format
    if path.stat().st_size == 0:
        raise EmptyFile("empty file")
    if isinstance(fmt, ExcelFormat):
        return Opened(_sheets(fmt, path))
    container = _container(fmt, path)
    pattern = getattr(fmt, "members", None)
    skipped: list[str] = []
    if container == "gzip":
        sources = [(_gunzip(path, workdir / "gunzipped"), None)]
    elif container == "zip":
        sources = _unzip(path, workdir / "unzipped", pattern, skipped)
    elif container == "tar":
        sources = _untar(path, workdir / "untarred", pattern, skipped)
    else:
        sources = [(path, None)]
    members = []
    for index, (source, entry) in enumerate(sources):
        where = f" (archive entry {entry!r})" if entry else ""
        try:
            members.append(_member(fmt, source, entry, workdir / f"member-{index}"))
        except FileRejected as exc:
            raise FileRejected(f"{exc}{where}") from None
    return Opened(members, skipped)


def _container(fmt: object, path: Path) -> str:
    declared = getattr(fmt, "compression", "none")
    head = _head(path, 4)
    looks_like = "gzip" if head.startswith(GZIP_MAGIC) else None
    if head.startswith(ZIP_MAGICS):
        if _is_workbook(path):
            raise FileRejected(f"wrong format: an xlsx workbook, but the contract says {fmt.type}")
        looks_like = "zip"
    if _is_tar(path, gzipped=looks_like == "gzip"):
        looks_like = "tar"
    if declared == "auto":
        return looks_like or "none"
    if declared == "gzip" and looks_like == "tar":
        raise FileRejected("a gzipped tar archive, but the contract says gzip (say tar)")
    if declared != "none" and looks_like != declared:
        raise FileRejected(f"not a {declared} file, although the contract says {declared}")
    if declared == "none" and looks_like:
        raise FileRejected(f"the file is {looks_like}-compressed, but the contract says none")
    return declared


def _is_tar(path: Path, gzipped: bool) -> bool:
    """Whether ``path`` is a tar archive, gzipped or not (its first header's magic)."""
    offset, magic = TAR_MAGIC
    try:
        if gzipped:
            with gzip.open(path, "rb") as handle:
                head = handle.read(offset + len(magic))
        else:
            head = _head(path, offset + len(magic))
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError):
        return False  # a corrupt gzip: ``_gunzip`` says why
    return head[offset:] == magic


def _sheets(fmt: ExcelFormat, path: Path) -> list[Member]:
    """A workbook's members: its one sheet, or each sheet matching ``sheets``."""
    _check_format(fmt, path, _head(path, 8))
    if fmt.sheets is None:
        return [Member(path, sheet=fmt.sheet)]
    from strata.convert.readers.excel import sheet_names

    names = sheet_names(path)
    matching = [name for name in names if fnmatchcase(name, fmt.sheets)]
    if not matching:
        raise FileRejected(f"no sheet matches {fmt.sheets!r} (the workbook has {names})")
    return [Member(path, entry=name, sheet=name) for name in matching]


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


def _wanted(names: list[str], pattern: str | None, skipped: list[str], kind: str) -> set[str]:
    """The entries to convert: those matching ``pattern`` (the others are noted in
    ``skipped``)."""
    if not names:
        raise FileRejected(f"{kind} archive holds no files")
    if pattern is None:
        return set(names)
    wanted = {name for name in names if fnmatchcase(name, pattern)}
    skipped += sorted(set(names) - wanted)
    if not wanted:
        raise FileRejected(f"no entry of the {kind} archive matches members {pattern!r}")
    return wanted


def _unzip(
    path: Path, folder: Path, pattern: str | None, skipped: list[str]
) -> list[tuple[Path, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(path) as archive:
            data = [info for info in archive.infolist() if _is_data_entry(info)]
            wanted = _wanted([info.filename for info in data], pattern, skipped, "zip")
            entries = sorted(
                (info for info in data if info.filename in wanted),
                key=lambda info: info.filename,
            )
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
    return not info.is_dir() and _is_data_name(info.filename)


def _is_data_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return not (not parts or parts[0] == "__MACOSX" or parts[-1].startswith("."))


def _untar(
    path: Path, folder: Path, pattern: str | None, skipped: list[str]
) -> list[tuple[Path, str]]:
    """A tar archive's regular files (gzipped or not), in name order.

    The archive is read once, front to back (a gzipped one cannot seek back without
    decompressing again from its start), each wanted file written as it comes. Only regular
    files are read, by their bytes into names of our own: a link, a device or a path climbing
    out of the folder (``../x``) can never write outside the work directory.
    """
    folder.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    extracted: list[tuple[Path, str]] = []
    try:
        with tarfile.open(path, mode="r:*") as archive:
            for info in archive:
                if not _is_data_tar_entry(info):
                    continue
                names.append(info.name)
                if pattern is not None and not fnmatchcase(info.name, pattern):
                    continue
                source = archive.extractfile(info)
                target = folder / f"{len(extracted)}-{PurePosixPath(info.name).name}"
                with source or io.BytesIO() as data, target.open("wb") as out:
                    shutil.copyfileobj(data, out, CHUNK)
                extracted.append((target, info.name))
    except EOFError:
        raise FileRejected("corrupt tar archive: the file is truncated") from None
    except (tarfile.TarError, zlib.error, OSError) as exc:
        raise FileRejected(f"corrupt tar archive: {exc}") from None
    wanted = _wanted(names, pattern, skipped, "tar")
    return sorted(
        ((target, name) for target, name in extracted if name in wanted), key=lambda x: x[1]
    )


def _is_data_tar_entry(info: tarfile.TarInfo) -> bool:
    return info.isreg() and _is_data_name(info.name)


def _member(fmt: object, path: Path, entry: str | None, scratch: Path) -> Member:
    if path.stat().st_size == 0:
        raise FileRejected("empty file")
    head = _head(path, 8)
    _check_format(fmt, path, head)
    if not isinstance(fmt, TRANSCODED):
        return Member(path, entry)
    encoding = _encoding(fmt.encoding, path)
    if encoding not in ("utf-8", "utf-8-sig"):  # DuckDB reads UTF-8 itself and skips the BOM
        target = scratch.with_suffix(".utf8")
        _transcode(path, encoding, target)
        path = target
    announced = None
    if isinstance(fmt, CsvFormat | FixedWidthFormat) and (fmt.footer_rows or fmt.row_count):
        path, announced = footer.split(fmt, path, scratch.with_suffix(".records"))
    return Member(path, entry, encoding, announced=announced)


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
