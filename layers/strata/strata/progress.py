"""Progress of long or waiting work, for whoever watches it.

The library announces what a person waiting would want to know: a message ("retrying in 8 s"),
or a task with a known or unknown total (bytes of an upload, files of a conversion, pages of an
API backfill) and each step of it. The local CLI listens and draws progress bars with an ETA;
in a Lambda nobody listens, every announcement costs a lookup, and the structured logs say the
rest. A listener may be called from any thread (handlers run on the local Map's threads).

A task is named, so work that one part starts (the local twin knows how many files a run will
convert) can be advanced by another (each conversion, wherever it runs).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

# Work smaller than this ends before a bar would be worth drawing.
LARGE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Task:
    name: str
    description: str
    total: float | None  # None: unknown (a spinner and a count, no ETA)
    unit: str = ""  # "bytes" draws sizes and a transfer speed; anything else counts items


class Listener(Protocol):
    def message(self, text: str) -> None: ...

    def started(self, task: Task) -> None: ...

    def advanced(self, task: Task, amount: float) -> None: ...

    def finished(self, task: Task) -> None: ...


class MessagesOnly:
    """A listener that wants the messages and ignores the tasks."""

    def __init__(self, on_message: Callable[[str], None]) -> None:
        self.on_message = on_message

    def message(self, text: str) -> None:
        self.on_message(text)

    def started(self, task: Task) -> None:
        pass

    def advanced(self, task: Task, amount: float) -> None:
        pass

    def finished(self, task: Task) -> None:
        pass


_listeners: list[Listener] = []
_tasks: dict[str, Task] = {}
_lock = threading.Lock()


def _current() -> list[Listener]:
    with _lock:
        return list(_listeners)


def notify(message: str) -> None:
    for listener in _current():
        listener.message(message)


def start(name: str, description: str, total: float | None = None, unit: str = "") -> None:
    """Begin task ``name``; a task of the same name still running is replaced."""
    task = Task(name, description, total, unit)
    with _lock:
        if not _listeners:
            return
        _tasks[name] = task
        listeners = list(_listeners)
    for listener in listeners:
        listener.started(task)


def advance(name: str, amount: float = 1) -> None:
    """One more step of task ``name``; nothing when nobody started it or nobody listens."""
    with _lock:
        task = _tasks.get(name)
        listeners = list(_listeners)
    if task is not None:
        for listener in listeners:
            listener.advanced(task, amount)


def finish(name: str) -> None:
    with _lock:
        task = _tasks.pop(name, None)
        listeners = list(_listeners)
    if task is not None:
        for listener in listeners:
            listener.finished(task)


@contextmanager
def task(
    name: str, description: str, total: float | None = None, unit: str = ""
) -> Iterator[Callable[[float], None]]:
    """A task for the block; yields the function that advances it."""
    start(name, description, total, unit)
    try:
        yield lambda amount=1: advance(name, amount)
    finally:
        finish(name)


@contextmanager
def bytes_task(name: str, description: str, size: int) -> Iterator[Callable[[float], None]]:
    """A byte-counting task when the work is large; a step that does nothing otherwise."""
    if size < LARGE_BYTES:
        yield lambda amount=1: None
        return
    with task(name, description, size, "bytes") as step:
        yield step


@contextmanager
def watching(listener: Listener | Callable[[str], None]) -> Iterator[None]:
    """Tell ``listener`` every announcement made while the block runs; a plain function
    receives the messages only."""
    watcher: Listener = listener if hasattr(listener, "started") else MessagesOnly(listener)  # type: ignore[arg-type]
    with _lock:
        _listeners.append(watcher)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(watcher)
            if not _listeners:
                _tasks.clear()
