"""The DuckDB connection a conversion runs on, with its settings and the reasons for them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from strata.convert.sql import literal

# DuckDB's own memory, beyond which it spills to the work directory: for one connection, or
# shared by the connections of a file's pieces (each takes its share).
MEMORY_MB = 640
MAX_CORES = 4  # each core in use costs memory (threads' buffers, or a piece's connection)
LAMBDA_VCPU_MB = 1769  # Lambda gives a function one vCPU's worth of time per 1,769 MB


def connect(work: Path, share: int = 2) -> Any:
    """A connection with ``1/share`` of ``MEMORY_MB`` (one connection alone takes half: the
    rest of the process, Python and its buffers, needs room too)."""
    import duckdb

    con = duckdb.connect()
    for setting in (
        f"memory_limit = '{MEMORY_MB // share}MB'",
        f"temp_directory = {literal(str(work / 'spill'))}",
        "preserve_insertion_order = true",
        # One thread per connection: records are numbered as the reader hands them over and
        # every output file is the same, byte for byte, on every conversion (a large file is
        # cut into pieces converted side by side instead: ``pieces.py``). One thread is also
        # the cheapest in CPU per row.
        "threads = 1",
        # Small partition buffers: each holds rows until written, and every fresh buffer is
        # memory the kernel has to map. At 10,000 rows the pass runs about 20 % faster and
        # 130 MB smaller than at 122,880; row groups hold 30,000-60,000 rows.
        "partitioned_write_flush_threshold = 10000",
        # DuckDB 2.0's asynchronous writer can deadlock when a COPY is interrupted or fails
        # (duckdb/duckdb#23885; caught here when a failed piece stopped the others): the
        # files are written by the query's own thread instead.
        "async_threads = 0",
        "TimeZone = 'UTC'",
        "enable_progress_bar = false",
    ):
        con.execute(f"SET {setting}")
    return con


def cores() -> int:
    """The CPUs this process may keep busy (at most ``MAX_CORES``)."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    count = min(count, MAX_CORES)
    memory = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    if memory and memory.isdigit():  # Lambda shows 2 CPUs but gives time by memory size
        count = min(count, max(1, int(memory) // LAMBDA_VCPU_MB))
    return count


@contextmanager
def all_cores(con: Any) -> Iterator[None]:
    """Queries whose result does not depend on the order rows come in (what keys a file
    holds, say) may use every core; the connection goes back to one thread after."""
    con.execute(f"SET threads = {cores()}")
    try:
        yield
    finally:
        con.execute("SET threads = 1")
