"""Secrets from AWS Secrets Manager, named ``<prefix><name>`` (``strata/prod/orders_api``).

Values are cached in memory for ``max_age`` seconds, as powertools' parameters utility does:
a warm Lambda fetching a token on every invocation pays for the calls and risks throttling,
while a short cache still picks up a rotated secret within minutes.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3
from botocore.exceptions import ClientError

from strata.aws_errors import raise_transient
from strata.errors import SecretNotFoundError
from strata.secrets.base import SecretStore

DEFAULT_MAX_AGE = 300.0


class SecretsManagerStore(SecretStore):
    def __init__(
        self, prefix: str, client: Any = None, *, max_age: float = DEFAULT_MAX_AGE
    ) -> None:
        self.prefix = prefix
        self.client = raise_transient(
            client if client is not None else boto3.client("secretsmanager")
        )
        self.max_age = max_age
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> str:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(name)
        if cached and cached[0] > now:
            return cached[1]
        value = self._fetch(name)
        with self._lock:
            self._cache[name] = (now + self.max_age, value)
        return value

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def _fetch(self, name: str) -> str:
        secret_id = self.prefix + name
        try:
            response = self.client.get_secret_value(SecretId=secret_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                raise SecretNotFoundError(name, f"Secrets Manager as {secret_id!r}") from None
            raise
        if "SecretString" in response:
            return response["SecretString"]
        return response["SecretBinary"].decode("utf-8")
