"""Object storage port: one store per bucket (raw, cleansed, quarantine, artifacts, landing)."""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str
    last_modified: datetime
    metadata: dict[str, str] = field(default_factory=dict)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class ObjectStore(abc.ABC):
    """A bucket. Keys use ``/``; metadata values are strings (S3 user metadata rules)."""

    bucket: str

    @abc.abstractmethod
    def put_bytes(
        self,
        key: str,
        data: bytes,
        metadata: dict[str, str] | None = None,
        *,
        content_type: str | None = None,
    ) -> ObjectInfo:
        """Write an object whole; readers never see a partial object. ``content_type`` is what
        a web client is told it is (the published site's pages); a folder has no such thing."""

    @abc.abstractmethod
    def put_file(self, key: str, path: Path, metadata: dict[str, str] | None = None) -> ObjectInfo:
        """Upload a local file, streaming (multipart for large files)."""

    @abc.abstractmethod
    def get_bytes(self, key: str) -> bytes: ...

    @abc.abstractmethod
    def download(self, key: str, path: Path) -> Path:
        """Stream an object to a local file."""

    @abc.abstractmethod
    def head(self, key: str) -> ObjectInfo:
        """Size, etag and metadata; raises ObjectNotFoundError."""

    @abc.abstractmethod
    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Objects under a prefix, in key order (metadata not filled)."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove an object; removing a missing object is not an error."""

    @abc.abstractmethod
    def copy_from(
        self, source: ObjectStore, source_key: str, key: str, metadata: dict[str, str]
    ) -> ObjectInfo:
        """Copy an object byte-for-byte from another store (server-side where possible)."""

    @abc.abstractmethod
    def uri(self, key: str = "") -> str:
        """Where the object lives, for humans and for readers (a path or an s3:// URI)."""

    def exists(self, key: str) -> bool:
        from strata.errors import ObjectNotFoundError

        try:
            self.head(key)
        except ObjectNotFoundError:
            return False
        return True

    @contextmanager
    def local_copy(self, key: str, workdir: Path) -> Iterator[Path]:
        """A local file with the object's bytes, removed afterwards (stores on disk override)."""
        path = workdir / Path(key).name
        self.download(key, path)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)
