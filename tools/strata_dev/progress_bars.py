"""Progress bars with an ETA for the library's long work, drawn by rich on a terminal.

The library announces tasks (:mod:`strata.progress`); this listener draws one bar per running
task on standard error: bytes with a transfer speed for uploads and downloads, a count of
files or pages otherwise, and the time left when the total is known. The bars disappear when
their task ends, and the console's lines are printed above them. Off a terminal (a pipe, a log
file, CI) no bar is drawn: the lines the commands print already say what happened, and
messages such as "retrying in 8 s" still reach the console.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from strata import progress
from strata.progress import Task
from strata_dev.console import Console


def _columns() -> tuple[Any, ...]:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.text import Text

    class Amount(ProgressColumn):
        """Bytes and a speed for transfers; a count (of a total, when known) otherwise."""

        def __init__(self) -> None:
            super().__init__()
            self.size, self.speed = DownloadColumn(), TransferSpeedColumn()

        def render(self, task: Any) -> Any:
            unit = task.fields.get("unit", "")
            if unit == "bytes":
                return Text.assemble(self.size.render(task), " ", self.speed.render(task))
            done = int(task.completed)
            counted = f"{done}/{int(task.total)}" if task.total is not None else str(done)
            return Text(f"{counted} {unit}".rstrip(), style="progress.download")

    class Eta(ProgressColumn):
        """``ETA 0:00:12`` when the total is known; the time spent so far otherwise."""

        def __init__(self) -> None:
            super().__init__()
            self.remaining, self.elapsed = TimeRemainingColumn(), TimeElapsedColumn()

        def render(self, task: Any) -> Any:
            if task.total is None:
                return Text.assemble("elapsed ", self.elapsed.render(task))
            return Text.assemble("ETA ", self.remaining.render(task))

    return (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        Amount(),
        Eta(),
    )


class Bars:
    """A :class:`strata.progress.Listener` that draws rich progress bars."""

    def __init__(self, console: Console, stream: TextIO | None = None, **rich: Any) -> None:
        from rich.console import Console as RichConsole

        self.console = console
        self.terminal = RichConsole(file=stream or sys.stderr, **rich)
        self._bars: Any = None
        self._ids: dict[str, Any] = {}
        self._lock = threading.Lock()

    def message(self, text: str) -> None:
        self.console.warn(text)

    def started(self, task: Task) -> None:
        from rich.progress import Progress

        with self._lock:
            if self._bars is None:
                # Redirecting standard output prints the console's lines above the bars.
                self._bars = Progress(
                    *_columns(), console=self.terminal, transient=True, redirect_stdout=True
                )
                self._bars.start()
            if task.name in self._ids:
                self._bars.remove_task(self._ids.pop(task.name))
            self._ids[task.name] = self._bars.add_task(
                task.description, total=task.total, unit=task.unit
            )

    def advanced(self, task: Task, amount: float) -> None:
        with self._lock:
            if task.name in self._ids:
                self._bars.advance(self._ids[task.name], amount)

    def finished(self, task: Task) -> None:
        with self._lock:
            if task.name in self._ids:
                self._bars.remove_task(self._ids.pop(task.name))
            if not self._ids and self._bars is not None:
                self._bars.stop()
                self._bars = None

    def close(self) -> None:
        with self._lock:
            self._ids.clear()
            if self._bars is not None:
                self._bars.stop()
                self._bars = None


@contextmanager
def showing_progress(console: Console, stream: TextIO | None = None) -> Iterator[None]:
    """For a command's duration: bars on a terminal, the messages alone elsewhere."""
    stream = stream or sys.stderr
    if not stream.isatty():
        with progress.watching(console.warn):
            yield
        return
    bars = Bars(console, stream)
    try:
        with progress.watching(bars):
            yield
    finally:
        bars.close()
