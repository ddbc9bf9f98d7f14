"""Where output goes: the core reports through a Console, so the same code serves a terminal,
a log or a test (which passes a StringIO)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import Any, TextIO

# Escape sequences some libraries put in their messages (sqlglot underlines the bad token).
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def colors(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR")


class Console:
    def __init__(
        self, stream: TextIO | None = None, color: bool | None = None, errors: TextIO | None = None
    ) -> None:
        self._stream = stream
        self.errors = errors
        self.color = colors(self.stream) if color is None else color

    @property
    def stream(self) -> TextIO:
        """The stream given, or standard output as it is now: while progress bars are drawn,
        standard output is redirected so that lines print above them."""
        return self._stream or sys.stdout

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
        """One line on standard error; colored only on a terminal, and never with escape codes
        that a message brought along when it is not one (a log file, a pipe)."""
        stream = self.errors or sys.stderr
        if colors(stream):
            print(f"\033[31mError: {text}\033[0m", file=stream, flush=True)
        else:
            print(f"Error: {ANSI.sub('', text)}", file=stream, flush=True)

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
