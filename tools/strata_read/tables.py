"""Table names as readers write them (``analytics.customer_lifetime_value``), resolved against
what the lake holds, and the closest names when one does not exist."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from strata_read.errors import ReadError, TableNotFoundError

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CLEANSED = "cleansed"


@dataclass(frozen=True)
class TableInfo:
    """One table or view a reader can read: its layer (schema), name and description."""

    layer: str
    name: str
    kind: str  # table | view
    description: str = ""

    @property
    def qualified(self) -> str:
        return f"{self.layer}.{self.name}"


def parse(name: str) -> tuple[str | None, str]:
    """``layer.table`` or ``table`` → (layer or None, table), each a plain identifier."""
    parts = name.strip().split(".")
    if len(parts) > 2 or not all(IDENTIFIER.fullmatch(part) for part in parts):
        raise ReadError(
            f"{name!r} is not a table name: write layer.table, e.g. analytics.fct_orders"
        )
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def resolve(name: str, known: list[TableInfo]) -> TableInfo:
    """The table ``name`` names; without a layer, the one table of that name in any layer."""
    layer, table = parse(name)
    matches = [
        info
        for info in known
        if info.name.lower() == table.lower() and (layer is None or info.layer == layer.lower())
    ]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        listed = ", ".join(info.qualified for info in matches)
        raise ReadError(f"{name!r} is in several layers ({listed}): write layer.table")
    raise TableNotFoundError(name, closest(name, known), len(known))


def closest(name: str, known: list[TableInfo], count: int = 3) -> list[str]:
    """The known names nearest to ``name``, with or without its layer."""
    bare = name.rsplit(".", 1)[-1].lower()
    names = sorted({info.name for info in known})
    near = [
        info.qualified
        for table in difflib.get_close_matches(bare, names, n=count, cutoff=0.6)
        for info in known
        if info.name == table
    ]
    qualified = [info.qualified for info in known]
    near += difflib.get_close_matches(name.lower(), qualified, n=count, cutoff=0.8)
    return list(dict.fromkeys(near))[:count]


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
