"""Progress of long or waiting work, for whoever watches it.

The library announces what a person waiting would want to know ("retrying in 8 s"); the local
CLI listens and prints it; in a Lambda nobody listens and the structured logs say the rest. A
listener may be called from any thread (handlers run on the local Map's threads)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str], None]
_listeners: list[Listener] = []
_lock = threading.Lock()


def notify(message: str) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(message)


@contextmanager
def watching(listener: Listener) -> Iterator[None]:
    """Call ``listener`` with every message announced while the block runs."""
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)
