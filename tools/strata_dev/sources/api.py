"""A sample from an API: one response, fetched with the API ingestion's own HTTP client and
authentication, saved as the page a run would land; and the pagination the response hints at
when none is given."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from strata.contracts.ingestion import ApiSettings
from strata.errors import StrataError
from strata.secrets.base import SecretStore
from strata_dev.sources.guess import Note
from strata_dev.sources.sample import Sample, SampleError, open_sample

SAMPLE_SECONDS = 60.0  # the whole fetch, retries included
NEXT_LINK = re.compile(r'<[^>]+>\s*;\s*rel="?next"?', re.IGNORECASE)
CURSOR_KEYS = ("next_cursor", "cursor", "next_page_token", "nextPageToken", "after")
NEXT_URL_KEYS = ("next", "next_url", "nextUrl", "next_page_url")


def settings_for(
    url: str, auth: dict[str, Any], pagination: dict[str, Any], params: dict[str, str]
) -> Any:
    """The contract's ``api:`` block as the options give it (checked by the contract model)."""
    from pydantic import ValidationError

    body = {"url": url, "auth": auth, "pagination": pagination, "params": params}
    try:
        return ApiSettings.model_validate(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise SampleError(url, f"the API options are not valid: {problems}") from None


def fetch_sample(
    name: str, settings: ApiSettings, secrets: SecretStore, scratch: Path
) -> tuple[Sample, dict[str, str]]:
    """One response of the API, as a sample; and its headers."""
    import requests

    from strata.ingest.auth import build_authenticator
    from strata.ingest.http import Deadline, HttpClient
    from strata.ingest.redact import Redactor

    http = HttpClient(
        source=name,
        retry=settings.retry.model_copy(update={"max_attempts": 2}),
        connect_timeout=settings.connect_timeout_seconds,
        read_timeout=settings.read_timeout_seconds,
        deadline=Deadline(SAMPLE_SECONDS),
        redactor=Redactor(),
    )
    shown = http.redactor.url(settings.url)
    try:
        authenticator = build_authenticator(settings.auth, secrets, http, name)
        request = requests.Request("GET", settings.url, params=settings.params)
        authenticator.apply(request)
        response = http.send(request)
    except StrataError as exc:
        raise SampleError(shown, str(exc)) from None
    if response.status_code >= 400:
        raise SampleError(shown, f"the API answered HTTP {response.status_code}")
    scratch.mkdir(parents=True, exist_ok=True)
    ndjson = "ndjson" in response.headers.get("content-type", "")
    body = scratch / ("response.ndjson" if ndjson else "response.json")
    body.write_bytes(response.content)
    sample = open_sample(body, scratch / "sample", origin=shown)
    return sample, dict(response.headers)


def pagination_hint(
    sample: Sample, headers: dict[str, str], records_path: str | None
) -> tuple[dict[str, Any], Note]:
    """The pagination the response suggests: a ``Link: rel="next"`` header, a cursor or a next
    URL in the body beside the records; none when nothing says more pages follow."""
    if NEXT_LINK.search(headers.get("Link", "") or headers.get("link", "")):
        return {"type": "link_header"}, Note(
            'pagination: the response has a Link rel="next" header', review=True
        )
    document: Any = None
    if sample.format == "json":
        document = json.loads(sample.path.read_text(encoding="utf-8-sig"))
    found = _find(document, records_path or "")
    if found:
        return found
    return {"type": "none"}, Note(
        "pagination: nothing in the response names a next page; one request per run "
        "(use --pagination if the API has more pages)",
        review=True,
    )


def _find(document: Any, records_path: str) -> tuple[dict[str, Any], Note] | None:
    if not isinstance(document, dict):
        return None
    paths = dict(_leaves(document, "", records_path))
    has_more = next((p for p in paths if p.rsplit(".", 1)[-1] == "has_more"), None)
    for path, value in paths.items():
        key = path.rsplit(".", 1)[-1]
        if key in CURSOR_KEYS and isinstance(value, str | int):
            block: dict[str, Any] = {"type": "cursor", "cursor_path": path}
            if has_more:
                block["has_more_path"] = has_more
            return block, Note(f"pagination: the response carries a cursor at {path}", True)
        if key in NEXT_URL_KEYS and isinstance(value, str) and value.startswith("http"):
            return {"type": "next_url", "next_url_path": path}, Note(
                f"pagination: the response carries the next page's URL at {path}", True
            )
    return None


def _leaves(document: dict[str, Any], prefix: str, skip: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for key, value in document.items():
        path = f"{prefix}.{key}" if prefix else key
        if path == skip:
            continue
        if isinstance(value, dict):
            found += _leaves(value, path, skip)
        else:
            found.append((path, value))
    return found
