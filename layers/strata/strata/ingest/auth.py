"""Request authentication for API sources, from the contract's ``auth`` block and the secret
store. Every secret value read is registered with the run's redactor before it is used."""

from __future__ import annotations

import abc
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from strata.contracts.ingestion import (
    ApiKeyAuth,
    Auth,
    BasicAuth,
    BearerAuth,
    NoAuth,
    OAuth2ClientCredentials,
)
from strata.errors import ConfigError
from strata.ingest.exceptions import ApiResponseError
from strata.ingest.http import HttpClient
from strata.ingest.redact import Redactor
from strata.secrets.base import SecretStore

# Refresh an OAuth token this long before the server says it expires.
TOKEN_EXPIRY_MARGIN = 30.0


class Authenticator(abc.ABC):
    """Adds credentials to a request. ``renew`` forgets a cached credential after a 401 and
    says whether asking again might help."""

    @abc.abstractmethod
    def apply(self, request: requests.Request) -> None: ...

    def renew(self) -> bool:
        return False


class Anonymous(Authenticator):
    def apply(self, request: requests.Request) -> None:
        return None


class ApiKey(Authenticator):
    def __init__(self, config: ApiKeyAuth, key: str) -> None:
        self.config = config
        self.key = key

    def apply(self, request: requests.Request) -> None:
        if self.config.header:
            request.headers[self.config.header] = self.key
            return
        # A next-page URL may echo the key back: send it once.
        name = self.config.query_param or ""
        parts = urlsplit(request.url)
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
        request.url = urlunsplit(parts._replace(query=urlencode(kept)))
        request.params = {**(request.params or {}), name: self.key}


class Bearer(Authenticator):
    def __init__(self, token: str) -> None:
        self.token = token

    def apply(self, request: requests.Request) -> None:
        request.headers["Authorization"] = f"Bearer {self.token}"


class Basic(Authenticator):
    def __init__(self, username: str, password: str) -> None:
        self.auth = requests.auth.HTTPBasicAuth(username, password)

    def apply(self, request: requests.Request) -> None:
        request.auth = self.auth


class ClientCredentials(Authenticator):
    """OAuth 2.0 client credentials (RFC 6749 §4.4): a token per run, renewed when it expires
    or when the API answers 401 once."""

    def __init__(
        self,
        config: OAuth2ClientCredentials,
        client_id: str,
        client_secret: str,
        http: HttpClient,
        source: str,
    ) -> None:
        self.config = config
        self.client_id = client_id
        self.client_secret = client_secret
        self.http = http
        self.source = source
        self._token: str | None = None
        self._expires_at = 0.0

    def apply(self, request: requests.Request) -> None:
        if self._token is None or time.monotonic() >= self._expires_at:
            self._token = self._fetch_token()
        request.headers["Authorization"] = f"Bearer {self._token}"

    def renew(self) -> bool:
        renewable = self._token is not None
        self._token = None
        return renewable

    def _fetch_token(self) -> str:
        data = {"grant_type": "client_credentials"}
        if self.config.scope:
            data["scope"] = self.config.scope
        if self.config.client_auth == "body":
            data.update(client_id=self.client_id, client_secret=self.client_secret)
        request = requests.Request("POST", self.config.token_url, data=data)
        if self.config.client_auth == "basic":
            request.auth = requests.auth.HTTPBasicAuth(self.client_id, self.client_secret)
        response = self.http.send(request)
        shown = self.http.redactor.url(self.config.token_url)
        try:
            body = response.json() if response.ok else None
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiResponseError(
                "the token endpoint did not return an access_token",
                source=self.source,
                url=shown,
                status=response.status_code,
            )
        self.http.redactor.add_secret(token)
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        self._expires_at = time.monotonic() + max(0.0, lifetime - TOKEN_EXPIRY_MARGIN)
        return token


def build_authenticator(
    config: Auth, secrets: SecretStore, http: HttpClient, source: str
) -> Authenticator:
    redactor = http.redactor
    if isinstance(config, NoAuth):
        return Anonymous()
    if isinstance(config, ApiKeyAuth):
        if config.query_param:
            redactor.add_param(config.query_param)
        return ApiKey(config, _secret(secrets, config.secret, redactor))
    if isinstance(config, BearerAuth):
        return Bearer(_secret(secrets, config.secret, redactor))
    if isinstance(config, BasicAuth):
        fields = _json_secret(secrets, config.secret, redactor, ("username", "password"))
        return Basic(fields["username"], fields["password"])
    if isinstance(config, OAuth2ClientCredentials):
        fields = _json_secret(secrets, config.secret, redactor, ("client_id", "client_secret"))
        return ClientCredentials(config, fields["client_id"], fields["client_secret"], http, source)
    raise ConfigError(f"unsupported auth type {config.type!r}")  # pragma: no cover


def _secret(secrets: SecretStore, name: str, redactor: Redactor) -> str:
    value = secrets.get(name)
    redactor.add_secret(value)
    return value


def _json_secret(
    secrets: SecretStore, name: str, redactor: Redactor, keys: tuple[str, ...]
) -> dict[str, str]:
    """A key/value secret; the error names the secret and the missing keys, never a value."""
    raw = _secret(secrets, name, redactor)
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = None
    missing = [key for key in keys if not isinstance(value, dict) or not value.get(key)]
    if missing:
        raise ConfigError(
            f"must be a JSON object with {', '.join(keys)} (missing: {', '.join(missing)})",
            field=f"secret {name!r}",
        )
    for key in keys:
        redactor.add_secret(str(value[key]))
    return {key: str(value[key]) for key in keys}
