"""The read API on the DuckDB twin, read-only, never in a running pipeline's way.

Queries open the warehouse snapshot that every ``strata run`` publishes at its end
(``lake/snapshots/warehouse.duckdb``, see :mod:`strata_dev.local.snapshot`), read-only and only
for the length of the call: a pipeline holding ``lake/warehouse.duckdb`` for writing neither
blocks them nor is blocked by them. Cleansed tables are read from their Parquet files by an
in-memory DuckDB, pruned to the partitions asked for, as the catalog registers them.

:meth:`LocalBackend.write_adhoc` is the one write: it takes the lake's run lock (the lock
``strata run`` takes, waiting while a run holds it), writes the table into the warehouse file,
and publishes a new snapshot, so the table is readable at once and no run is ever disturbed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from strata.catalog.local import LocalCatalog, view_sql
from strata.errors import WarehouseError
from strata.settings import Settings
from strata_read.base import ADHOC, Backend
from strata_read.errors import EmptyLakeError, ReadError
from strata_read.partitions import keeps
from strata_read.tables import CLEANSED, TableInfo, quote

FIRST_STEP = (
    "run `make demo` (the sample sources) or `strata run` (your sources) first: "
    "each run publishes the snapshot the read API opens"
)
# Relations the twin builds for its own use, never shown to readers.
INTERNAL_SUFFIXES = ("__strata_new", "__strata_delta")
INTERNAL_SCHEMAS = ("main", "strata_meta")  # strata_meta: the twin's record of the GRANTs


class LocalBackend(Backend):
    name = "local"

    def __init__(self, settings: Settings) -> None:
        from strata_dev.local.snapshot import snapshot_path

        self.settings = settings
        self.lake_dir = settings.lake_dir.resolve()
        self.snapshot = snapshot_path(self.lake_dir)
        self.warehouse_path = settings.local_warehouse_path.resolve()

    # ---------------------------------------------------------------- reading
    def _connect(self) -> Any:
        import duckdb

        if not self.snapshot.exists():
            raise EmptyLakeError(f"the lake at {self.lake_dir} has no warehouse yet: {FIRST_STEP}")
        return duckdb.connect(str(self.snapshot), read_only=True)

    def query(self, sql: str, *, as_arrow: bool) -> Any:
        import duckdb

        with self._connect() as connection:
            try:
                return _fetch(connection.sql(sql), as_arrow, sql)
            except duckdb.Error as exc:
                raise ReadError(f"{_first_line(exc)} (in: {_short(sql)})") from exc

    def tables(self) -> list[TableInfo]:
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT schema_name, table_name, 'table', comment FROM duckdb_tables() "
                "WHERE NOT internal AND NOT temporary "
                "UNION ALL SELECT schema_name, view_name, 'view', comment FROM duckdb_views() "
                "WHERE NOT internal AND NOT temporary"
            ).fetchall()
        described = self._descriptions()
        return [
            TableInfo(schema, name, kind, comment or described.get(f"{schema}.{name}", ""))
            for schema, name, kind, comment in rows
            if schema not in INTERNAL_SCHEMAS and not name.endswith(INTERNAL_SUFFIXES)
        ]

    def relation(self, info: TableInfo) -> str:
        return f"{quote(info.layer)}.{quote(info.name)}"

    def read_cleansed(
        self,
        table: str,
        start: str | None,
        end: str | None,
        columns: list[str] | None,
        *,
        as_arrow: bool,
    ) -> Any:
        import duckdb

        catalog = self._catalog()
        definition = catalog.get_table(table)
        if definition is None:
            raise ReadError(f"cleansed table {table!r} is not in the catalog ({catalog.root})")
        kept = [
            partition
            for partition in catalog.list_partitions(table)
            if all(keeps(value, start, end) for value in partition.values())
        ]
        select = ", ".join(quote(column) for column in columns) if columns else "*"
        with duckdb.connect() as connection:
            # The cleansed view Spectrum and the warehouse show, over the kept partitions only.
            connection.execute(
                view_sql("main", definition, kept, catalog.partition_locations(table))
            )
            try:
                query = f"SELECT {select} FROM main.{quote(table)}"
                return _fetch(connection.sql(query), as_arrow, query)
            except duckdb.Error as exc:
                raise ReadError(f"cleansed.{table}: {_first_line(exc)}") from exc

    def cleansed_files(self, table: str, start: str | None, end: str | None) -> list[Path]:
        """The Parquet files a :meth:`read_cleansed` over this range reads."""
        catalog = self._catalog()
        definition = catalog.get_table(table)
        if definition is None:
            return []
        return sorted(
            path
            for partition in catalog.list_partitions(table)
            if all(keeps(value, start, end) for value in partition.values())
            for path in Path(catalog.partition_location(table, partition) or "").glob("*.parquet")
        )

    def _catalog(self) -> LocalCatalog:
        from strata.warehouse.config import DuckDBConfig
        from strata.warehouse.duckdb import DuckDBWarehouse

        # The catalog's JSON documents only: the warehouse it would refresh views in is never
        # opened (an in-memory stand-in that is never connected).
        return LocalCatalog(
            self.lake_dir / "catalog",
            DuckDBWarehouse(DuckDBConfig(":memory:")),
            self.settings.external_schema,
        )

    def _descriptions(self) -> dict[str, str]:
        """Descriptions the warehouse does not carry as comments: the contracts' (through the
        catalog) and the models' (their schema.yml)."""
        found: dict[str, str] = {}
        catalog = self._catalog()
        for name in catalog.list_tables():
            definition = catalog.get_table(name)
            if definition is not None and definition.description:
                found[f"{CLEANSED}.{name}"] = definition.description
        models = self.settings.project_dir / "warehouse" / "models"
        for path in sorted(models.rglob("*.yml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            layer = path.relative_to(models).parts[0]
            for model in document.get("models") or []:
                if model.get("description"):
                    found[f"{layer}.{model['name']}"] = model["description"]
        return found

    # ---------------------------------------------------------------- the one write
    def write_adhoc(self, name: str, frame: Any) -> str:
        from strata.lake.keys import new_run_id
        from strata.runtime import build_context
        from strata_dev.console import Console
        from strata_dev.local.run import single_flight
        from strata_dev.local.snapshot import publish_snapshot

        if not self.warehouse_path.exists():
            raise EmptyLakeError(f"the lake at {self.lake_dir} has no warehouse yet: {FIRST_STEP}")
        context = build_context(self.settings)
        relation = f"{ADHOC}.{quote(name)}"
        # Waits while a pipeline run holds the lake, and keeps the next run waiting (or refused,
        # as any second run is) for the second the write takes.
        with single_flight(context, new_run_id(), Console(sys.stderr), wait=True):
            warehouse = context.ports.warehouse
            try:
                # A cursor of its own, as the adapter's statements use: the shared connection
                # is the adapter's.
                cursor = warehouse.connection().cursor()
                try:
                    cursor.register("strata_adhoc_frame", frame)
                    cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {ADHOC}")
                    cursor.execute(
                        f"CREATE OR REPLACE TABLE {relation} AS SELECT * FROM strata_adhoc_frame"
                    )
                finally:
                    cursor.close()
                publish_snapshot(warehouse, self.lake_dir)
            except WarehouseError as exc:
                raise ReadError(f"write_adhoc({name!r}): {exc}") from exc
            finally:
                warehouse.close()
        return f"{ADHOC}.{name}"


def _fetch(relation: Any, as_arrow: bool, sql: str) -> Any:
    if relation is None:
        raise ReadError(f"returned no rows: the read API runs queries only (in: {_short(sql)})")
    return relation.to_arrow_table() if as_arrow else relation.df()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _short(sql: str, limit: int = 200) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
