"""State store port: small items under a partition key and a sort key.

Items hold JSON values (str, int, bool, None, lists and dicts of these). Used for the landing
ledger, the queue of raw objects waiting for conversion, conversion outputs and run records.
"""

from __future__ import annotations

import abc
from typing import Any

Item = dict[str, Any]
# (attribute, value): a write that applies only while the stored item holds that value.
Match = tuple[str, str] | None
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
    def put(
        self, pk: str, sk: str, item: Item, *, if_absent: bool = False, if_match: Match = None
    ) -> None:
        """Write an item. With ``if_absent`` raise ConditionFailedError when it exists; with
        ``if_match=(attribute, value)`` raise it unless the stored item has that value there
        (an optimistic write: two workers taking over the same claim cannot both win)."""

    @abc.abstractmethod
    def query(self, pk: str, sk_prefix: str = "") -> list[Item]:
        """Items of a partition whose sort key starts with the prefix, in sort-key order."""

    @abc.abstractmethod
    def delete(self, pk: str, sk: str, *, if_match: Match = None) -> None:
        """Remove an item (a missing one is no error); ``if_match`` as for :meth:`put`."""
