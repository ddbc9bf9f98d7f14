"""Object store on the local disk: the embedded twin of an S3 bucket.

A bucket is one folder (``lake/raw``) holding only the objects' bytes, so a person can browse
it and DuckDB can read it in place. User metadata and the etag live in a sidecar tree next to
the buckets (``lake/.metadata/raw/<key>.json``). Writes go to a temporary file in the target
folder and are renamed over the key, so readers see the old object or the new one, never half
of one, and a crash leaves no partial object behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from strata import progress
from strata.errors import ObjectNotFoundError, StorageError
from strata.storage.base import CHUNK, ObjectInfo, ObjectStore

TEMP_PREFIX = ".strata-tmp-"
METADATA_DIR = ".metadata"


def _copy_stream(
    source: BinaryIO, target: BinaryIO, step: Callable[[float], None] | None = None
) -> str:
    """Copy in chunks (bounded memory) and return the md5 hex digest of what was copied."""
    digest = hashlib.md5(usedforsecurity=False)
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        if step is not None:
            step(len(chunk))
    return digest.hexdigest()


def _md5_file(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def normalise_metadata(metadata: dict[str, str] | None) -> dict[str, str]:
    """Apply S3's user-metadata rules, so code that works locally also works on S3.

    S3 lowercases keys and only carries US-ASCII strings in its headers.
    """
    normalised: dict[str, str] = {}
    for name, value in (metadata or {}).items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise StorageError(f"metadata {name!r}: keys and values must be strings")
        if not (name + value).isascii():
            raise StorageError(f"metadata {name!r}: S3 metadata must be US-ASCII")
        normalised[name.lower()] = value
    return normalised


class LocalObjectStore(ObjectStore):
    """A bucket as a folder. ``root`` is the bucket folder, e.g. ``lake/raw``."""

    def __init__(self, root: Path, bucket: str) -> None:
        self.root = Path(root).absolute()
        self.bucket = bucket
        self.metadata_root = self.root.parent / METADATA_DIR / bucket

    # -- paths -------------------------------------------------------------------------------

    def _check_key(self, key: str) -> str:
        parts = key.split("/")
        if not key or key.startswith("/") or "\\" in key or "\x00" in key:
            raise StorageError(f"invalid key {key!r} for {self.bucket}")
        for part in parts:
            if part in ("", ".", "..") or part.startswith(TEMP_PREFIX):
                raise StorageError(f"invalid key {key!r} for {self.bucket}")
        return key

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*self._check_key(key).split("/"))

    def _sidecar(self, key: str) -> Path:
        *folders, name = self._check_key(key).split("/")
        return self.metadata_root.joinpath(*folders, f"{name}.json")

    # -- atomic writes -----------------------------------------------------------------------

    @contextmanager
    def _staged(self, target: Path) -> Iterator[Path]:
        """A temporary file next to ``target``, renamed over it only if the block succeeds."""
        staging = self._create_temp(target.parent)
        try:
            yield staging
            _fsync(staging)
        except BaseException:
            staging.unlink(missing_ok=True)
            raise

    def _create_temp(self, folder: Path) -> Path:
        # A concurrent delete may prune the folder between mkdir and open: try again. Once the
        # temporary file exists the folder is not empty, so pruning leaves it alone.
        for _ in range(5):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                staging = folder / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
                staging.open("xb").close()
                return staging
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StorageError(f"cannot write under {folder}: {exc}") from exc
        raise StorageError(f"cannot write under {folder}: it keeps disappearing")

    def _commit(self, key: str, staging: Path, etag: str, metadata: dict[str, str]) -> ObjectInfo:
        """Write the sidecar, then rename the data into place: a new key appears with its
        metadata already there. The sidecar records size and mtime, so a sidecar that does not
        describe the current bytes (a crash between the two steps, a file replaced by hand) is
        recognised and ignored."""
        stat = staging.stat()
        sidecar = {
            "etag": etag,
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "metadata": metadata,
        }
        sidecar_path = self._sidecar(key)
        with self._staged(sidecar_path) as staged_sidecar:
            staged_sidecar.write_text(json.dumps(sidecar, sort_keys=True), encoding="utf-8")
        target = self._path(key)
        try:
            os.replace(staged_sidecar, sidecar_path)
            os.replace(staging, target)
        except OSError as exc:
            staged_sidecar.unlink(missing_ok=True)
            raise StorageError(f"cannot write {key!r} in {self.bucket}: {exc}") from exc
        return self._info(key, target.stat(), sidecar)

    def _write(
        self, key: str, metadata: dict[str, str] | None, fill: Callable[[Path], str]
    ) -> ObjectInfo:
        """Stage the bytes with ``fill`` (which returns their md5) and commit them."""
        normalised = normalise_metadata(metadata)
        with self._staged(self._path(key)) as staging:
            etag = fill(staging)
        try:
            return self._commit(key, staging, etag, normalised)
        finally:
            staging.unlink(missing_ok=True)  # gone already unless the commit failed

    # -- reads -------------------------------------------------------------------------------

    def _read_sidecar(self, key: str, stat: os.stat_result) -> dict[str, Any] | None:
        try:
            sidecar = json.loads(self._sidecar(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if sidecar.get("size") != stat.st_size or sidecar.get("mtime_ns") != stat.st_mtime_ns:
            return None
        return sidecar

    def _stat(self, key: str) -> os.stat_result:
        path = self._path(key)
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise ObjectNotFoundError(self.bucket, key) from None
        if not path.is_file():
            raise ObjectNotFoundError(self.bucket, key)
        return stat

    def _info(
        self,
        key: str,
        stat: os.stat_result,
        sidecar: dict[str, Any] | None,
        *,
        with_metadata: bool = True,
    ) -> ObjectInfo:
        etag = sidecar["etag"] if sidecar else _md5_file(self._path(key))
        return ObjectInfo(
            key=key,
            size=stat.st_size,
            etag=etag,
            last_modified=datetime.fromtimestamp(stat.st_mtime_ns / 1e9, tz=UTC),
            metadata=dict(sidecar["metadata"]) if sidecar and with_metadata else {},
        )

    # -- the port ----------------------------------------------------------------------------

    def put_bytes(
        self,
        key: str,
        data: bytes,
        metadata: dict[str, str] | None = None,
        *,
        content_type: str | None = None,  # a folder has none: a local server guesses it
    ) -> ObjectInfo:
        def fill(staging: Path) -> str:
            staging.write_bytes(data)
            return hashlib.md5(data, usedforsecurity=False).hexdigest()

        return self._write(key, metadata, fill)

    def put_file(self, key: str, path: Path, metadata: dict[str, str] | None = None) -> ObjectInfo:
        def fill(staging: Path) -> str:
            size = Path(path).stat().st_size
            with (
                progress.bytes_task(f"put:{self.bucket}/{key}", Path(path).name, size) as step,
                Path(path).open("rb") as source,
                staging.open("wb") as target,
            ):
                return _copy_stream(source, target, step)

        return self._write(key, metadata, fill)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFoundError(self.bucket, key) from None

    def download(self, key: str, path: Path) -> Path:
        source = self._path(key)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(source, path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            if source.is_file():  # the target folder is the problem, not the object
                raise
            raise ObjectNotFoundError(self.bucket, key) from None
        return path

    def head(self, key: str) -> ObjectInfo:
        stat = self._stat(key)
        return self._info(key, stat, self._read_sidecar(key, stat))

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        folder, _, _ = prefix.rpartition("/")
        start = self._path(folder) if folder else self.root
        if not start.is_dir():
            return
        keys: list[str] = []
        for dirpath, _dirnames, filenames in os.walk(start):
            relative = Path(dirpath).relative_to(self.root).as_posix()
            for name in filenames:
                key = name if relative == "." else f"{relative}/{name}"
                if not name.startswith(TEMP_PREFIX) and key.startswith(prefix):
                    keys.append(key)
        # Python orders str by code point, which is the UTF-8 byte order S3 lists in.
        for key in sorted(keys):
            try:
                stat = self._stat(key)
            except ObjectNotFoundError:  # deleted while listing
                continue
            yield self._info(key, stat, self._read_sidecar(key, stat), with_metadata=False)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
        self._sidecar(key).unlink(missing_ok=True)
        self._prune(self._path(key).parent, self.root)
        self._prune(self._sidecar(key).parent, self.metadata_root)

    @staticmethod
    def _prune(folder: Path, stop: Path) -> None:
        """Remove empty folders up to ``stop``: like S3, a prefix exists only while it has keys."""
        while folder != stop and stop in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def copy_from(
        self, source: ObjectStore, source_key: str, key: str, metadata: dict[str, str]
    ) -> ObjectInfo:
        if isinstance(source, LocalObjectStore):
            source_path = source._path(source_key)

            def fill(staging: Path) -> str:
                try:
                    handle = source_path.open("rb")
                except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                    raise ObjectNotFoundError(source.bucket, source_key) from None
                with handle, staging.open("wb") as target:
                    return _copy_stream(handle, target)

        else:

            def fill(staging: Path) -> str:
                source.download(source_key, staging)
                return _md5_file(staging)

        return self._write(key, metadata, fill)

    def uri(self, key: str = "") -> str:
        if not key:
            return str(self.root)
        path = str(self._path(key.rstrip("/")))
        return path + os.sep if key.endswith("/") else path

    @contextmanager
    def local_copy(self, key: str, workdir: Path) -> Iterator[Path]:
        """The object's own file: no copy. Callers must not modify or delete it."""
        self._stat(key)
        yield self._path(key)
