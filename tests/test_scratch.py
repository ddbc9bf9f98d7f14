"""Scratch folders: removed on every way out, and swept when their process died."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from strata.scratch import pid_alive, scratch_dir, sweep


def test_scratch_dir_is_removed_when_the_block_raises(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), scratch_dir("convert", tmp_path) as folder:
        (folder / "piece.parquet").write_bytes(b"x" * 10)
        raise RuntimeError("the conversion failed")
    assert not folder.exists()


def test_sweep_removes_folders_of_dead_processes_only(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    assert not pid_alive(dead_pid)
    orphan = tmp_path / f"strata-convert-{dead_pid}-abc"
    orphan.mkdir()
    (orphan / "big.csv").write_bytes(b"1,2\n")
    with scratch_dir("sftp", tmp_path) as live:
        removed = sweep(tmp_path)
        assert removed == [orphan]
        assert live.exists()
    assert not orphan.exists()


def test_scratch_kind_must_be_a_word(tmp_path: Path) -> None:
    with pytest.raises(ValueError), scratch_dir("../x", tmp_path):
        pass
