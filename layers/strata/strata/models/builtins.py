"""dbt's dialect-neutral macros, under the names dbt users know, as dbt-redshift renders them.

Models are Redshift SQL: each built-in renders the Redshift expression (the local twin runs it
through the transpiler, like any hand-written Redshift). They are reachable as ``dbt.datediff``
and, as dbt's own macros are, without the prefix, where a project macro of the same name wins.
Arguments are SQL text, as in dbt: ``{{ dbt.datediff("ordered_at", "shipped_at", "day") }}``.
"""

from __future__ import annotations

from typing import Any

from strata.errors import ModelError

# dbt's `type_*` macros, as dbt-redshift names the types.
TYPES = {
    "type_string": "varchar",
    "type_int": "integer",
    "type_bigint": "bigint",
    "type_float": "float8",
    "type_numeric": "numeric(28,6)",
    "type_timestamp": "timestamp",
    "type_boolean": "boolean",
}


def datediff(first_date: Any, second_date: Any, datepart: Any) -> str:
    """Whole ``datepart`` boundaries crossed from the first to the second date."""
    return f"datediff({_part(datepart, 'datediff')}, {first_date}, {second_date})"


def dateadd(datepart: Any, interval: Any, from_date_or_timestamp: Any) -> str:
    return f"dateadd({_part(datepart, 'dateadd')}, {interval}, {from_date_or_timestamp})"


def date_trunc(datepart: Any, date: Any) -> str:
    return f"date_trunc('{_part(datepart, 'date_trunc')}', {date})"


def safe_cast(field: Any, type: Any) -> str:  # dbt's argument names
    """dbt-redshift's: a plain cast (Redshift has no cast that yields NULL on failure)."""
    return f"cast({field} as {type})"


def current_timestamp() -> str:
    """Redshift's UTC timestamp without a time zone (dbt-redshift's ``getdate()`` has the same
    type; ``sysdate`` is also one the local twin types as Redshift does: TIMESTAMP, not a
    TIMESTAMPTZ)."""
    return "sysdate"


def _part(datepart: Any, macro: str) -> str:
    text = str(datepart).strip().strip("'\"")
    if not text.isidentifier():
        raise ModelError(f"{macro}(): {datepart!r} is no date part (e.g. 'day', 'month')")
    return text.lower()


def _type(name: str) -> Any:
    def type_macro() -> str:
        return TYPES[name]

    type_macro.__name__ = name
    return type_macro


def macros() -> dict[str, Any]:
    """Every built-in by name (the un-prefixed spellings)."""
    found: dict[str, Any] = {
        "datediff": datediff,
        "dateadd": dateadd,
        "date_trunc": date_trunc,
        "safe_cast": safe_cast,
        "current_timestamp": current_timestamp,
    }
    found.update({name: _type(name) for name in TYPES})
    return found


class _Namespace:
    """``dbt``: its built-ins, and an error naming the others (they are not implemented)."""

    def __init__(self, found: dict[str, Any]) -> None:
        self.found = found

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self.found[name]
        except KeyError:
            raise ModelError(
                f"dbt.{name} is not one of the dbt macros Strata implements "
                f"(supported: {', '.join(sorted(self.found))})"
            ) from None


def namespace() -> dict[str, Any]:
    """The template globals: ``dbt.<macro>`` and each macro under its own name."""
    found = macros()
    return {**found, "dbt": _Namespace(found)}
