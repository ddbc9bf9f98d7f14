"""What inference concludes, with its reasons: every guess carries the note the written
contract shows beside it, and a guess the sample contradicts is marked for review."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strata.convert.readers.base import TextSource

REVIEW = "REVIEW"


@dataclass(frozen=True)
class Note:
    """A comment on a guess; ``review``: the sample contradicts it, or nothing in it decides."""

    text: str
    review: bool = False

    def comment(self) -> str:
        return f"# {REVIEW}: {self.text}" if self.review else f"# {self.text}"


@dataclass(frozen=True)
class Contradiction:
    """The sample's values that a guess does not accept: how many, and where the first are."""

    count: int
    total: int
    examples: list[tuple[str, str]]  # (where, value), e.g. ("line 812", "12,50")

    def describe(self, column: str, what: str) -> str:
        shown = ", ".join(f"{where} {value!r}" for where, value in self.examples)
        return f"{column}: {self.count:,} of {self.total:,} values {what}: {shown}"


@dataclass
class FormatGuess:
    """A format's inference: the contract's ``format:`` block, notes per option, and the
    sample's records as text, read by the runtime's own reader."""

    block: dict[str, Any]
    notes: dict[str, Note]
    source: TextSource
    where: str  # SQL: a record's place for a reviewer, e.g. 'line 14' or 'record 3'


@dataclass
class ColumnGuess:
    """One column: its name, type and options as the contract will write them."""

    name: str
    source_field: str
    type: str = "string"
    format: str | None = None
    nullable: bool = True
    notes: list[Note] = field(default_factory=list)
    empty: int = 0  # values missing in the sample
    distinct: int = 0  # distinct values in the sample

    @property
    def source_name(self) -> str | None:
        return self.source_field if self.source_field != self.name else None


@dataclass
class Inference:
    """Everything a contract is written from."""

    name: str
    format: FormatGuess
    columns: list[ColumnGuess]
    rows: int
    primary_key: list[str] = field(default_factory=list)
    key_note: Note | None = None
    partition: dict[str, Any] = field(default_factory=dict)
    partition_note: Note | None = None
    timezone: str = "UTC"
    timezone_note: Note | None = None
    sample_notes: list[Note] = field(default_factory=list)
