"""API ingestion against a real HTTP server on 127.0.0.1 (the sample vendor API): every
pagination style, auth type and retry path, and failures that queue nothing and move no
watermark."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from conftest import write_contract, write_secrets

import strata.ingest.api as api_module
from samples.servers.vendor_api import Credentials, Fault, sample_orders
from strata import progress
from strata.ingest.api import finish_committed_run, ingest_api, manifest_key
from strata.ingest.exceptions import (
    ApiResponseError,
    ApiUnavailableError,
    BudgetExhaustedError,
    PaginationError,
    RunInProgressError,
)
from strata.ingest.http import retry_after_seconds
from strata.ingest.ledger import ingest_pk
from strata.lake.keys import RawKey

ALL_IDS = [order["id"] for order in sample_orders()]
NO_WAIT = {"max_attempts": 4, "backoff_seconds": 0.01, "max_backoff_seconds": 0.05}
CREDS = Credentials()


def api_source(project_dir, url, fmt=None, **api):
    api.setdefault("retry", NO_WAIT)
    write_contract(
        project_dir, "vendor", kind="api", format=fmt or {"type": "json"}, api={"url": url, **api}
    )


def landed_ids(ctx, result):
    ids = []
    for key in result.raw_keys:
        body = ctx.ports.raw.get_bytes(key)
        if key.endswith(".ndjson"):
            records = [json.loads(line) for line in body.splitlines()]
        else:
            document = json.loads(body)
            records = document if isinstance(document, list) else document["data"]
        ids += [record["id"] for record in records]
    return ids


def pending(ctx):
    return sorted(item["raw_key"] for item in ctx.ports.state.query("pending#vendor"))


def watermark(ctx):
    return (ctx.ports.state.get(ingest_pk("vendor"), "watermark") or {}).get("value")


def manifest(ctx, run_id):
    return json.loads(ctx.ports.raw.get_bytes(manifest_key("vendor", run_id)))


def failed_run_id(ctx):
    (info,) = [i for i in ctx.ports.raw.list("vendor/_runs/")]
    return info.key.removeprefix("vendor/_runs/run_id=").removesuffix(".json")


def raw_text(ctx):
    """Every byte Strata wrote for the source: objects, metadata and manifests."""
    texts = [
        ctx.ports.raw.get_bytes(i.key).decode() + json.dumps(ctx.ports.raw.head(i.key).metadata)
        for i in ctx.ports.raw.list("vendor/")
    ]
    return "\n".join(texts)


# ----------------------------------------------------------------------------- pagination
PAGINATION = {
    "link_header": ("/v1/orders", {"type": "link_header"}, None, {"type": "json"}),
    "page_number": (
        "/v1/orders",
        {"type": "page_number", "size": 20},
        None,
        {"type": "json"},
    ),
    "offset": (
        "/v1/orders/offset",
        {"type": "offset", "limit": 25, "total_path": "total"},
        "data",
        {"type": "json"},
    ),
    "cursor": (
        "/v1/orders/cursor",
        {"type": "cursor", "cursor_path": "meta.next_cursor"},
        "data",
        {"type": "json"},
    ),
    "next_url": (
        "/v1/orders/next",
        {"type": "next_url", "next_url_path": "links.next"},
        "data",
        {"type": "json"},
    ),
    "ndjson_pages": (
        "/v1/orders.ndjson",
        {"type": "page_number", "size": 25},
        None,
        {"type": "ndjson"},
    ),
}


@pytest.mark.parametrize("style", PAGINATION, ids=list(PAGINATION))
def test_every_pagination_style_lands_every_record_exactly_once(
    ctx, project_dir, vendor_api, style
):
    path, pagination, records_path, fmt = PAGINATION[style]
    server = vendor_api()
    api_source(
        project_dir, server.url + path, fmt, pagination=pagination, records_path=records_path
    )

    result = ingest_api(ctx, "vendor")

    assert result.status == "completed"
    assert landed_ids(ctx, result) == ALL_IDS
    assert pending(ctx) == sorted(result.raw_keys)
    assert result.records == len(ALL_IDS)


def test_pages_land_as_received_with_metadata_and_a_manifest(ctx, project_dir, vendor_api):
    server = vendor_api(page_size=25)
    api_source(project_dir, server.url + "/v1/orders", pagination={"type": "link_header"})

    result = ingest_api(ctx, "vendor")

    first = result.raw_keys[0]
    assert RawKey.parse(first).name == "page-00001.json"
    assert RawKey.parse(first).run_id == result.run_id
    body = ctx.ports.raw.get_bytes(first)
    assert json.loads(body) == sample_orders()[:25]
    metadata = ctx.ports.raw.head(first).metadata
    assert metadata["strata-origin"] == server.url + "/v1/orders"
    assert metadata["strata-size"] == str(len(body)) and metadata["strata-page"] == "1"
    document = manifest(ctx, result.run_id)
    assert document["status"] == "completed" and document["records"] == 60
    assert [page["records"] for page in document["pages"]] == [25, 25, 10]
    assert document["pages"][1]["url"] == server.url + "/v1/orders?page=2"
    assert document["pages"][0]["headers"]["content-type"] == "application/json"


def test_a_single_request_source_uses_its_fixed_params(ctx, project_dir, vendor_api):
    server = vendor_api()
    api_source(project_dir, server.url + "/v1/orders", params={"per_page": "100"})

    result = ingest_api(ctx, "vendor")

    assert len(result.raw_keys) == 1 and landed_ids(ctx, result) == ALL_IDS
    assert server.requests[0]["query"] == {"per_page": "100"}


def test_an_empty_last_page_is_recorded_but_not_stored(ctx, project_dir, vendor_api):
    server = vendor_api()
    api_source(
        project_dir, server.url + "/v1/orders", pagination={"type": "page_number", "size": 30}
    )

    result = ingest_api(ctx, "vendor")

    assert [page.records for page in result.pages] == [30, 30, 0]
    assert len(result.raw_keys) == 2


def test_the_max_pages_guard_fails_the_run_and_queues_nothing(ctx, project_dir, vendor_api):
    server = vendor_api(page_size=10)
    api_source(
        project_dir, server.url + "/v1/orders", pagination={"type": "link_header"}, max_pages=3
    )

    with pytest.raises(PaginationError, match="max_pages=3"):
        ingest_api(ctx, "vendor")

    assert pending(ctx) == [] and watermark(ctx) is None
    assert manifest(ctx, failed_run_id(ctx))["status"] == "failed"


def test_a_cursor_that_never_changes_is_caught_as_a_loop(ctx, project_dir, vendor_api):
    server = vendor_api()
    stuck = json.dumps({"data": [{"id": 1}], "meta": {"next_cursor": "same"}}).encode()
    server.inject(Fault(status=200, body=stuck), times=None)
    api_source(
        project_dir,
        server.url + "/v1/orders/cursor",
        pagination={"type": "cursor", "cursor_path": "meta.next_cursor"},
        records_path="data",
    )

    with pytest.raises(PaginationError, match="repeats an earlier request"):
        ingest_api(ctx, "vendor")
    assert len(server.requests) == 2 and pending(ctx) == []


def test_a_next_url_on_another_origin_is_refused(ctx, project_dir, vendor_api):
    server = vendor_api(auth="bearer")
    write_secrets(project_dir, vendor_token=CREDS.token)
    elsewhere = json.dumps({"data": [], "links": {"next": "http://127.0.0.2:9/steal"}}).encode()
    server.inject(Fault(status=200, body=elsewhere))
    api_source(
        project_dir,
        server.url + "/v1/orders/next",
        pagination={"type": "next_url", "next_url_path": "links.next"},
        records_path="data",
        auth={"type": "bearer", "secret": "vendor_token"},
    )

    with pytest.raises(PaginationError, match="refusing to send credentials elsewhere"):
        ingest_api(ctx, "vendor")


# ----------------------------------------------------------------------------- auth
AUTH = {
    "bearer": ({"type": "bearer", "secret": "vendor"}, CREDS.token),
    "api_key_header": (
        {"type": "api_key", "secret": "vendor", "header": "X-API-Key"},
        CREDS.api_key,
    ),
    "api_key_query": (
        {"type": "api_key", "secret": "vendor", "query_param": "api_key"},
        CREDS.api_key,
    ),
    "basic": (
        {"type": "basic", "secret": "vendor"},
        {"username": CREDS.username, "password": CREDS.password},
    ),
    "oauth2": (
        {"type": "oauth2_client_credentials", "secret": "vendor", "scope": "orders:read"},
        {"client_id": CREDS.client_id, "client_secret": CREDS.client_secret},
    ),
}


@pytest.mark.parametrize("mode", AUTH, ids=list(AUTH))
def test_every_auth_type_reads_its_secret_and_never_writes_it(
    ctx, project_dir, vendor_api, mode, capfd
):
    server = vendor_api(auth=mode, page_size=25)
    auth, secret = AUTH[mode]
    if mode == "oauth2":
        auth = {**auth, "token_url": server.url + "/oauth/token"}
    write_secrets(project_dir, vendor=secret)
    api_source(
        project_dir, server.url + "/v1/orders", pagination={"type": "link_header"}, auth=auth
    )

    result = ingest_api(ctx, "vendor")

    assert landed_ids(ctx, result) == ALL_IDS
    written = raw_text(ctx) + json.dumps(result.summary()) + "".join(capfd.readouterr())
    for value in (
        CREDS.token,
        CREDS.api_key,
        CREDS.password,
        CREDS.client_secret,
        *server.issued_tokens,
    ):
        assert value not in written
    if mode == "api_key_query":
        pages = manifest(ctx, result.run_id)["pages"]
        assert pages[1]["url"] == server.url + "/v1/orders?page=2&api_key=***"
        assert all(r["query"]["api_key"] == CREDS.api_key for r in server.requests)


def test_oauth_client_credentials_can_go_in_the_body(ctx, project_dir, vendor_api):
    server = vendor_api(auth="oauth2")
    write_secrets(project_dir, vendor=AUTH["oauth2"][1])
    auth = {
        "type": "oauth2_client_credentials",
        "secret": "vendor",
        "token_url": server.url + "/oauth/token",
        "client_auth": "body",
    }
    api_source(project_dir, server.url + "/v1/orders", params={"per_page": "100"}, auth=auth)

    assert landed_ids(ctx, ingest_api(ctx, "vendor")) == ALL_IDS
    assert "Authorization" not in server.requests[0]["headers"]


def test_an_expired_oauth_token_is_renewed_once_mid_run(ctx, project_dir, vendor_api):
    server = vendor_api(auth="oauth2", page_size=25)
    write_secrets(project_dir, vendor=AUTH["oauth2"][1])
    auth = {**AUTH["oauth2"][0], "token_url": server.url + "/oauth/token"}
    api_source(
        project_dir, server.url + "/v1/orders", pagination={"type": "link_header"}, auth=auth
    )
    server.inject(Fault(status=401), when=lambda path, query: query.get("page") == "2")

    result = ingest_api(ctx, "vendor")

    assert landed_ids(ctx, result) == ALL_IDS
    assert [r["path"] for r in server.requests].count("/oauth/token") == 2


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_fail_the_run_clearly(ctx, project_dir, vendor_api, status):
    server = vendor_api(auth="bearer")
    write_secrets(project_dir, vendor="wrong-token")
    if status == 403:
        server.inject(Fault(status=403, body=b'{"error": "forbidden"}'))
    api_source(project_dir, server.url + "/v1/orders", auth={"type": "bearer", "secret": "vendor"})

    with pytest.raises(ApiResponseError, match=f"refused the credentials .*HTTP {status}"):
        ingest_api(ctx, "vendor")
    assert pending(ctx) == [] and "wrong-token" not in raw_text(ctx)


def test_a_missing_secret_is_named_not_guessed(ctx, project_dir, vendor_api):
    server = vendor_api(auth="bearer")
    api_source(project_dir, server.url + "/v1/orders", auth={"type": "bearer", "secret": "absent"})

    with pytest.raises(Exception, match="secret 'absent' not found"):
        ingest_api(ctx, "vendor")
    assert server.requests == []


def test_secrets_are_masked_in_connection_errors(ctx, project_dir, vendor_api):
    server = vendor_api(auth="api_key_query")
    write_secrets(project_dir, vendor=CREDS.api_key)
    api_source(
        project_dir,
        server.url + "/v1/orders",
        auth={"type": "api_key", "secret": "vendor", "query_param": "api_key"},
    )
    server.stop()

    with pytest.raises(ApiUnavailableError) as caught:
        ingest_api(ctx, "vendor")
    assert CREDS.api_key not in str(caught.value) and "after 4 attempt(s)" in str(caught.value)
    assert CREDS.api_key not in raw_text(ctx)


# ----------------------------------------------------------------------------- retries
class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def run_with_sleeps(ctx, **options):
    sleeps = Sleeps()
    return ingest_api(ctx, "vendor", sleep=sleeps, **options), sleeps


def test_429_with_retry_after_zero_waits_the_least_backoff_and_does_not_spin(
    ctx, project_dir, vendor_api
):
    server = vendor_api()
    server.inject(Fault(status=429, headers={"Retry-After": "0"}), times=2)
    api_source(project_dir, server.url + "/v1/orders", params={"per_page": "100"})

    result, sleeps = run_with_sleeps(ctx)

    assert landed_ids(ctx, result) == ALL_IDS
    assert sleeps == [0.01, 0.01] and len(server.requests) == 3


def test_retry_after_in_seconds_is_honoured(ctx, project_dir, vendor_api):
    server = vendor_api()
    server.inject(Fault(status=503, headers={"Retry-After": "7"}))
    api_source(project_dir, server.url + "/v1/orders", params={"per_page": "100"})

    heard: list[str] = []
    with progress.watching(heard.append):
        result, sleeps = run_with_sleeps(ctx)

    assert sleeps == [7.0] and result.status == "completed"
    assert len(heard) == 1 and "HTTP 503; retrying in 7 s (attempt 2 of" in heard[0]


def test_retry_after_as_an_http_date_is_honoured(ctx, project_dir, vendor_api):
    server = vendor_api()
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    server.inject(Fault(status=429, headers={"Retry-After": when}))
    api_source(project_dir, server.url + "/v1/orders", params={"per_page": "100"})

    _, sleeps = run_with_sleeps(ctx)

    assert len(sleeps) == 1 and 27 <= sleeps[0] <= 30


def test_retry_after_parsing():
    now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Tue, 24 Nov 2026 06:01:00 GMT", now) == 60.0
    assert retry_after_seconds("Tue, 24 Nov 2026 05:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_5xx_without_retry_after_backs_off_exponentially_with_jitter(ctx, project_dir, vendor_api):
    server = vendor_api()
    server.inject(Fault(status=502), times=3)
    api_source(
        project_dir,
        server.url + "/v1/orders",
        params={"per_page": "100"},
        retry={"max_attempts": 4, "backoff_seconds": 1, "max_backoff_seconds": 3},
    )

    result, sleeps = run_with_sleeps(ctx)

    assert result.status == "completed" and len(sleeps) == 3
    for wait, ceiling in zip(sleeps, [1, 2, 3], strict=True):
        assert ceiling / 2 <= wait <= ceiling


def test_dropped_connections_and_read_timeouts_are_retried(ctx, project_dir, vendor_api):
    server = vendor_api()
    server.inject(Fault(drop=True))
    server.inject(Fault(status=200, delay=1.0))
    api_source(
        project_dir,
        server.url + "/v1/orders",
        params={"per_page": "100"},
        read_timeout_seconds=0.3,
    )

    result, sleeps = run_with_sleeps(ctx)

    assert landed_ids(ctx, result) == ALL_IDS and len(sleeps) == 2


def test_retries_run_out_then_the_run_fails_and_nothing_counts(ctx, project_dir, vendor_api):
    server = vendor_api(page_size=25)
    server.inject(Fault(status=500), times=None, when=lambda path, query: query.get("page") == "3")
    api_source(project_dir, server.url + "/v1/orders", pagination={"type": "link_header"})

    with pytest.raises(ApiUnavailableError, match="HTTP 500 after 4 attempt"):
        run_with_sleeps(ctx)

    run_id = failed_run_id(ctx)
    document = manifest(ctx, run_id)
    assert document["status"] == "failed" and "ApiUnavailableError" in document["error"]
    assert len(document["pages"]) == 2 and pending(ctx) == [] and watermark(ctx) is None


def test_a_retry_after_beyond_the_time_budget_fails_at_once(ctx, project_dir, vendor_api):
    server = vendor_api()
    server.inject(Fault(status=429, headers={"Retry-After": "3600"}))
    api_source(project_dir, server.url + "/v1/orders", time_budget_seconds=60)

    with pytest.raises(BudgetExhaustedError, match="would pass the time budget"):
        run_with_sleeps(ctx)


def test_a_spent_budget_stops_the_run_before_the_next_request(ctx, project_dir, vendor_api):
    server = vendor_api()
    api_source(project_dir, server.url + "/v1/orders")

    with pytest.raises(BudgetExhaustedError, match="exhausted"):
        ingest_api(ctx, "vendor", budget_seconds=0)
    assert server.requests == []


# ----------------------------------------------------------------------------- bad responses
BAD = {
    "html_error_page": (
        Fault(status=200, body=b"<html><body>Maintenance</body></html>", content_type="text/html"),
        "HTML page",
    ),
    "invalid_json": (Fault(status=200, body=b'{"data": [1, 2'), "not valid JSON"),
    "missing_records_path": (Fault(status=200, body=b'{"items": []}'), "'data' holds nothing"),
    "not_found": (Fault(status=404), "unexpected HTTP status .*HTTP 404"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_responses_fail_the_run_clearly_and_move_nothing(ctx, project_dir, vendor_api, case):
    fault, message = BAD[case]
    server = vendor_api(page_size=20)
    server.inject(fault, when=lambda path, query: query.get("cursor") is not None)
    api_source(
        project_dir,
        server.url + "/v1/orders/cursor",
        pagination={"type": "cursor", "cursor_path": "meta.next_cursor"},
        records_path="data",
        incremental={
            "cursor_field": "updated_at",
            "param": "updated_since",
            "initial_value": "2026-01-01T00:00:00Z",
        },
    )

    with pytest.raises(ApiResponseError, match=message):
        ingest_api(ctx, "vendor")

    assert pending(ctx) == [] and watermark(ctx) is None
    assert manifest(ctx, failed_run_id(ctx))["status"] == "failed"
    server.clear_faults()
    assert landed_ids(ctx, ingest_api(ctx, "vendor")) == ALL_IDS


# ----------------------------------------------------------------------------- incremental
INCREMENTAL = {
    "cursor_field": "updated_at",
    "param": "updated_since",
    "initial_value": "2026-01-01T00:00:00Z",
}


def test_the_watermark_moves_only_after_a_complete_run_and_bounds_the_next(
    ctx, project_dir, vendor_api
):
    server = _incremental_orders(project_dir, vendor_api)

    first = ingest_api(ctx, "vendor")
    assert server.requests[0]["query"]["updated_since"] == "2026-01-01T00:00:00Z"
    assert watermark(ctx) == sample_orders()[-1]["updated_at"] == first.watermark_after

    second = ingest_api(ctx, "vendor")
    assert second.raw_keys == [] and second.records == 0
    assert server.requests[-1]["query"]["updated_since"] == sample_orders()[-1]["updated_at"]

    server.records.append({**sample_orders()[-1], "id": 9999, "updated_at": "2026-12-01T00:00:00Z"})
    third = ingest_api(ctx, "vendor")
    assert landed_ids(ctx, third) == [9999] and watermark(ctx) == "2026-12-01T00:00:00Z"
    assert len(pending(ctx)) == len(first.raw_keys) + 1


def test_the_lookback_window_is_subtracted_from_the_watermark(ctx, project_dir, vendor_api):
    server = vendor_api()
    api_source(
        project_dir,
        server.url + "/v1/orders",
        params={"per_page": "100"},
        incremental={**INCREMENTAL, "lookback": 3600},
    )
    ingest_api(ctx, "vendor")

    again = ingest_api(ctx, "vendor")

    last = datetime.fromisoformat(sample_orders()[-1]["updated_at"].replace("Z", "+00:00"))
    sent = server.requests[-1]["query"]["updated_since"]
    assert sent == (last - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert landed_ids(ctx, again) == [o["id"] for o in sample_orders() if o["updated_at"] > sent]


def test_integer_cursors_work_too(ctx, project_dir, vendor_api):
    server = vendor_api()
    api_source(
        project_dir,
        server.url + "/v1/orders",
        params={"per_page": "100"},
        incremental={
            "cursor_field": "id",
            "param": "since_id",
            "type": "integer",
            "initial_value": "0",
            "lookback": 5,
        },
    )
    ingest_api(ctx, "vendor")
    assert watermark(ctx) == str(ALL_IDS[-1])
    ingest_api(ctx, "vendor")
    assert server.requests[-1]["query"]["since_id"] == str(ALL_IDS[-1] - 5)


def test_a_commit_interrupted_before_queueing_is_finished_by_the_next_run(
    ctx, project_dir, vendor_api, monkeypatch
):
    _incremental_orders(project_dir, vendor_api)

    def crash(*args, **kwargs):
        raise RuntimeError("killed after the commit point")

    monkeypatch.setattr(api_module, "queue_for_conversion", crash)
    with pytest.raises(RuntimeError):
        ingest_api(ctx, "vendor")
    assert pending(ctx) == [] and watermark(ctx) is not None
    monkeypatch.undo()

    again = ingest_api(ctx, "vendor")

    assert again.raw_keys == [] and len(pending(ctx)) == 3
    assert finish_committed_run(ctx, "vendor") == 0


QUIET = {"capture_output": True, "text": True, "check": True}


def test_one_run_per_source_at_a_time_and_a_killed_runs_lock_is_taken_over_at_once(
    ctx, project_dir, vendor_api
):
    server = vendor_api()
    api_source(project_dir, server.url + "/v1/orders")
    # A run of this machine's live process holds the source; then that process is killed.
    holder = {
        "status": "claimed",
        "run_id": "other",
        "owner": ctx.ports.liveness.owner(),
        "lease_until": (datetime.now(UTC) + timedelta(minutes=5)).isoformat(),
        "token": "t",
    }
    ctx.ports.state.put(ingest_pk("vendor"), "lock", holder)

    with pytest.raises(RunInProgressError, match=r"run other \(process \d+"):
        ingest_api(ctx, "vendor")

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **QUIET)
    killed = f"pid:{int(dead.stdout)}@{socket.gethostname()}"
    ctx.ports.state.put(ingest_pk("vendor"), "lock", {**holder, "owner": killed})
    assert ingest_api(ctx, "vendor").status == "completed"
    assert ctx.ports.state.get(ingest_pk("vendor"), "lock") is None


# ----------------------------------------------------------------------------- redirects
def test_redirects_are_followed_on_the_same_origin_only(ctx, project_dir, vendor_api):
    server = vendor_api(auth="api_key_header")
    write_secrets(project_dir, vendor=CREDS.api_key)
    auth = {"type": "api_key", "secret": "vendor", "header": "X-API-Key"}
    api_source(project_dir, server.url + "/v1/old-orders", auth=auth)
    moved = "/v1/orders?per_page=100"
    server.inject(Fault(status=301, headers={"Location": moved}, body=b""))

    result = ingest_api(ctx, "vendor")
    assert landed_ids(ctx, result) == ALL_IDS

    server.inject(Fault(status=302, headers={"Location": "http://127.0.0.2:9/steal"}, body=b""))
    with pytest.raises(ApiResponseError, match=r"another origin: refusing .*HTTP 302"):
        ingest_api(ctx, "vendor")


def test_the_records_path_defaults_to_the_formats(ctx, project_dir, vendor_api):
    server = vendor_api()
    api_source(
        project_dir,
        server.url + "/v1/orders/offset",
        {"type": "json", "records_path": "data"},
        pagination={"type": "offset", "limit": 25},
    )

    assert ingest_api(ctx, "vendor").records == len(ALL_IDS)


def _incremental_orders(project_dir, vendor_api):
    """The vendor's orders, 25 per page by link header, fetched incrementally."""
    server = vendor_api(page_size=25)
    api_source(
        project_dir,
        server.url + "/v1/orders",
        pagination={"type": "link_header"},
        incremental=INCREMENTAL,
    )
    return server
