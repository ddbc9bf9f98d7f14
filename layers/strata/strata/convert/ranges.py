"""Byte ranges of files, copied in the kernel where it can (no trip through Python's memory)."""

from __future__ import annotations

import os
from typing import BinaryIO

BLOCK = 4 << 20  # read at a time where the kernel cannot copy, or to scan a file


def copy_range(source: BinaryIO, target: BinaryIO, start: int, length: int) -> None:
    """Appends ``length`` bytes of ``source``, from offset ``start``, to ``target``."""
    target.flush()  # the kernel writes at the file's own position: what is buffered first
    try:
        while length:
            done = os.copy_file_range(source.fileno(), target.fileno(), length, start)
            if not done:
                raise ValueError(f"{source.name}: ends before byte {start + length}")
            start, length = start + done, length - done
        target.seek(0, os.SEEK_END)  # and Python's idea of it follows
    except (AttributeError, OSError):  # not Linux, or a file system that refuses
        source.seek(start)
        while length:
            block = source.read(min(BLOCK, length))
            if not block:
                raise ValueError(f"{source.name}: ends before byte {start + length}") from None
            target.write(block)
            start, length = start + len(block), length - len(block)
