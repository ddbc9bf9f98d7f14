"""The contract's YAML text, with a comment above every guess: what in the sample supports it,
and, marked ``REVIEW``, what in the sample contradicts it or cannot decide it."""

from __future__ import annotations

from typing import Any

import yaml

from strata_dev.sources.guess import REVIEW, ColumnGuess, Inference, Note


def scalar(value: Any) -> str:
    """A value as YAML writes it inline (quoted only when it must be)."""
    return yaml.safe_dump(
        [value], default_flow_style=True, width=1 << 20, allow_unicode=True
    ).strip()[1:-1]


class Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def comment(self, indent: int, note: Note | None) -> None:
        if note is not None:
            self.lines.append(" " * indent + note.comment())

    def entry(self, indent: int, key: str, value: Any, note: Note | None = None) -> None:
        self.comment(indent, note)
        pad = " " * indent
        if isinstance(value, dict) and value:
            self.lines.append(f"{pad}{key}:")
            for inner, item in value.items():
                self.entry(indent + 2, inner, item)
        else:
            self.lines.append(f"{pad}{key}: {scalar(value)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def contract_yaml(inference: Inference, header: list[str], head: dict[str, Any]) -> str:
    """``head``: the fields before ``format:`` (name, description, owner, kind, its block),
    each a value or a (value, Note) pair."""
    out = Lines()
    out.lines += [f"# {line}" if line else "#" for line in header]
    for note in inference.sample_notes:
        out.comment(0, note)
    for key, value in head.items():
        value, note = value if isinstance(value, tuple) else (value, None)
        out.entry(0, key, value, note)
    out.lines.append("format:")
    for key, value in inference.format.block.items():
        out.entry(2, key, value, inference.format.notes.get(key))
    out.lines.append("schema:")
    for column in inference.columns:
        _column(out, column)
    out.entry(0, "primary_key", inference.primary_key, inference.key_note)
    out.entry(0, "partitioning", inference.partition, inference.partition_note)
    out.entry(0, "timezone", inference.timezone, inference.timezone_note)
    return out.text()


def _column(out: Lines, column: ColumnGuess) -> None:
    for note in column.notes:
        out.comment(2, note)
    out.lines.append(f"  - name: {scalar(column.name)}")
    out.entry(4, "type", column.type)
    if column.format:
        out.entry(4, "format", column.format)
    if not column.nullable:
        out.entry(4, "nullable", False)
    if column.source_name is not None:
        out.entry(4, "source_name", column.source_name)


def flagged_lines(text: str) -> list[tuple[int, str]]:
    """The contract's review comments, with their line numbers (as `grep -n REVIEW` shows)."""
    marker = f"# {REVIEW}: "
    return [
        (number, line.strip()[len(marker) :])
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().startswith(marker)
    ]
