"""Secrets port. Values never reach logs, manifests or raw metadata."""

from __future__ import annotations

import abc


class SecretStore(abc.ABC):
    @abc.abstractmethod
    def get(self, name: str) -> str:
        """The secret's value; raises SecretNotFoundError naming the secret (never its value)."""
