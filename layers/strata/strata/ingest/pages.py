"""Reading API pages: the body parsed per the contract's format, its records found, and the
next page's request worked out per pagination style.

A page is read only to count its records, find the next page and the incremental cursor: the
bytes that land in raw are the body exactly as received.
"""

from __future__ import annotations

import abc
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests

from strata.contracts.ingestion import (
    ApiSettings,
    CursorPagination,
    LinkHeaderPagination,
    NextUrlPagination,
    NoPagination,
    OffsetPagination,
    PageNumberPagination,
)

MISSING = object()


class UnreadablePage(ValueError):
    """The body is not what the contract says a page is; the message says why."""


def get_path(document: Any, path: str) -> Any:
    """The value at a dotted path (``meta.next``, ``data.0.id``), or MISSING."""
    value = document
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


@dataclass
class ParsedPage:
    document: Any = None  # the parsed JSON (None for bodies Strata does not parse)
    records: list[Any] | None = None  # None: the count is unknown (no records to find)


def parse_page(
    body: bytes, format_type: str, records_path: str | None, content_type: str
) -> ParsedPage:
    if "text/html" in content_type.lower() or body.lstrip()[:1] == b"<":
        raise UnreadablePage("the body is an HTML page, not data")
    if format_type == "ndjson":
        try:
            records = [json.loads(line) for line in body.splitlines() if line.strip()]
        except ValueError as exc:
            raise UnreadablePage(f"a line is not valid JSON ({exc})") from None
        return ParsedPage(document=records, records=records)
    if format_type != "json":
        return ParsedPage()
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise UnreadablePage(f"the body is not valid JSON ({exc})") from None
    if records_path:
        records = get_path(document, records_path)
        if not isinstance(records, list):
            found = "nothing" if records is MISSING else type(records).__name__
            raise UnreadablePage(f"records_path {records_path!r} holds {found}, not a list")
        return ParsedPage(document=document, records=records)
    return ParsedPage(document=document, records=document if isinstance(document, list) else None)


@dataclass(frozen=True)
class PageRequest:
    url: str
    params: dict[str, str] = field(default_factory=dict)

    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return self.url, tuple(sorted(self.params.items()))


class NeedsRecords(ValueError):
    """The pagination style needs to count records, and the page has none to count."""


class Paginator(abc.ABC):
    config: Any  # the contract's pagination block; subclasses narrow its type

    def __init__(self, settings: ApiSettings, params: dict[str, str]) -> None:
        self.settings = settings
        self.params = params
        self.config = settings.pagination

    def first(self) -> PageRequest:
        return PageRequest(self.settings.url, dict(self.params))

    @abc.abstractmethod
    def next(
        self, current: PageRequest, response: requests.Response, page: ParsedPage
    ) -> PageRequest | None:
        """The request for the page after ``current``, or None when this was the last."""

    @staticmethod
    def count(page: ParsedPage, style: str) -> int:
        if page.records is None:
            raise NeedsRecords(f"{style} pagination counts records: set records_path")
        return len(page.records)


class Single(Paginator):
    def next(
        self, current: PageRequest, response: requests.Response, page: ParsedPage
    ) -> PageRequest | None:
        return None


class PageNumbers(Paginator):
    config: PageNumberPagination

    def first(self) -> PageRequest:
        return self._request(self.config.start)

    def _request(self, number: int) -> PageRequest:
        params = {**self.params, self.config.page_param: str(number)}
        if self.config.size_param:
            params[self.config.size_param] = str(self.config.size)
        return PageRequest(self.settings.url, params)

    def next(
        self, current: PageRequest, response: requests.Response, page: ParsedPage
    ) -> PageRequest | None:
        number = int(current.params[self.config.page_param])
        if self.count(page, "page_number") < self.config.size:
            return None
        if self.config.total_pages_path:
            total = get_path(page.document, self.config.total_pages_path)
            last = self.config.start + int(total) - 1 if isinstance(total, int) else None
            if last is not None and number >= last:
                return None
        return self._request(number + 1)


class Offsets(Paginator):
    config: OffsetPagination

    def first(self) -> PageRequest:
        return self._request(0)

    def _request(self, offset: int) -> PageRequest:
        params = {
            **self.params,
            self.config.offset_param: str(offset),
            self.config.limit_param: str(self.config.limit),
        }
        return PageRequest(self.settings.url, params)

    def next(
        self, current: PageRequest, response: requests.Response, page: ParsedPage
    ) -> PageRequest | None:
        count = self.count(page, "offset")
        offset = int(current.params[self.config.offset_param]) + count
        if count < self.config.limit:
            return None
        if self.config.total_path:
            total = get_path(page.document, self.config.total_path)
            if isinstance(total, int) and offset >= total:
                return None
        return self._request(offset)


class Cursors(Paginator):
    config: CursorPagination

    def next(
        self, current: PageRequest, response: requests.Response, page: ParsedPage
    ) -> PageRequest | None:
        more = self.config.has_more_path
        if more and get_path(page.document, more) is not True:
            return None
        cursor = get_path(page.document, self.config.cursor_path)
        if cursor is MISSING or cursor is None or cursor == "":
            return None
        return PageRequest(
            self.settings.url, {**self.params, self.config.cursor_param: str(cursor)}
        )


class NextUrls(Paginator):
    config: NextUrlPagination

    def next(
        self, current: PageRequest, response: requests.Response, page: ParsedPage
    ) -> PageRequest | None:
        url = get_path(page.document, self.config.next_url_path)
        if not isinstance(url, str) or not url:
            return None
        # The next URL carries every parameter itself (fixed ones included).
        return PageRequest(urljoin(response.url, url))


class LinkHeaders(Paginator):
    def next(
        self, current: PageRequest, response: requests.Response, page: ParsedPage
    ) -> PageRequest | None:
        url = response.links.get("next", {}).get("url")  # RFC 8288, parsed by requests
        return PageRequest(urljoin(response.url, url)) if url else None


PAGINATORS: dict[type, type[Paginator]] = {
    NoPagination: Single,
    PageNumberPagination: PageNumbers,
    OffsetPagination: Offsets,
    CursorPagination: Cursors,
    NextUrlPagination: NextUrls,
    LinkHeaderPagination: LinkHeaders,
}


def paginator_for(settings: ApiSettings, params: dict[str, str]) -> Paginator:
    return PAGINATORS[type(settings.pagination)](settings, params)
