"""Secrets for the local runtime: environment variables first, then a JSON file.

The secret ``orders_api`` is read from ``STRATA_SECRET_ORDERS_API`` (the name upper-cased, every
character other than a letter or digit replaced by ``_``), else from the key ``orders_api`` of
``.secrets.json`` in the project directory (``STRATA_PROJECT_DIR``, default the current one)::

    {"orders_api": "token-123", "partner_sftp": {"username": "u", "private_key": "..."}}

A value that is not a string (an object, as Secrets Manager stores key/value secrets) is
returned as its JSON text. Keep ``.secrets.json`` out of version control.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from strata.errors import ConfigError, SecretNotFoundError
from strata.secrets.base import SecretStore
from strata.settings import PROJECT_DIR

ENV_PREFIX = "STRATA_SECRET_"
DEFAULT_FILE = ".secrets.json"


def env_name(name: str) -> str:
    """``orders_api`` → ``STRATA_SECRET_ORDERS_API``, ``sftp/key-1`` → ``…_SFTP_KEY_1``."""
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", name.upper())


class LocalSecretStore(SecretStore):
    def __init__(self, env: Mapping[str, str] | None = None, file: Path | None = None) -> None:
        self.env = os.environ if env is None else env
        self.file = (
            file if file is not None else Path(self.env.get(PROJECT_DIR) or ".") / DEFAULT_FILE
        )

    def get(self, name: str) -> str:
        value = self.env.get(env_name(name))
        if value is not None:
            return value
        secrets = self._read_file()
        if name not in secrets:
            raise SecretNotFoundError(name, f"${env_name(name)} or {self.file}")
        value = secrets[name]
        return value if isinstance(value, str) else json.dumps(value)

    def _read_file(self) -> dict[str, object]:
        """Read on every call: the file is small and edits take effect without a restart."""
        try:
            text = self.file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            secrets = json.loads(text)
        except ValueError as exc:
            # The decoder's message gives a position, never the text around it.
            raise ConfigError(
                f"not valid JSON ({exc.msg}, line {exc.lineno})", file=str(self.file)
            ) from None
        if not isinstance(secrets, dict):
            raise ConfigError("must hold a JSON object of name → value", file=str(self.file))
        return secrets
