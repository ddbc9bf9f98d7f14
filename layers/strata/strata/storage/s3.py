"""Object store on Amazon S3.

Large files go through boto3's managed transfers (multipart, parallel parts, retries), so a
Lambda never holds a whole object in memory. Copies between buckets stay server-side.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from boto3.exceptions import RetriesExceededError, S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError, HTTPClientError, ParamValidationError

from strata import progress
from strata.aws_errors import raise_transient, transient_error
from strata.errors import ObjectNotFoundError, StorageError
from strata.scratch import scratch_dir
from strata.storage.base import ObjectInfo, ObjectStore

MB = 1024 * 1024
# 16 MB parts: a 5 GB object takes ~320 parts, well under S3's 10,000-part limit; 4 parts in
# flight keep a Lambda's transfer buffers near 64 MB, whatever the file size.
TRANSFER = TransferConfig(
    multipart_threshold=16 * MB, multipart_chunksize=16 * MB, max_concurrency=4
)
# Copies stay one CopyObject call up to its 5 GB limit (which also keeps the source's etag);
# above it, a server-side multipart copy in 512 MB parts.
COPY_TRANSFER = TransferConfig(multipart_threshold=5 * 1024 * MB, multipart_chunksize=512 * MB)
NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})


def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


@contextmanager
def s3_errors(bucket: str, key: str) -> Iterator[None]:
    """botocore's errors as Strata's: a missing key is ObjectNotFoundError, a body that broke
    off while being read (after the call, so the client's own mapping never saw it)
    TransientError, the rest (including metadata S3 would refuse, such as non-ASCII values)
    StorageError."""
    try:
        yield
    except ClientError as exc:
        if _code(exc) in NOT_FOUND:
            raise ObjectNotFoundError(bucket, key) from exc
        raise StorageError(f"s3://{bucket}/{key}: {exc}") from exc
    except (HTTPClientError, RetriesExceededError) as exc:
        broken = getattr(exc, "last_exception", None) or exc  # a managed download's last try
        raise transient_error(broken) or StorageError(f"s3://{bucket}/{key}: {exc}") from exc
    except (ParamValidationError, S3UploadFailedError) as exc:
        raise StorageError(f"s3://{bucket}/{key}: {exc}") from exc


class S3ObjectStore(ObjectStore):
    def __init__(
        self, bucket: str, client: Any = None, transfer_config: TransferConfig = TRANSFER
    ) -> None:
        self.bucket = bucket
        self.client = raise_transient(client if client is not None else boto3.client("s3"))
        self.transfer_config = transfer_config

    def put_bytes(
        self,
        key: str,
        data: bytes,
        metadata: dict[str, str] | None = None,
        *,
        content_type: str | None = None,
    ) -> ObjectInfo:
        extra = {"ContentType": content_type} if content_type else {}
        with s3_errors(self.bucket, key):
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=data, Metadata=metadata or {}, **extra
            )
        return self.head(key)

    def put_file(self, key: str, path: Path, metadata: dict[str, str] | None = None) -> ObjectInfo:
        size = Path(path).stat().st_size
        with (
            s3_errors(self.bucket, key),
            progress.bytes_task(f"put:{self.bucket}/{key}", Path(path).name, size) as step,
        ):
            self.client.upload_file(
                str(path),
                self.bucket,
                key,
                ExtraArgs={"Metadata": metadata or {}},
                Config=self.transfer_config,
                Callback=step,
            )
        # S3 answers an upload with no size or metadata, and a multipart one with no etag.
        return self.head(key)

    def get_bytes(self, key: str) -> bytes:
        with s3_errors(self.bucket, key):
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def download(self, key: str, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with s3_errors(self.bucket, key):
            self.client.download_file(self.bucket, key, str(path), Config=self.transfer_config)
        return path

    def head(self, key: str) -> ObjectInfo:
        with s3_errors(self.bucket, key):
            response = self.client.head_object(Bucket=self.bucket, Key=key)
        return ObjectInfo(
            key=key,
            size=response["ContentLength"],
            etag=response["ETag"].strip('"'),
            last_modified=response["LastModified"],
            metadata=dict(response.get("Metadata", {})),
        )

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        paginator = self.client.get_paginator("list_objects_v2")
        with s3_errors(self.bucket, prefix):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for entry in page.get("Contents", []):
                    yield ObjectInfo(
                        key=entry["Key"],
                        size=entry["Size"],
                        etag=entry["ETag"].strip('"'),
                        last_modified=entry["LastModified"],
                    )

    def delete(self, key: str) -> None:
        with s3_errors(self.bucket, key):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def copy_from(
        self, source: ObjectStore, source_key: str, key: str, metadata: dict[str, str]
    ) -> ObjectInfo:
        """Server-side from another bucket; from any other store, uploaded from the store's
        own file (a local bucket) or from a temporary download."""
        if not isinstance(source, S3ObjectStore):
            with (
                scratch_dir("copy") as workdir,
                source.local_copy(source_key, workdir) as path,
            ):
                return self.put_file(key, path, metadata)
        with s3_errors(self.bucket, key):
            try:
                self.client.copy(
                    {"Bucket": source.bucket, "Key": source_key},
                    self.bucket,
                    key,
                    ExtraArgs={"Metadata": metadata, "MetadataDirective": "REPLACE"},
                    SourceClient=source.client,
                    Config=COPY_TRANSFER,
                )
            except ClientError as exc:  # only the source can be missing in a copy
                if _code(exc) in NOT_FOUND:
                    raise ObjectNotFoundError(source.bucket, source_key) from exc
                raise
        return self.head(key)

    def uri(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{key}"
