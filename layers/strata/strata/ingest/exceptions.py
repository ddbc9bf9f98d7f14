"""Ingestion errors, raised by name so the logs, the run manifest and a retrying caller can tell
them apart. Messages never carry a secret: URLs in them are redacted first."""

from __future__ import annotations

from strata.errors import IngestError


class SourceIngestError(IngestError):
    """A run of one source failed; carries the source name."""

    def __init__(self, message: str, *, source: str) -> None:
        self.source = source
        super().__init__(f"{source}: {message}")


class ApiResponseError(SourceIngestError):
    """The API answered something that is not a page of data (an error status, an HTML error
    page, a body that does not parse, records missing where the contract says they are)."""

    def __init__(self, message: str, *, source: str, url: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        where = f"{url} -> HTTP {status}" if status is not None else url
        super().__init__(f"{message} ({where})", source=source)


class ApiUnavailableError(SourceIngestError):
    """Retries ran out: connection errors, timeouts, 429 or 5xx until the last attempt."""


class PaginationError(SourceIngestError):
    """Pagination did not end within max_pages, repeated itself, or left the API's origin."""


class BudgetExhaustedError(SourceIngestError):
    """The run's time budget (below the Lambda timeout) ran out before the run finished."""


class RunInProgressError(SourceIngestError):
    """Another run of the same source holds the source's lock."""


class SftpError(SourceIngestError):
    """The SFTP server could not be reached, refused us, or a transfer failed."""


class HostKeyError(SftpError):
    """The server's host key is not one the contract lists."""


class RemoteFileChangedError(SftpError):
    """A remote file changed, shrank or vanished after it was listed: it is left on the server
    for the next run, and the run goes on with the other files."""

    def __init__(self, message: str, *, source: str, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}", source=source)


class LocalWriteError(IngestError):
    """Writing a download's local copy failed (a full scratch disk); the caller names the file."""


class StorageFailedError(SourceIngestError):
    """A fetched file could not be stored: the scratch disk or the raw store refused a write (a
    full disk, an outage). Retryable and not the data's fault: the file is counted as failed,
    never rejected, and its claim is released so the next run fetches it again."""

    def __init__(self, message: str, *, source: str, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}", source=source)
