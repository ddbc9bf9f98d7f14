"""On a terminal, long work draws bars with an ETA; elsewhere only the lines are printed."""

from __future__ import annotations

import io

from strata import progress
from strata_dev.console import Console
from strata_dev.progress_bars import Bars, showing_progress


def terminal_bars(out: io.StringIO) -> Bars:
    return Bars(Console(io.StringIO()), out, force_terminal=True, width=100, color_system=None)


def test_a_counted_task_shows_its_count_and_an_eta():
    out = io.StringIO()
    bars = terminal_bars(out)
    with progress.watching(bars), progress.task("c", "convert", 4, "files") as step:
        step(1)
        bars._bars.refresh()
        drawn = out.getvalue()
    bars.close()
    assert "convert" in drawn
    assert "1/4 files" in drawn
    assert "ETA" in drawn


def test_a_transfer_shows_its_size_and_a_task_of_unknown_length_its_elapsed_time():
    out = io.StringIO()
    bars = terminal_bars(out)
    with progress.watching(bars):
        with progress.task("u", "orders.csv", 20 * 1024 * 1024, "bytes") as step:
            step(10 * 1024 * 1024)
            bars._bars.refresh()
        with progress.task("p", "fetch orders_api", unit="pages") as step:
            step(3)
            bars._bars.refresh()
    drawn = out.getvalue()
    assert "10.5/21.0 MB" in drawn
    assert "3 pages" in drawn
    assert "elapsed" in drawn
    assert bars._bars is None, "the bars stop when their last task ends"


def test_off_a_terminal_no_bar_is_drawn_and_messages_reach_the_console():
    printed, errors = io.StringIO(), io.StringIO()
    console = Console(printed)
    with showing_progress(console, errors), progress.task("c", "convert", 2, "files") as step:
        step(1)
        progress.notify("retrying in 3 s")
    assert errors.getvalue() == ""
    assert printed.getvalue() == "! retrying in 3 s\n"
