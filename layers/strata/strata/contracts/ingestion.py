"""How a source's data arrives: the settings blocks `s3_drop:`, `api:` and `sftp:` of a contract.

Credentials never appear in a contract: it names a secret (Secrets Manager in AWS,
``STRATA_SECRET_<NAME>`` or ``.secrets.json`` locally) and the ingestion reads it at run time.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from strata.contracts.base import StrictModel

DOTTED_PATH = r"^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$"
SECRET_NAME = r"^[A-Za-z0-9/_+=.@-]{1,200}$"
# Not empty; characters URL-encoding leaves alone (and that IAM does not read as wildcards).
LANDING_PREFIX = r"^[A-Za-z0-9._-][A-Za-z0-9._/-]*$"
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
HOST_KEY = re.compile(
    r"^(ssh-ed25519|ssh-rsa|rsa-sha2-256|rsa-sha2-512|ecdsa-sha2-nistp(256|384|521)) "
    r"[A-Za-z0-9+/]+={0,2}( .*)?$"
)
# Headers worth keeping in an API run's manifest: what the vendor says about the response.
DEFAULT_MANIFEST_HEADERS = [
    "content-type",
    "content-length",
    "date",
    "etag",
    "last-modified",
    "x-request-id",
    "x-ratelimit-remaining",
    "retry-after",
]


class S3DropSettings(StrictModel):
    """Files a partner drops into the landing bucket (also `strata upload` and presigned URLs)."""

    prefix: str = Field(
        pattern=LANDING_PREFIX,
        description=(
            "Landing prefix the source owns, e.g. `orders/`: letters, digits and `- _ . /`, not "
            "starting with `/`, each folder a name (no `..`, `.` or empty folder) (S3 events "
            "carry keys URL-encoded, and the source's event rule "
            "matches this prefix as written). Only this source's function may read under it."
        ),
    )
    include: str = Field("*", description="Glob the file names must match.")

    @field_validator("prefix")
    @classmethod
    def _safe_prefix(cls, value: str) -> str:
        """Each folder of the prefix is a real name: `..`, `.` or an empty folder (`a//b`)
        would put the source's files, or its function's reading rights, outside its own folder."""
        folders = value.removesuffix("/").split("/")
        if any(folder in ("", ".", "..") for folder in folders):
            raise ValueError(
                f"invalid prefix {value!r}: every folder must be a name (no `..`, `.` or "
                "empty folder), e.g. `orders/` or `partner/returns/`"
            )
        return value


# --------------------------------------------------------------------------- API: auth


class NoAuth(StrictModel):
    """No authentication."""

    type: Literal["none"] = Field(description="No credentials are sent.")


class ApiKeyAuth(StrictModel):
    """A key sent in a header or a query parameter; the secret holds the key."""

    type: Literal["api_key"] = Field(description="An API key.")
    secret: str = Field(pattern=SECRET_NAME, description="Name of the secret holding the key.")
    header: str | None = Field(None, description="Send the key in this header, e.g. `X-API-Key`.")
    query_param: str | None = Field(
        None, description="Send the key as this query parameter instead, e.g. `api_key`."
    )

    @model_validator(mode="after")
    def _one_place(self) -> ApiKeyAuth:
        if (self.header is None) == (self.query_param is None):
            raise ValueError("api_key auth needs exactly one of `header` or `query_param`")
        return self


class BearerAuth(StrictModel):
    """A static token sent as `Authorization: Bearer <token>`; the secret holds the token."""

    type: Literal["bearer"] = Field(description="A bearer token.")
    secret: str = Field(pattern=SECRET_NAME, description="Name of the secret holding the token.")


class BasicAuth(StrictModel):
    """HTTP basic authentication; the secret is JSON: `{"username": …, "password": …}`."""

    type: Literal["basic"] = Field(description="User name and password.")
    secret: str = Field(pattern=SECRET_NAME, description="Name of the secret (JSON).")


class OAuth2ClientCredentials(StrictModel):
    """OAuth 2.0 client credentials grant; the secret is JSON:
    `{"client_id": …, "client_secret": …}`. The token is fetched once per run (again on a 401)."""

    type: Literal["oauth2_client_credentials"] = Field(description="OAuth 2.0 client credentials.")
    token_url: str = Field(description="The authorisation server's token endpoint.")
    secret: str = Field(pattern=SECRET_NAME, description="Name of the secret (JSON).")
    scope: str | None = Field(None, description="Space-separated scopes to request.")
    client_auth: Literal["basic", "body"] = Field(
        "basic", description="Send the client credentials as HTTP basic auth or in the form body."
    )


Auth = Annotated[
    NoAuth | ApiKeyAuth | BearerAuth | BasicAuth | OAuth2ClientCredentials,
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------- API: pagination


class NoPagination(StrictModel):
    """One request per run."""

    type: Literal["none"] = Field(description="A single request.")


class PageNumberPagination(StrictModel):
    """`?page=1`, `?page=2`, … until a page has fewer records than `size` (or none)."""

    type: Literal["page_number"] = Field(description="Numbered pages.")
    page_param: str = Field("page", description="Query parameter carrying the page number.")
    start: int = Field(1, ge=0, description="Number of the first page.")
    size_param: str | None = Field(
        "per_page", description="Query parameter carrying the page size; omitted when empty."
    )
    size: int = Field(100, ge=1, description="Records requested per page.")
    total_pages_path: str | None = Field(
        None, pattern=DOTTED_PATH, description="Dotted path to the page count in the body."
    )


class OffsetPagination(StrictModel):
    """`?offset=0&limit=100`, `?offset=100&limit=100`, … until a short or empty page."""

    type: Literal["offset"] = Field(description="Offset and limit.")
    offset_param: str = Field("offset", description="Query parameter carrying the offset.")
    limit_param: str = Field("limit", description="Query parameter carrying the limit.")
    limit: int = Field(100, ge=1, description="Records requested per page.")
    total_path: str | None = Field(
        None, pattern=DOTTED_PATH, description="Dotted path to the total record count in the body."
    )


class CursorPagination(StrictModel):
    """The body carries an opaque cursor, sent back as a query parameter; no cursor ends it."""

    type: Literal["cursor"] = Field(description="Cursor in the response body.")
    cursor_path: str = Field(
        pattern=DOTTED_PATH, description="Dotted path to the next cursor, e.g. `meta.next_cursor`."
    )
    cursor_param: str = Field("cursor", description="Query parameter carrying the cursor.")
    has_more_path: str | None = Field(
        None, pattern=DOTTED_PATH, description="Dotted path to a boolean saying more pages follow."
    )


class NextUrlPagination(StrictModel):
    """The body carries the next page's full URL; none (or null) ends it."""

    type: Literal["next_url"] = Field(description="Next URL in the response body.")
    next_url_path: str = Field(
        pattern=DOTTED_PATH, description="Dotted path to the next URL, e.g. `links.next`."
    )


class LinkHeaderPagination(StrictModel):
    """The `Link` header (RFC 8288) names the next page with `rel="next"`; none ends it."""

    type: Literal["link_header"] = Field(description='`Link: <…>; rel="next"` header.')


Pagination = Annotated[
    NoPagination
    | PageNumberPagination
    | OffsetPagination
    | CursorPagination
    | NextUrlPagination
    | LinkHeaderPagination,
    Field(discriminator="type"),
]
BODY_PAGINATION = ("page_number", "offset", "cursor", "next_url")


class IncrementalCursor(StrictModel):
    """Fetch only what changed since the last successful run: the highest `cursor_field` seen
    (the watermark) is sent back in `param`, minus `lookback`. The watermark moves only when a
    run has landed every page."""

    cursor_field: str = Field(
        pattern=DOTTED_PATH, description="Dotted path of the cursor inside a record."
    )
    param: str = Field(description="Query parameter the watermark is sent in.")
    type: Literal["timestamp", "integer"] = Field(
        "timestamp", description="ISO-8601 timestamps or integers (ids, sequence numbers)."
    )
    initial_value: str = Field(description="Value sent on the first run (no watermark yet).")
    lookback: int = Field(
        0,
        ge=0,
        description=(
            "Subtracted from the watermark before it is sent (seconds for timestamps), to catch "
            "late-arriving records; overlapping records land again and are deduplicated by "
            "`primary_key` downstream."
        ),
    )
    param_format: str | None = Field(
        None,
        description=(
            "strftime format of a timestamp parameter; default ISO-8601 in UTC, "
            "`2026-11-24T06:00:12Z`."
        ),
    )


class RetryPolicy(StrictModel):
    """Retries with exponential backoff and full jitter, honouring `Retry-After`."""

    max_attempts: int = Field(
        5, ge=1, le=20, description="Attempts per request, the first included."
    )
    backoff_seconds: float = Field(
        1.0,
        gt=0,
        le=60,
        description="First backoff, doubling per attempt; also the least wait on `Retry-After: 0`.",
    )
    max_backoff_seconds: float = Field(60.0, gt=0, le=900, description="Longest single wait.")
    statuses: list[int] = Field(
        default_factory=lambda: [429, 500, 502, 503, 504],
        description="HTTP statuses retried (connection errors and timeouts always are).",
    )


class ApiSettings(StrictModel):
    """A vendor REST API: each response body lands in raw as received, one object per page,
    with a manifest per run. Pages are queued for conversion only when the run completes."""

    url: str = Field(description="Endpoint URL; `https://` (plain `http://` only on loopback).")
    params: dict[str, str] = Field(
        default_factory=dict, description="Fixed query parameters sent with every request."
    )
    headers: dict[str, str] = Field(
        default_factory=dict, description="Fixed headers (never credentials: use `auth`)."
    )
    records_path: str | None = Field(
        None,
        pattern=DOTTED_PATH,
        description=(
            "Dotted path to the list of records in a JSON body; omit when the body is the list "
            "(defaults to the format's `records_path`). A body without it fails the run."
        ),
    )
    auth: Auth = Field(
        default_factory=lambda: NoAuth(type="none"), description="How requests authenticate."
    )
    pagination: Pagination = Field(
        default_factory=lambda: NoPagination(type="none"), description="How pages follow."
    )
    incremental: IncrementalCursor | None = Field(
        None, description="Fetch only new records; every run fetches everything when omitted."
    )
    max_pages: int = Field(
        1000, ge=1, le=100_000, description="A run still paginating after this many pages fails."
    )
    connect_timeout_seconds: float = Field(10.0, gt=0, le=120, description="Per connection.")
    read_timeout_seconds: float = Field(60.0, gt=0, le=600, description="Per response read.")
    retry: RetryPolicy = Field(default_factory=RetryPolicy, description="Retries.")
    time_budget_seconds: int = Field(
        600,
        ge=10,
        le=840,
        description="A run still going after this fails cleanly (the function gets 60 s more).",
    )
    manifest_headers: list[str] = Field(
        default_factory=lambda: list(DEFAULT_MANIFEST_HEADERS),
        description="Response headers recorded in the run manifest.",
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("headers")
    @classmethod
    def _no_credentials_in_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name.lower() in ("authorization", "proxy-authorization", "cookie"):
                raise ValueError(f"header {name!r} carries credentials: use `auth` and a secret")
        return value

    @model_validator(mode="after")
    def _token_url_is_safe(self) -> ApiSettings:
        if isinstance(self.auth, OAuth2ClientCredentials):
            check_url(self.auth.token_url)
        return self

    def check_format(self, format_type: str) -> None:
        """Paging by the body needs a body Strata can read: JSON or NDJSON."""
        if format_type not in ("json", "ndjson"):
            if self.pagination.type in BODY_PAGINATION:
                raise ValueError(
                    f"pagination {self.pagination.type!r} reads the body: format must be json "
                    "or ndjson"
                )
            if self.records_path or self.incremental:
                raise ValueError("records_path and incremental need format json or ndjson")


def check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(f"{value!r}: use https (plain http only on loopback)")
    if parts.username or parts.password:
        raise ValueError("credentials in a URL: use `auth` and a secret")
    return value


# --------------------------------------------------------------------------- SFTP


class SftpSettings(StrictModel):
    """An SFTP server: matching files are streamed into raw, each once (a ledger remembers
    their path, size and modification time, and the SHA-256 of the bytes landed)."""

    host: str = Field(description="Server host name.")
    port: int = Field(22, ge=1, le=65535, description="Server port.")
    username: str = Field(description="Login name.")
    secret: str = Field(
        pattern=SECRET_NAME,
        description=(
            'Name of the secret: the password, or JSON `{"password": …}` or '
            '`{"private_key": "-----BEGIN …", "passphrase": …}`.'
        ),
    )
    host_keys: list[str] = Field(
        default_factory=list,
        description=(
            "The server's public host keys as in `known_hosts` (`ssh-ed25519 AAAA…`); any "
            "other key is refused."
        ),
    )
    allow_unknown_host_key: bool = Field(
        False,
        description="Accept any host key. Development only: refused when `STRATA_ENV` is prod.",
    )
    path: str = Field(".", description="Remote directory.")
    include: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Globs of paths (relative to `path`) to fetch; `*` also matches `/`.",
    )
    exclude: list[str] = Field(default_factory=list, description="Globs of paths to skip.")
    recursive: bool = Field(False, description="Descend into sub-directories.")
    detect_changes: Literal["stat", "checksum"] = Field(
        "stat",
        description=(
            "Which files to download: those whose path, size or modification time is new "
            "(`stat`), or every candidate (`checksum`, which also catches a re-delivery with "
            "the same size and time). Either way a download whose SHA-256 was landed already "
            "is recorded as a duplicate, not landed again."
        ),
    )
    settle_seconds: int = Field(
        60, ge=0, description="Skip files modified more recently (maybe still being written)."
    )
    stable_listing_seconds: int = Field(
        0,
        ge=0,
        le=300,
        description=(
            "List the folder twice this many seconds apart and take only the files whose size "
            "and modification time did not change (0: one listing). Compares the server with "
            "itself, so clock skew does not matter."
        ),
    )
    done_marker: str | None = Field(
        None,
        description=(
            "Land a file only once its marker exists beside it: `{name}.done` (after "
            "`a.csv`, `a.csv.done`) or `{stem}.ok` (`a.ok`). Markers are never landed, and "
            "are deleted or archived with their file."
        ),
    )
    after_success: Literal["keep", "delete", "archive"] = Field(
        "keep", description="What to do with a remote file once it is landed."
    )
    archive_path: str | None = Field(None, description="Remote folder, with `archive`.")
    timeout_seconds: float = Field(30.0, gt=0, le=300, description="Connect and read timeout.")
    max_files: int = Field(
        500, ge=1, description="Files landed per run at most; the rest next run."
    )
    time_budget_seconds: int = Field(
        600,
        ge=10,
        le=840,
        description="No new download starts after this (the function gets 60 s more).",
    )

    @field_validator("include", "exclude", mode="before")
    @classmethod
    def _one_glob_is_a_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("host_keys")
    @classmethod
    def _known_hosts_lines(cls, value: list[str]) -> list[str]:
        for key in value:
            if not HOST_KEY.match(key.strip()):
                raise ValueError(f"not a host key line (`ssh-ed25519 AAAA…`): {key[:40]!r}")
        return [key.strip() for key in value]

    @model_validator(mode="after")
    def _consistent(self) -> SftpSettings:
        if not self.host_keys and not self.allow_unknown_host_key:
            raise ValueError(
                "sftp needs `host_keys` (the server's public keys); "
                "`allow_unknown_host_key: true` is for development only"
            )
        if (self.after_success == "archive") != (self.archive_path is not None):
            raise ValueError("`archive_path` goes with `after_success: archive`, and only then")
        if self.stable_listing_seconds >= self.time_budget_seconds:
            raise ValueError("`stable_listing_seconds` must be shorter than the time budget")
        return self

    @field_validator("done_marker")
    @classmethod
    def _marker_names_its_file(cls, value: str | None) -> str | None:
        if value is None:
            return None
        rest = re.sub(r"\{(name|stem)\}", "", value)
        if rest == value or not rest or "{" in rest or "}" in rest or "/" in value:
            raise ValueError(
                "a done marker is a file name with `{name}` or `{stem}` (e.g. `{name}.done`), "
                "in the same folder as its file"
            )
        return value
