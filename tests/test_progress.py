"""Long work announces itself: tasks with a total, their steps, and messages."""

from __future__ import annotations

from pathlib import Path

from strata import progress
from strata.storage.local import LocalObjectStore


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, float | None]] = []

    def message(self, text: str) -> None:
        self.events.append(("message", text, None))

    def started(self, task: progress.Task) -> None:
        self.events.append(("started", task.description, task.total))

    def advanced(self, task: progress.Task, amount: float) -> None:
        self.events.append(("advanced", task.name, amount))

    def finished(self, task: progress.Task) -> None:
        self.events.append(("finished", task.name, None))


def test_a_task_is_announced_started_advanced_and_finished():
    recorder = Recorder()
    with progress.watching(recorder), progress.task("t", "convert", 2, "files") as step:
        step(1)
        progress.advance("t")
        progress.notify("retrying in 2 s")
    assert recorder.events == [
        ("started", "convert", 2),
        ("advanced", "t", 1),
        ("advanced", "t", 1),
        ("message", "retrying in 2 s", None),
        ("finished", "t", None),
    ]


def test_advancing_a_task_nobody_started_or_nobody_watches_does_nothing():
    recorder = Recorder()
    progress.start("unwatched", "nobody listens", 3)
    with progress.watching(recorder):
        progress.advance("unwatched")
        progress.advance("never-started")
        progress.finish("never-started")
    assert recorder.events == []


def test_a_plain_function_receives_the_messages_only():
    seen: list[str] = []
    with progress.watching(seen.append), progress.task("t", "work", 1) as step:
        step(1)
        progress.notify("hello")
    assert seen == ["hello"]


def test_a_large_local_upload_counts_its_bytes_and_a_small_one_stays_quiet(tmp_path: Path):
    store = LocalObjectStore(tmp_path / "bucket", "bucket")
    large = tmp_path / "large.csv"
    large.write_bytes(b"x" * (progress.LARGE_BYTES + 12345))
    small = tmp_path / "small.csv"
    small.write_bytes(b"y" * 100)
    recorder = Recorder()
    with progress.watching(recorder):
        store.put_file("orders/large.csv", large)
        store.put_file("orders/small.csv", small)
    started = [event for event in recorder.events if event[0] == "started"]
    assert started == [("started", "large.csv", large.stat().st_size)]
    moved = sum(event[2] or 0 for event in recorder.events if event[0] == "advanced")
    assert moved == large.stat().st_size
    assert recorder.events[-1][0] == "finished"
