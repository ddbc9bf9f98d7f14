"""What the read API refuses, each error saying what to do instead."""

from __future__ import annotations

from strata.errors import StrataError


class ReadError(StrataError):
    """A read could not be answered: the message says why and what to do."""


class TableNotFoundError(ReadError):
    """The table named does not exist; the message lists the closest names."""

    def __init__(self, name: str, suggestions: list[str], known: int) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = (
            f"did you mean {', '.join(suggestions)}?"
            if suggestions
            else f"none of the {known} tables is close; list them with strata_read.tables()"
        )
        super().__init__(f"no table {name!r}: {hint}")


class EmptyLakeError(ReadError):
    """Nothing has been built yet: the message says which command builds it."""
