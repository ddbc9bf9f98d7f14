"""HTTP for API ingestion: every request has timeouts, runs inside the run's time budget, and
is retried with exponential backoff and jitter on connection errors, timeouts, 429 and 5xx,
honouring ``Retry-After`` (seconds or an HTTP date).

``Retry-After: 0`` (or a date in the past) waits the policy's first backoff, never zero: a
server that keeps answering "now" cannot make the client spin, and attempts are bounded.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from strata import progress
from strata.contracts.ingestion import RetryPolicy
from strata.ingest.exceptions import ApiResponseError, ApiUnavailableError, BudgetExhaustedError
from strata.ingest.redact import Redactor

MAX_REDIRECTS = 5
RETRIED_EXCEPTIONS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class Deadline:
    """A time budget: what is left of it, on a monotonic clock."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._end = clock() + seconds
        self.seconds = seconds

    def remaining(self) -> float:
        return self._end - self._clock()

    def check(self, source: str, doing: str) -> None:
        if self.remaining() <= 0:
            raise BudgetExhaustedError(
                f"time budget of {self.seconds:.0f} s exhausted before {doing}", source=source
            )


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 9110); None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class HttpClient:
    """Sends prepared requests for one source's run. Pass ``session`` and ``sleep`` in tests."""

    source: str
    retry: RetryPolicy
    connect_timeout: float
    read_timeout: float
    deadline: Deadline
    redactor: Redactor
    session: requests.Session = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = random.random
    attempts_made: int = 0

    def send(self, request: requests.Request) -> requests.Response:
        """The first response that is not retryable, or ApiUnavailableError after the last
        attempt. Statuses outside the retry list (401, 404, …) are returned to the caller."""
        prepared = self.session.prepare_request(request)
        shown = self.redactor.url(prepared.url or "")
        problem = ""
        for attempt in range(1, self.retry.max_attempts + 1):
            self.deadline.check(self.source, f"requesting {shown}")
            self.attempts_made += 1
            try:
                response = self._send_following_redirects(prepared)
            except RETRIED_EXCEPTIONS as exc:
                problem = f"{type(exc).__name__}: {self.redactor.text(str(exc))}"
                wait = self._backoff(attempt)
            else:
                if response.status_code not in self.retry.statuses:
                    return response
                problem = f"HTTP {response.status_code}"
                wait = self._wait_after(response, attempt)
                response.close()
            if attempt == self.retry.max_attempts:
                break
            if wait >= self.deadline.remaining():
                raise BudgetExhaustedError(
                    f"{shown}: {problem}; waiting {wait:.1f} s to retry would pass the time budget",
                    source=self.source,
                )
            progress.notify(
                f"{self.source}: {shown}: {problem}; retrying in {wait:.0f} s "
                f"(attempt {attempt + 1} of {self.retry.max_attempts})"
            )
            self.sleep(wait)
        raise ApiUnavailableError(
            f"{shown}: {problem} after {self.retry.max_attempts} attempt(s)", source=self.source
        )

    def _send_following_redirects(self, prepared: requests.PreparedRequest) -> requests.Response:
        """Follow redirects on the request's own origin only: a redirect elsewhere would carry
        credentials (an API key header, a token) to a host the contract does not name."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.send(prepared, timeout=self._timeouts(), allow_redirects=False)
            target = self.session.get_redirect_target(response)
            if not target:
                return response
            following = urljoin(response.url, target)
            if not same_origin(prepared.url or "", following):
                raise ApiResponseError(
                    f"redirected to {self.redactor.url(following)}, another origin: refusing "
                    "to send credentials there",
                    source=self.source,
                    url=self.redactor.url(prepared.url or ""),
                    status=response.status_code,
                )
            response.close()
            prepared = prepared.copy()
            prepared.prepare_url(following, None)
            if response.status_code == 303:
                prepared.method, prepared.body = "GET", None
        raise ApiUnavailableError(
            f"more than {MAX_REDIRECTS} redirects from {self.redactor.url(prepared.url or '')}",
            source=self.source,
        )

    def _timeouts(self) -> tuple[float, float]:
        left = max(0.001, self.deadline.remaining())
        return (min(self.connect_timeout, left), min(self.read_timeout, left))

    def _backoff(self, attempt: int) -> float:
        """Exponential, capped, with jitter over its upper half (never ~0: no hammering)."""
        ceiling = min(
            self.retry.max_backoff_seconds, self.retry.backoff_seconds * 2 ** (attempt - 1)
        )
        return ceiling / 2 + self.random() * ceiling / 2

    def _wait_after(self, response: requests.Response, attempt: int) -> float:
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is None:
            return self._backoff(attempt)
        return max(asked, self.retry.backoff_seconds)


def same_origin(url: str, other: str) -> bool:
    """Same scheme, host and port (default ports filled in)."""
    default = {"http": 80, "https": 443}
    a, b = urlsplit(url), urlsplit(other)
    return (a.scheme, a.hostname, a.port or default.get(a.scheme)) == (
        b.scheme,
        b.hostname,
        b.port or default.get(b.scheme),
    )
