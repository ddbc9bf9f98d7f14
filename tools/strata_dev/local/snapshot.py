"""The warehouse snapshot readers open: ``lake/snapshots/warehouse.duckdb``.

DuckDB lets one process write a database file, and a read-only connection cannot open a file
another process holds for writing. A running pipeline holds ``lake/warehouse.duckdb``, so a
notebook, a SQL client or the read API (``strata_read``) opens a copy instead, which the
pipeline publishes at the end of each run: DuckDB copies the database into a temporary file in
``lake/snapshots/`` (inside the warehouse's own lock, so the copy is consistent), then the file
replaces the previous snapshot in one rename. A reader that has the old snapshot open keeps
reading it; the next one opens the new one. Nobody ever waits on anybody.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from strata.warehouse.base import Warehouse
from strata.warehouse.duckdb import DuckDBWarehouse

SNAPSHOT_FOLDER = "snapshots"
SNAPSHOT_NAME = "warehouse.duckdb"
ATTACHED = "strata_snapshot"


def snapshot_path(lake_dir: Path) -> Path:
    return lake_dir / SNAPSHOT_FOLDER / SNAPSHOT_NAME


def publish_snapshot(warehouse: Warehouse, lake_dir: Path) -> Path | None:
    """Copy the local warehouse to its snapshot, atomically; ``None`` when there is no local
    warehouse file to copy (nothing was built yet, or the warehouse is not DuckDB)."""
    if not isinstance(warehouse, DuckDBWarehouse) or not isinstance(warehouse.path, Path):
        return None
    if not warehouse.path.exists():
        return None
    target = snapshot_path(lake_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{uuid.uuid4().hex}.tmp.duckdb")
    (database,) = warehouse.execute_native("SELECT current_database()").rows[0]
    quoted = '"' + str(database).replace('"', '""') + '"'
    try:
        warehouse.execute_native(f"ATTACH '{_literal(temporary)}' AS {ATTACHED}")
        try:
            warehouse.execute_native(f"COPY FROM DATABASE {quoted} TO {ATTACHED}")
        finally:
            warehouse.execute_native(f"DETACH {ATTACHED}")
        os.replace(temporary, target)
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return target


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")
