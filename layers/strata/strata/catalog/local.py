"""The local catalog: table definitions as JSON files, exposed as DuckDB views.

Like Spectrum over Glue, a view reads only the partitions registered for its table, so data
written but not yet registered stays invisible, and a SQL client opening the warehouse file
sees the cleansed layer as schema ``cleansed`` (or whatever ``STRATA_EXTERNAL_SCHEMA`` says),
with the contract's descriptions as the view's and its columns' comments (Glue keeps them as
the table's description and the columns' comments).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from strata.catalog.base import Catalog, CatalogColumn, TableDef, partition_folder
from strata.catalog.types import duckdb_type
from strata.errors import CatalogError
from strata.warehouse.duckdb import DuckDBWarehouse


class LocalCatalog(Catalog):
    def __init__(self, root: Path, warehouse: DuckDBWarehouse, schema: str = "cleansed") -> None:
        self.root = root
        self.warehouse = warehouse
        self.schema = schema
        self._lock = threading.RLock()

    def ensure_table(self, table: TableDef) -> None:
        with self._lock:
            stored = self._read(table.name)
            partitions = stored["partitions"] if stored else []
            if stored and _table(stored) == table:
                return
            self._write(table, partitions, _locations(stored))

    def get_table(self, name: str) -> TableDef | None:
        stored = self._read(name)
        return _table(stored) if stored else None

    def add_partitions(self, name: str, partitions: list[dict[str, str]]) -> None:
        with self._lock:
            stored = self._read(name)
            if stored is None:
                raise CatalogError(f"no table {name!r} in the local catalog", table=name)
            known = stored["partitions"]
            new = [partition for partition in partitions if partition not in known]
            if new:
                self._write(_table(stored), known + new, _locations(stored))

    def list_partitions(self, name: str) -> list[dict[str, str]]:
        stored = self._read(name)
        partitions = stored["partitions"] if stored else []
        return sorted(partitions, key=lambda partition: list(partition.values()))

    def list_tables(self) -> list[str]:
        return sorted(path.stem for path in self.root.glob("*.json"))

    def partition_location(self, name: str, partition: dict[str, str]) -> str | None:
        stored = self._read(name)
        if stored is None or partition not in stored["partitions"]:
            return None
        return _located(_table(stored).location, partition, _locations(stored))

    def set_partition_location(self, name: str, partition: dict[str, str], location: str) -> None:
        """The JSON document is replaced in one rename and the view in one statement: a reader
        sees the old folder or the new one, never both."""
        with self._lock:
            stored = self._read(name)
            if stored is None or partition not in stored["partitions"]:
                raise CatalogError(f"no partition {partition} to move", table=name)
            locations = {**_locations(stored), partition_folder(partition): location}
            self._write(_table(stored), stored["partitions"], locations)

    def partition_locations(self, name: str) -> dict[str, str]:
        """The partitions moved away from their Hive folder (by compaction), by that folder."""
        stored = self._read(name)
        return _locations(stored) if stored else {}

    def refresh_views(self) -> None:
        """Recreate every view, e.g. after the warehouse file was deleted."""
        for name in self.list_tables():
            stored = self._read(name)
            if stored:
                self._create_view(_table(stored), stored["partitions"], _locations(stored))

    def _read(self, name: str) -> dict[str, Any] | None:
        path = self.root / f"{name}.json"
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def _write(
        self, table: TableDef, partitions: list[dict[str, str]], locations: dict[str, str]
    ) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        document: dict[str, Any] = {"table": asdict(table), "partitions": partitions}
        if locations:
            document["locations"] = locations
        body = json.dumps(document, indent=2)
        fd, temp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
        os.replace(temp, self.root / f"{table.name}.json")
        self._create_view(table, partitions, locations)

    def _create_view(
        self, table: TableDef, partitions: list[dict[str, str]], locations: dict[str, str]
    ) -> None:
        self.warehouse.execute_native(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
        self.warehouse.execute_native(view_sql(self.schema, table, partitions, locations))
        for comment in comment_sqls(self.schema, table):
            self.warehouse.execute_native(comment)


def view_sql(
    schema: str,
    table: TableDef,
    partitions: list[dict[str, str]],
    locations: dict[str, str] | None = None,
) -> str:
    """The view over the registered partitions, each read from its catalog location (its Hive
    folder unless compaction moved it: ``locations``), as Spectrum reads Glue's, never from a
    glob of the table's folder."""
    columns = [*table.columns, *table.partition_keys]
    select = ", ".join(
        f'CAST("{column.name}" AS {duckdb_type(column.type)}) AS "{column.name}"'
        for column in columns
    )
    name = f'"{schema}"."{table.name}"'
    folders = [_located(table.location, p, locations or {}).rstrip("/") for p in partitions]
    # Glue accepts a partition with no files yet; read_parquet does not, so skip those.
    folders = [folder for folder in folders if any(Path(folder).glob("*.parquet"))]
    if not folders:
        empty = ", ".join(
            f'CAST(NULL AS {duckdb_type(column.type)}) AS "{column.name}"' for column in columns
        )
        return f"CREATE OR REPLACE VIEW {name} AS SELECT {empty} WHERE false"
    # A moved partition's folder (``_compacted/event_date=…/v…``) holds the same Hive key
    # once, so hive_partitioning reads the partition's value from either kind of path.
    globs = [_quote(folder + "/*.parquet") for folder in folders]
    source = (
        f"read_parquet([{', '.join(globs)}], hive_partitioning = true, "
        "hive_types_autocast = false, union_by_name = true)"
    )
    return f"CREATE OR REPLACE VIEW {name} AS SELECT {select} FROM {source}"


def comment_sqls(schema: str, table: TableDef) -> list[str]:
    """The table's description and its columns' comments on its view (replacing a view drops
    them, so they are written with it every time)."""
    name = f'"{schema}"."{table.name}"'
    statements = [
        f'COMMENT ON COLUMN {name}."{column.name}" IS {_quote(column.comment)}'
        for column in (*table.columns, *table.partition_keys)
        if column.comment
    ]
    if table.description:
        statements.insert(0, f"COMMENT ON VIEW {name} IS {_quote(table.description)}")
    return statements


def _located(table_location: str, partition: dict[str, str], locations: dict[str, str]) -> str:
    folder = partition_folder(partition)
    return locations.get(folder) or table_location.rstrip("/") + "/" + folder


def _locations(stored: dict[str, Any] | None) -> dict[str, str]:
    return dict((stored or {}).get("locations", {}))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _table(stored: dict[str, Any]) -> TableDef:
    raw = stored["table"]
    return TableDef(
        name=raw["name"],
        columns=tuple(CatalogColumn(**column) for column in raw["columns"]),
        partition_keys=tuple(CatalogColumn(**column) for column in raw["partition_keys"]),
        location=raw["location"],
        description=raw.get("description", ""),
        parameters=raw.get("parameters", {}),
    )
