"""State store port: small items under a partition key and a sort key.

Items hold JSON values (str, int, bool, None, lists and dicts of these). Used for the landing
ledger, the queue of raw objects waiting for conversion, conversion outputs and run records.
"""

from __future__ import annotations

import abc
from typing import Any

Item = dict[str, Any]
RESERVED = frozenset({"pk", "sk"})


def check_item(item: Item) -> None:
    """``pk`` and ``sk`` name the keys in DynamoDB; an item may not carry its own."""
    clash = RESERVED & item.keys()
    if clash:
        raise ValueError(f"item attributes {sorted(clash)} are reserved for the keys")


class StateStore(abc.ABC):
    @abc.abstractmethod
    def get(self, pk: str, sk: str) -> Item | None: ...

    @abc.abstractmethod
    def put(self, pk: str, sk: str, item: Item, *, if_absent: bool = False) -> None:
        """Write an item; with ``if_absent`` raise ConditionFailedError when it exists."""

    @abc.abstractmethod
    def query(self, pk: str, sk_prefix: str = "") -> list[Item]:
        """Items of a partition whose sort key starts with the prefix, in sort-key order."""

    @abc.abstractmethod
    def delete(self, pk: str, sk: str) -> None: ...
