"""The benchmark's pruning check (bench/read.py), small: one day of 20 partitions is read
from its own file only (the others are made unreadable first)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_read_cleansed_touches_only_the_days_file(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    sys.modules.pop("read", None)
    import read as bench

    assert bench.check_pruning(tmp_path, 20) == 1
