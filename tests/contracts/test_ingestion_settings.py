"""The api/sftp settings blocks: safe defaults, and the cross-field checks a contract must pass."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from strata.contracts.ingestion import (
    ApiKeyAuth,
    CursorPagination,
    NoAuth,
    NoPagination,
    OAuth2ClientCredentials,
)
from strata.contracts.model import SourceContract

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

BASE: dict[str, Any] = {
    "name": "vendor",
    "description": "A vendor's records.",
    "owner": "data@example.com",
    "format": {"type": "json"},
    "schema": [{"name": "id", "type": "bigint"}, {"name": "updated_at", "type": "timestamp"}],
}


def api_contract(**api: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(kind="api", api={"url": "https://api.example.com/v1/items", **api})
    return data


def sftp_contract(**sftp: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(
        kind="sftp",
        format={"type": "csv"},
        sftp={"host": "sftp.example.com", "username": "u", "secret": "s", **sftp},
    )
    return data


def error(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        SourceContract.model_validate(data)
    return str(caught.value)


def test_an_api_block_defaults_to_no_auth_one_page_and_bounded_retries():
    api = SourceContract.model_validate(api_contract()).api
    assert isinstance(api.auth, NoAuth) and isinstance(api.pagination, NoPagination)
    assert api.retry.max_attempts == 5 and 429 in api.retry.statuses
    assert api.max_pages == 1000 and api.time_budget_seconds == 600


def test_auth_and_pagination_are_chosen_by_their_type():
    api = SourceContract.model_validate(
        api_contract(
            auth={"type": "api_key", "secret": "vendor_key", "query_param": "api_key"},
            pagination={"type": "cursor", "cursor_path": "meta.next"},
        )
    ).api
    assert isinstance(api.auth, ApiKeyAuth) and api.auth.query_param == "api_key"
    assert isinstance(api.pagination, CursorPagination)


def test_an_api_key_goes_in_exactly_one_place():
    both = {"type": "api_key", "secret": "k", "header": "X-Key", "query_param": "key"}
    assert "exactly one of `header` or `query_param`" in error(api_contract(auth=both))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://api.example.com/x", "use https"),
        ("ftp://api.example.com/x", "not an http(s) URL"),
        ("https://user:pw@api.example.com/x", "credentials in a URL"),
    ],
)
def test_urls_must_be_https_without_credentials(url, message):
    assert message in error(api_contract(url=url))


def test_plain_http_is_allowed_on_loopback_only():
    assert SourceContract.model_validate(api_contract(url="http://127.0.0.1:8080/x")).api


def test_the_oauth_token_url_is_checked_too():
    auth = {
        "type": "oauth2_client_credentials",
        "token_url": "http://idp.example.com/t",
        "secret": "c",
    }
    assert "use https" in error(api_contract(auth=auth))
    auth["token_url"] = "https://idp.example.com/t"
    parsed = SourceContract.model_validate(api_contract(auth=auth)).api
    assert isinstance(parsed.auth, OAuth2ClientCredentials)


def test_credentials_may_not_hide_in_fixed_headers():
    assert "use `auth` and a secret" in error(api_contract(headers={"Authorization": "x"}))


def test_body_pagination_needs_a_json_body():
    data = api_contract(pagination={"type": "next_url", "next_url_path": "links.next"})
    data["format"] = {"type": "csv"}
    assert "format must be json or ndjson" in error(data)


def test_an_sftp_block_requires_a_host_key_unless_explicitly_opted_out():
    assert "sftp needs `host_keys`" in error(sftp_contract())
    assert SourceContract.model_validate(sftp_contract(allow_unknown_host_key=True)).sftp


def test_sftp_host_keys_are_known_hosts_lines():
    assert "not a host key line" in error(sftp_contract(host_keys=["AAAA"]))
    sftp = SourceContract.model_validate(sftp_contract(host_keys=[HOST_KEY], include="*.csv")).sftp
    assert sftp.host_keys == [HOST_KEY] and sftp.include == ["*.csv"]
    assert sftp.detect_changes == "stat" and sftp.settle_seconds == 60


def test_archive_path_goes_with_archive():
    assert "`archive_path`" in error(sftp_contract(host_keys=[HOST_KEY], after_success="archive"))
    ok = sftp_contract(host_keys=[HOST_KEY], after_success="archive", archive_path="done")
    assert SourceContract.model_validate(ok).sftp.archive_path == "done"
