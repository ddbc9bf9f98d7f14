"""Where output goes: the core reports through a Console, so the same code serves a terminal,
a log or a test (which passes a StringIO)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO


class Console:
    def __init__(self, stream: TextIO | None = None, color: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        if color is None:
            color = self.stream.isatty() and not os.environ.get("NO_COLOR")
        self.color = color

    def _paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color else text

    def line(self, text: str = "") -> None:
        print(text, file=self.stream, flush=True)

    def step(self, text: str) -> None:
        self.line(self._paint("▶ ", "36") + text)

    def detail(self, text: str) -> None:
        self.line("  " + text)

    def success(self, text: str) -> None:
        self.line(self._paint("✔ " + text, "32"))

    def warn(self, text: str) -> None:
        self.line(self._paint("! " + text, "33"))

    def error(self, text: str) -> None:
        print(self._paint(f"Error: {text}", "31"), file=sys.stderr, flush=True)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        cells = [[str(cell) for cell in row] for row in rows]
        widths = [
            max(len(header), *(len(row[index]) for row in cells)) if cells else len(header)
            for index, header in enumerate(headers)
        ]

        def render(row: Sequence[str]) -> str:
            return "  ".join(
                cell.ljust(width) if index == 0 else cell.rjust(width)
                for index, (cell, width) in enumerate(zip(row, widths, strict=True))
            )

        self.line(render(list(headers)))
        self.line("  ".join("─" * width for width in widths))
        for row in cells:
            self.line(render(row))
