"""A small vendor REST API for the demo and the tests: marketplace orders behind every
pagination style and auth scheme Strata supports, on 127.0.0.1 only.

Endpoints (all filter with ``updated_since``, strictly after, and sort by ``updated_at, id``):

| Path | Pagination | Body |
| --- | --- | --- |
| ``/v1/orders`` | ``page`` + ``per_page``, and a ``Link: <…>; rel="next"`` header | a JSON array |
| ``/v1/orders/offset`` | ``offset`` + ``limit`` | ``{"data": [...], "total": n}`` |
| ``/v1/orders/cursor`` | ``cursor`` (opaque) | ``{"data": [...], "meta": {"next_cursor": …}}`` |
| ``/v1/orders/next`` | ``page`` | ``{"data": [...], "links": {"next": "<url>"}}`` |
| ``/v1/orders.ndjson`` | ``page`` + ``per_page`` | one JSON record per line |
| ``/oauth/token`` | | OAuth 2.0 client credentials (``POST``) |

Tests script failures with :meth:`VendorApi.inject` (a status, a body, a ``Retry-After``, a
dropped connection) and read what was asked in :attr:`VendorApi.requests`.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

AUTH_MODES = ("none", "bearer", "api_key_header", "api_key_query", "basic", "oauth2")


def sample_orders(count: int = 60) -> list[dict[str, Any]]:
    """Deterministic marketplace orders, updated one every 37 minutes from 1 Nov 2026."""
    start = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    statuses = ["placed", "shipped", "delivered", "cancelled"]
    return [
        {
            "id": 5000 + i,
            "updated_at": (start + timedelta(minutes=37 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "customer_id": f"C-{(i * 7) % 23:04d}",
            "status": statuses[i % len(statuses)],
            "amount": f"{(i * 13) % 200 + 9.5:.2f}",
            "currency": "EUR",
        }
        for i in range(count)
    ]


@dataclass
class Fault:
    """What to answer instead of the real response."""

    status: int = 503
    body: bytes = b'{"error": "unavailable"}'
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering
    delay: float = 0.0  # seconds before answering (read timeouts)


@dataclass
class Rule:
    fault: Fault
    times: int | None  # None: forever
    when: Callable[[str, dict[str, str]], bool]


@dataclass
class Credentials:
    token: str = "demo-token"
    api_key: str = "demo-key"
    username: str = "strata"
    password: str = "demo-password"
    client_id: str = "strata-client"
    client_secret: str = "demo-client-secret"


class VendorApi:
    def __init__(
        self,
        records: list[dict[str, Any]] | None = None,
        *,
        auth: str = "none",
        credentials: Credentials | None = None,
        port: int = 0,
        page_size: int = 25,
    ) -> None:
        if auth not in AUTH_MODES:
            raise ValueError(f"auth must be one of {AUTH_MODES}")
        self.records = list(records if records is not None else sample_orders())
        self.auth = auth
        self.credentials = credentials or Credentials()
        self.page_size = page_size
        self.requests: list[dict[str, Any]] = []
        self.issued_tokens: list[str] = []
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> VendorApi:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> VendorApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting -----------------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        *,
        times: int | None = 1,
        when: Callable[[str, dict[str, str]], bool] = lambda path, query: True,
    ) -> None:
        """Answer ``fault`` to the next ``times`` requests matching ``when(path, query)``."""
        with self._lock:
            self._rules.append(Rule(fault, times, when))

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()

    def revoke_tokens(self) -> None:
        with self._lock:
            self.issued_tokens.clear()

    def take_fault(self, path: str, query: dict[str, str]) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if rule.when(path, query):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self._rules.remove(rule)
                    return rule.fault
        return None

    # -- the API -------------------------------------------------------------------------

    def authorised(self, headers: Any, query: dict[str, str]) -> bool:
        creds, given = self.credentials, headers.get("Authorization", "")
        if self.auth == "none":
            return True
        if self.auth == "bearer":
            return given == f"Bearer {creds.token}"
        if self.auth == "api_key_header":
            return headers.get("X-API-Key") == creds.api_key
        if self.auth == "api_key_query":
            return query.get("api_key") == creds.api_key
        if self.auth == "basic":
            expected = base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
            return given == f"Basic {expected}"
        with self._lock:
            return given.removeprefix("Bearer ") in self.issued_tokens

    def issue_token(self, headers: Any, form: dict[str, str]) -> str | None:
        creds = self.credentials
        basic = base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode()
        by_header = headers.get("Authorization", "") == f"Basic {basic}"
        by_body = (form.get("client_id"), form.get("client_secret")) == (
            creds.client_id,
            creds.client_secret,
        )
        if form.get("grant_type") != "client_credentials" or not (by_header or by_body):
            return None
        token = secrets.token_urlsafe(16)
        with self._lock:
            self.issued_tokens.append(token)
        return token

    def select(self, query: dict[str, str]) -> list[dict[str, Any]]:
        since = query.get("updated_since")
        chosen = [r for r in self.records if not since or _after(r["updated_at"], since)]
        return sorted(chosen, key=lambda r: (r["updated_at"], r["id"]))

    def respond(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        records = self.select(query)
        size = int(query.get("per_page") or query.get("limit") or self.page_size)
        base = self.url + path
        if path in ("/v1/orders", "/v1/orders.ndjson", "/v1/orders/next"):
            page = int(query.get("page", "1"))
            chunk = records[(page - 1) * size : page * size]
            more = page * size < len(records)
            following = {**query, "page": str(page + 1)}
            next_url = f"{base}?{urlencode(following)}"
            if path == "/v1/orders.ndjson":
                body = "".join(json.dumps(r) + "\n" for r in chunk).encode()
                return 200, {"Content-Type": "application/x-ndjson"}, body
            if path == "/v1/orders/next":
                links = {"next": next_url if more else None}
                return 200, {}, json.dumps({"data": chunk, "links": links}).encode()
            headers = {"Link": f'<{next_url}>; rel="next"'} if more else {}
            return 200, headers, json.dumps(chunk).encode()
        if path == "/v1/orders/offset":
            offset = int(query.get("offset", "0"))
            chunk = records[offset : offset + size]
            return 200, {}, json.dumps({"data": chunk, "total": len(records)}).encode()
        if path == "/v1/orders/cursor":
            start = int(base64.urlsafe_b64decode(query["cursor"])) if query.get("cursor") else 0
            chunk = records[start : start + size]
            more = start + size < len(records)
            cursor = base64.urlsafe_b64encode(str(start + size).encode()).decode() if more else None
            meta = {"next_cursor": cursor}
            return 200, {}, json.dumps({"data": chunk, "meta": meta}).encode()
        return 404, {}, json.dumps({"error": "no such endpoint"}).encode()


def _after(value: str, since: str) -> bool:
    def parse(text: str) -> datetime:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    return parse(value) > parse(since)


def _handler_for(api: VendorApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return None

        def _query(self) -> tuple[str, dict[str, str]]:
            parts = urlsplit(self.path)
            return parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            headers = {"Content-Type": "application/json", **headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _record(self, path: str, query: dict[str, str]) -> None:
            with api._lock:
                api.requests.append(
                    {
                        "method": self.command,
                        "path": path,
                        "query": query,
                        "headers": dict(self.headers),
                    }
                )

        def _fault(self, path: str, query: dict[str, str]) -> bool:
            fault = api.take_fault(path, query)
            if fault is None:
                return False
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                self.close_connection = True
                self.connection.shutdown(2)
                return True
            self._send(
                fault.status, {"Content-Type": fault.content_type, **fault.headers}, fault.body
            )
            return True

        def do_GET(self) -> None:
            path, query = self._query()
            self._record(path, query)
            if self._fault(path, query):
                return
            if not api.authorised(self.headers, query):
                self._send(401, {}, b'{"error": "unauthorised"}')
                return
            self._send(*api.respond(path, query))

        def do_POST(self) -> None:
            path, query = self._query()
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            self._record(path, query)
            if self._fault(path, query):
                return
            token = api.issue_token(self.headers, form) if path == "/oauth/token" else None
            if token is None:
                self._send(401, {}, b'{"error": "invalid_client"}')
                return
            body = {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
            self._send(200, {}, json.dumps(body).encode())

    return Handler
