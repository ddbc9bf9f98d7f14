"""API ingestion: one run fetches every page of a source's endpoint and lands each response
body in raw as received (``page-00001.json``, …, under the run's folder), with a manifest.

A run counts only once it completes. Its pages are queued for conversion, and the incremental
watermark moves, in one commit after the last page is in raw:

1. pages land under ``<source>/ingest_date=…/run_id=<run>/`` (not yet queued);
2. the manifest lands in ``<source>/_runs/run_id=<run>.json``;
3. one state write records the new watermark and the run's prefix, marked "not queued";
4. the pages are queued for conversion; the state item is marked "queued".

A run failing before step 3 leaves its pages in raw but never queued, and the watermark where it
was: the next run fetches the same records again, and they reach cleansed once. A run dying
between 3 and 4 is finished by the next run, which queues the committed pages first.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from strata import progress
from strata.contracts.ingestion import ApiSettings
from strata.contracts.model import SourceContract
from strata.errors import ConfigError
from strata.ingest.auth import Authenticator, build_authenticator
from strata.ingest.cursor import highest, request_value
from strata.ingest.exceptions import ApiResponseError, PaginationError, SourceIngestError
from strata.ingest.http import Deadline, HttpClient, same_origin
from strata.ingest.ledger import ingest_pk, source_lock
from strata.ingest.pages import (
    NeedsRecords,
    PageRequest,
    ParsedPage,
    UnreadablePage,
    paginator_for,
    parse_page,
)
from strata.ingest.raw import queue_for_conversion, raw_metadata
from strata.ingest.redact import Redactor
from strata.lake import state_keys
from strata.lake.keys import new_run_id, raw_key
from strata.observability import logger
from strata.runtime import Context

WATERMARK = state_keys.INGEST_WATERMARK
# The lock outlives the budget by this much: a run killed by the Lambda timeout frees it then.
LOCK_MARGIN = timedelta(minutes=2)
EXTENSIONS = {"json": "json", "ndjson": "ndjson", "csv": "csv"}
ACCEPT = {"json": "application/json", "ndjson": "application/x-ndjson, application/json"}


def manifest_key(source: str, run_id: str) -> str:
    return f"{source}/_runs/run_id={run_id}.json"


@dataclass
class PageOutcome:
    number: int
    url: str
    status: int
    headers: dict[str, str]
    records: int | None
    bytes: int
    sha256: str
    raw_key: str | None  # None: an empty page, not stored


@dataclass
class ApiRunResult:
    source: str
    run_id: str
    status: str = "running"  # running | completed | failed
    started_at: str = ""
    finished_at: str | None = None
    url: str = ""
    watermark_before: str | None = None
    watermark_after: str | None = None
    pages: list[PageOutcome] = field(default_factory=list)
    requests: int = 0
    error: str | None = None
    manifest_key: str | None = None

    @property
    def raw_keys(self) -> list[str]:
        return [page.raw_key for page in self.pages if page.raw_key]

    @property
    def records(self) -> int:
        return sum(page.records or 0 for page in self.pages)

    @property
    def bytes(self) -> int:
        return sum(page.bytes for page in self.pages if page.raw_key)

    def manifest(self) -> dict[str, Any]:
        document = asdict(self)
        document.update(kind="api", records=self.records, bytes=self.bytes)
        return document

    def summary(self) -> dict[str, Any]:
        """What the function returns and logs: no page list, no headers."""
        return {
            "source": self.source,
            "run_id": self.run_id,
            "status": self.status,
            "pages": len(self.pages),
            "pages_landed": len(self.raw_keys),
            "records": self.records,
            "bytes": self.bytes,
            "watermark": self.watermark_after,
            "manifest_key": self.manifest_key,
            **({"error": self.error} if self.error else {}),
        }


def ingest_api(
    ctx: Context,
    source: str,
    *,
    budget_seconds: float | None = None,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: datetime | None = None,
) -> ApiRunResult:
    """Run one ingestion of an API source; raises a SourceIngestError when the run fails (its
    manifest says so, nothing of it is queued and the watermark stays)."""
    contract = ctx.project.contract(source)
    if contract.api is None:
        raise ConfigError(f"kind {contract.kind!r}, not api", file=f"sources/{source}.yaml")
    started = now or datetime.now(UTC)
    budget = float(contract.api.time_budget_seconds)
    if budget_seconds is not None:
        budget = min(budget, budget_seconds)
    run = ApiRun(ctx, contract, new_run_id(started), started, Deadline(budget), session, sleep)
    hold = timedelta(seconds=budget) + LOCK_MARGIN
    with source_lock(ctx.ports.state, source, run.result.run_id, started, hold, ctx.ports.liveness):
        finish_committed_run(ctx, source)
        return run.execute()


def finish_committed_run(ctx: Context, source: str) -> int:
    """Queue the pages of a committed run that died before queueing them; returns how many."""
    state = ctx.ports.state
    item = state.get(ingest_pk(source), WATERMARK)
    if not item or item.get("queued") or not item.get("run_prefix"):
        return 0
    received = datetime.fromisoformat(item["committed_at"])
    keys = [info.key for info in ctx.ports.raw.list(item["run_prefix"])]
    for key in keys:
        queue_for_conversion(state, source, key, received)
    state.put(ingest_pk(source), WATERMARK, {**item, "queued": True})
    logger.warning("queued the pages of an interrupted commit", extra={"pages": len(keys)})
    return len(keys)


class ApiRun:
    def __init__(
        self,
        ctx: Context,
        contract: SourceContract,
        run_id: str,
        started: datetime,
        deadline: Deadline,
        session: requests.Session | None,
        sleep: Callable[[float], None],
    ) -> None:
        self.ctx = ctx
        self.contract = contract
        self.settings: ApiSettings = contract.api  # type: ignore[assignment]
        self.started = started
        self.redactor = Redactor()
        self.http = HttpClient(
            source=contract.name,
            retry=self.settings.retry,
            connect_timeout=self.settings.connect_timeout_seconds,
            read_timeout=self.settings.read_timeout_seconds,
            deadline=deadline,
            redactor=self.redactor,
            session=session or requests.Session(),
            sleep=sleep,
        )
        self.result = ApiRunResult(
            source=contract.name,
            run_id=run_id,
            started_at=started.isoformat(),
            url=self.settings.url,
            manifest_key=manifest_key(contract.name, run_id),
        )
        self.auth: Authenticator | None = None

    @property
    def source(self) -> str:
        return self.contract.name

    @property
    def records_path(self) -> str | None:
        """Where the records are in a page: the api block's path, else the format's."""
        return self.settings.records_path or getattr(self.contract.format, "records_path", None)

    def execute(self) -> ApiRunResult:
        state = self.ctx.ports.state
        committed = state.get(ingest_pk(self.source), WATERMARK) or {}
        self.result.watermark_before = committed.get("value")
        try:
            self.auth = build_authenticator(
                self.settings.auth, self.ctx.ports.secrets, self.http, self.source
            )
            self.result.url = self.redactor.url(self.settings.url)
            watermark = self._fetch_all(self.result.watermark_before)
        except Exception as exc:
            self._fail(exc)
            raise
        self.result.watermark_after = watermark
        self._commit()
        return self.result

    # -- fetching ------------------------------------------------------------------------

    def _fetch_all(self, watermark: str | None) -> str | None:
        params = dict(self.settings.params)
        incremental = self.settings.incremental
        if incremental:
            params[incremental.param] = request_value(incremental, watermark)
        paginator = paginator_for(self.settings, params)
        request: PageRequest | None = paginator.first()
        seen: set[Any] = set()
        # The page count is unknown until the last page: a count and a rate, no ETA.
        with progress.task(f"api:{self.source}", f"fetch {self.source}", unit="pages") as step:
            for number in itertools.count(1):
                if request is None:
                    break
                self._check_next(request, number, seen)
                response, page = self._fetch(request)
                if incremental:
                    if page.records is None:
                        raise self._error(
                            "incremental needs the records: set records_path", response
                        )
                    watermark = highest(incremental, page.records, watermark)
                self._land(number, response, page)
                step(1)
                try:
                    request = paginator.next(request, response, page)
                except NeedsRecords as exc:
                    raise self._error(str(exc), response) from None
        return watermark

    def _check_next(self, request: PageRequest, number: int, seen: set[Any]) -> None:
        shown = self.redactor.url(request.url)
        if number > self.settings.max_pages:
            raise PaginationError(
                f"still paginating after max_pages={self.settings.max_pages}", source=self.source
            )
        if request.key() in seen:
            raise PaginationError(
                f"page {number} repeats an earlier request ({shown})", source=self.source
            )
        if not same_origin(self.settings.url, request.url):
            raise PaginationError(
                f"the next page ({shown}) is not on {self.result.url}: refusing to send "
                "credentials elsewhere",
                source=self.source,
            )
        seen.add(request.key())

    def _fetch(self, page_request: PageRequest) -> tuple[requests.Response, ParsedPage]:
        response = self._send(page_request)
        if response.status_code in (401, 403):
            raise self._error("the API refused the credentials", response)
        if not 200 <= response.status_code < 300:
            raise self._error("unexpected HTTP status", response)
        if response.status_code == 204:
            return response, ParsedPage(records=[])
        try:
            page = parse_page(
                response.content,
                self.contract.format.type,
                self.records_path,
                response.headers.get("Content-Type", ""),
            )
        except UnreadablePage as exc:
            raise self._error(str(exc), response) from None
        return response, page

    def _send(self, page_request: PageRequest) -> requests.Response:
        assert self.auth is not None
        for attempt in (1, 2):
            request = requests.Request(
                "GET",
                page_request.url,
                params=dict(page_request.params),
                headers={
                    "Accept": ACCEPT.get(self.contract.format.type, "*/*"),
                    **self.settings.headers,
                },
            )
            self.auth.apply(request)
            response = self.http.send(request)
            self.result.requests = self.http.attempts_made
            if response.status_code != 401 or attempt == 2 or not self.auth.renew():
                return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, message: str, response: requests.Response) -> ApiResponseError:
        return ApiResponseError(
            message,
            source=self.source,
            url=self.redactor.url(response.url or ""),
            status=response.status_code,
        )

    # -- landing -------------------------------------------------------------------------

    def _land(self, number: int, response: requests.Response, page: ParsedPage) -> None:
        body = response.content
        url = self.redactor.url(response.url or "")
        digest = hashlib.sha256(body).hexdigest()
        outcome = PageOutcome(
            number=number,
            url=url,
            status=response.status_code,
            headers=self._headers(response),
            records=None if page.records is None else len(page.records),
            bytes=len(body),
            sha256=digest,
            raw_key=None,
        )
        if page.records != []:  # an empty page holds no data: recorded, not stored
            name = f"page-{number:05d}.{EXTENSIONS.get(self.contract.format.type, 'bin')}"
            key = raw_key(self.source, self.started, self.result.run_id, name)
            received = datetime.now(UTC)
            metadata = raw_metadata(
                source=self.source,
                run_id=self.result.run_id,
                received_at=received,
                sha256=digest,
                size=len(body),
                origin=url,
            )
            self.ctx.ports.raw.put_bytes(key, body, {**metadata, "strata-page": str(number)})
            outcome.raw_key = key
        self.result.pages.append(outcome)
        logger.info(
            "page fetched",
            extra={
                "page": number,
                "url": url,
                "records": outcome.records,
                "raw_key": outcome.raw_key,
            },
        )

    def _headers(self, response: requests.Response) -> dict[str, str]:
        wanted = [name.lower() for name in self.settings.manifest_headers]
        return {
            name: self.redactor.text(response.headers[name])
            for name in wanted
            if name in response.headers
        }

    # -- committing ----------------------------------------------------------------------

    def _write_manifest(self) -> None:
        self.result.finished_at = datetime.now(UTC).isoformat()
        body = json.dumps(self.result.manifest(), indent=2, sort_keys=True).encode("utf-8")
        self.ctx.ports.raw.put_bytes(self.result.manifest_key or "", body)

    def _commit(self) -> None:
        state, pk = self.ctx.ports.state, ingest_pk(self.source)
        self.result.status = "completed"
        self._write_manifest()
        keys = self.result.raw_keys
        prefix = keys[0].rsplit("/", 1)[0] + "/" if keys else None
        item = {
            "value": self.result.watermark_after,
            "run_id": self.result.run_id,
            "run_prefix": prefix,
            "committed_at": self.started.isoformat(),
            "queued": not keys,
        }
        state.put(pk, WATERMARK, item)  # the commit point
        for key in keys:
            queue_for_conversion(state, self.source, key, self.started)
        if keys:
            state.put(pk, WATERMARK, {**item, "queued": True})

    def _fail(self, exc: BaseException) -> None:
        self.result.status = "failed"
        self.result.error = f"{type(exc).__name__}: {self.redactor.text(str(exc))}"
        if not isinstance(exc, SourceIngestError):
            logger.warning("API run failed", extra={"error": self.result.error})
        try:
            self._write_manifest()
        except Exception:  # the run's own error matters more than its manifest's
            logger.exception("could not write the manifest of a failed run")
