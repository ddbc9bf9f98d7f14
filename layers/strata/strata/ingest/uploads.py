"""Manual uploads: a person (or a partner without AWS credentials) puts a file in a source's
landing prefix; the landing bucket's "Object Created" event then lands it in raw like any drop.

Two ways in: ``strata upload`` (the CLI writes to the landing folder locally, or to the landing
bucket with ``STRATA_RUNTIME=aws``), and a presigned POST from the presign function, valid for
minutes, for one key, with a size bound S3 enforces (``content-length-range``).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from strata.contracts.model import SourceContract
from strata.errors import ConfigError
from strata.project import Project
from strata.storage.base import ObjectStore

DEFAULT_EXPIRY_SECONDS = 900
MAX_EXPIRY_SECONDS = 3600
DEFAULT_MAX_BYTES = 1024**3  # 1 GiB
POST_LIMIT_BYTES = 5 * 1024**3  # S3 accepts at most 5 GB in one POST
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ ()+=,@-]{0,199}$")


def drop_contract(project: Project, source: str) -> SourceContract:
    contract = project.contract(source)
    if contract.s3_drop is None:
        raise ConfigError(
            f"source {source!r} is kind {contract.kind}, not an upload target",
            file=f"sources/{source}.yaml",
            field="kind",
        )
    return contract


def landing_key(contract: SourceContract, file_name: str) -> str:
    """Where an uploaded file goes: the source's prefix and the file's own name, which must
    match the source's ``include`` glob (else the drop would be ignored)."""
    assert contract.s3_drop is not None
    name = PurePosixPath(file_name.replace("\\", "/")).name
    if not SAFE_NAME.match(name):
        raise ConfigError(
            f"file name {file_name!r}: use letters, digits and . _ - ( ) + = , @ or spaces"
        )
    if not fnmatch.fnmatch(name, contract.s3_drop.include):
        raise ConfigError(
            f"file name {name!r} does not match the source's include glob "
            f"{contract.s3_drop.include!r}",
            file=f"sources/{contract.name}.yaml",
            field="s3_drop.include",
        )
    return contract.s3_drop.prefix + name


def upload_files(
    project: Project, landing: ObjectStore, source: str, files: list[Path]
) -> list[str]:
    """Put local files in the source's landing prefix (streamed; multipart on S3)."""
    contract = drop_contract(project, source)
    planned = []
    for path in files:
        if not path.is_file():
            raise ConfigError("no such file", file=str(path))
        planned.append((path, landing_key(contract, path.name)))
    for path, key in planned:
        landing.put_file(key, path)
    return [key for _, key in planned]


@dataclass(frozen=True)
class PresignedUpload:
    url: str
    fields: dict[str, str]
    key: str
    expires_in: int
    max_bytes: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def presign_upload(
    project: Project,
    landing: ObjectStore,
    source: str,
    file_name: str,
    *,
    max_bytes: int | None = None,
    expires_in: int = DEFAULT_EXPIRY_SECONDS,
) -> PresignedUpload:
    """A presigned POST for one file of a drop source: POST ``fields`` plus ``file`` to ``url``."""
    client = getattr(landing, "client", None)
    if client is None:
        raise ConfigError(
            "presigned uploads need the landing bucket (STRATA_RUNTIME=aws); "
            "locally, use `strata upload`"
        )
    key = landing_key(drop_contract(project, source), file_name)
    limit = max_bytes or DEFAULT_MAX_BYTES
    if not 1 <= limit <= POST_LIMIT_BYTES:
        raise ConfigError(f"max_bytes must be between 1 and {POST_LIMIT_BYTES}")
    if not 1 <= expires_in <= MAX_EXPIRY_SECONDS:
        raise ConfigError(f"expires_in must be between 1 and {MAX_EXPIRY_SECONDS} seconds")
    post = client.generate_presigned_post(
        Bucket=landing.bucket,
        Key=key,
        Conditions=[["content-length-range", 1, limit]],
        ExpiresIn=expires_in,
    )
    return PresignedUpload(post["url"], post["fields"], key, expires_in, limit)
