"""Column names: a source's field names made snake_case for the cleansed table, the original
kept as ``source_name`` so the converter still finds the field."""

from __future__ import annotations

import re
import unicodedata

# Before a capital that starts a word: ``OrderDate`` → ``Order_Date``, ``HTTPCode`` → ``HTTP_Code``.
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def snake_case(name: str) -> str:
    """``Order ID`` → ``order_id``, ``customer.address.city`` → ``customer_address_city``,
    ``Montant (€)`` → ``montant``; a name left empty is ``column``, one starting with a digit
    gets a ``c_`` prefix (a column name must start with a letter)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = _NOT_WORD.sub("_", _CAMEL.sub("_", ascii_name).lower()).strip("_")
    if not words:
        return "column"
    return f"c_{words}" if words[0].isdigit() else words


def column_names(fields: list[str], reserved: frozenset[str] = frozenset()) -> list[str]:
    """One distinct snake_case name per field, in order: a clash (two fields, or a name the
    table reserves) gets ``_2``, ``_3``, … appended."""
    taken = set(reserved)
    names = []
    for field in fields:
        base = snake_case(field)
        name, count = base, 1
        while name in taken:
            count += 1
            name = f"{base}_{count}"
        taken.add(name)
        names.append(name)
    return names
