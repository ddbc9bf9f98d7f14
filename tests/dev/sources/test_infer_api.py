"""GIVEN a vendor API on 127.0.0.1 WHEN a contract is inferred from one response THEN the
records are found beside the paging facts, the pagination the response shows is proposed for
review, the auth options are written, and the response converts with the contract."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests
import yaml
from infer_helpers import convert

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from samples.servers.vendor_api import VendorApi  # noqa: E402

TOKEN_ENV = {"STRATA_SECRET_VENDOR_TOKEN": "demo-token"}


@pytest.fixture
def vendor_api():
    with VendorApi(auth="bearer") as server:
        yield server


def test_cursor_api_response_gives_records_path_cursor_pagination_and_bearer_auth(
    infer, vendor_api, tmp_path
):
    url = f"{vendor_api.url}/v1/orders/cursor"
    auth = {"type": "bearer", "secret": "vendor_token"}
    written = infer("vendor_orders", "api", url, auth=auth, env=TOKEN_ENV)
    body = yaml.safe_load(written.contract.read_text(encoding="utf-8"))
    assert body["api"] == {
        "url": url,
        "auth": auth,
        "pagination": {"type": "cursor", "cursor_path": "meta.next_cursor"},
    }
    assert body["format"]["records_path"] == "data"
    columns = {column["name"]: column["type"] for column in body["schema"]}
    assert columns == {
        "id": "int",
        "updated_at": "timestamptz",
        "customer_id": "string",
        "status": "string",
        "amount": "decimal(12,2)",
        "currency": "string",
    }
    assert body["primary_key"] == ["id"]
    flagged = [text for _, text in written.flagged]
    assert "pagination: the response carries a cursor at meta.next_cursor" in flagged
    assert vendor_api.requests[0]["headers"]["Authorization"] == "Bearer demo-token"
    page = tmp_path / "page.json"
    response = requests.get(url, headers={"Authorization": "Bearer demo-token"}, timeout=10)
    page.write_bytes(response.content)
    result = convert(written, page, tmp_path / "out")
    assert (result.rows_in, result.rows_quarantined) == (25, 0)


def test_link_header_api_with_explicit_pagination_keeps_the_option(infer, vendor_api):
    written = infer(
        "vendor_list",
        "api",
        f"{vendor_api.url}/v1/orders",
        auth={"type": "bearer", "secret": "vendor_token"},
        pagination={"type": "link_header"},
        params={"per_page": "10"},
        env=TOKEN_ENV,
    )
    body = yaml.safe_load(written.contract.read_text(encoding="utf-8"))
    assert body["api"]["pagination"] == {"type": "link_header"}
    assert body["api"]["params"] == {"per_page": "10"}
    assert vendor_api.requests[-1]["query"]["per_page"] == "10"
    assert written.inference.rows == 10
    assert "records_path" not in body["format"]  # the body is the list itself
    assert not any(text.startswith("pagination") for _, text in written.flagged)


def test_a_refused_request_is_a_clear_error(infer, vendor_api):
    from strata_dev.sources.sample import SampleError

    with pytest.raises(SampleError, match="the API answered HTTP 401"):
        infer("vendor_orders", "api", f"{vendor_api.url}/v1/orders/cursor")
