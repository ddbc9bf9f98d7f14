"""Keeping secrets out of logs, manifests, raw metadata and error messages.

Every secret value an ingestion run reads (keys, tokens, passwords) is registered with the run's
:class:`Redactor`; every string that leaves the run (an URL in a manifest, an exception message)
goes through it. Query parameters that carry credentials are masked by name as well, so a key
echoed back in a ``next`` URL is masked too.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
# Shorter values would mask innocent text (a one-character password is still masked in URLs).
MIN_MASKED_LENGTH = 4


class Redactor:
    def __init__(self) -> None:
        self._values: set[str] = set()
        self._params: set[str] = set()

    def add_secret(self, value: str | None) -> None:
        if value:
            self._values.add(value)

    def add_param(self, name: str) -> None:
        self._params.add(name.lower())

    def text(self, text: str) -> str:
        """Mask every known secret value inside a free text (longest first)."""
        for value in sorted(self._values, key=len, reverse=True):
            if len(value) >= MIN_MASKED_LENGTH:
                text = text.replace(value, MASK)
        return text

    def url(self, url: str) -> str:
        """The URL with credential parameters and secret values masked, user info removed."""
        parts = urlsplit(url)
        query = [
            (name, MASK if self._is_secret(name, value) else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ]
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        rebuilt = urlunsplit(
            (parts.scheme, netloc, parts.path, urlencode(query, safe=MASK + "*:/"), "")
        )
        return self.text(rebuilt)

    def _is_secret(self, name: str, value: str) -> bool:
        return name.lower() in self._params or value in self._values
