"""Catalog port: table definitions over cleansed Parquet and their partitions.

AWS: the Glue Data Catalog (Spectrum reads it as the external schema). Local: a JSON catalog
in the lake folder, exposed as DuckDB views in the local warehouse.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CatalogColumn:
    name: str
    type: str  # Glue/Hive type: string, int, bigint, double, decimal(p,s), boolean, date, timestamp
    comment: str = ""


@dataclass(frozen=True)
class TableDef:
    name: str
    columns: tuple[CatalogColumn, ...]
    partition_keys: tuple[CatalogColumn, ...]
    location: str  # the table's root: s3://bucket/prefix/ or a folder
    description: str = ""
    parameters: dict[str, str] = field(default_factory=dict)


class Catalog(abc.ABC):
    @abc.abstractmethod
    def ensure_table(self, table: TableDef) -> None:
        """Create the table, or update its schema and description when they changed."""

    @abc.abstractmethod
    def get_table(self, name: str) -> TableDef | None: ...

    @abc.abstractmethod
    def add_partitions(self, name: str, partitions: list[dict[str, str]]) -> None:
        """Register partitions (values by key, in partition-key order); existing ones are kept."""

    @abc.abstractmethod
    def list_partitions(self, name: str) -> list[dict[str, str]]: ...

    @abc.abstractmethod
    def list_tables(self) -> list[str]: ...

    @abc.abstractmethod
    def partition_location(self, name: str, partition: dict[str, str]) -> str | None:
        """Where the registered partition's files are (``None`` when it is not registered)."""

    @abc.abstractmethod
    def set_partition_location(self, name: str, partition: dict[str, str], location: str) -> None:
        """Point the registered partition at another folder: readers that look it up from now
        on read that folder's files only (compaction swaps a partition's version this way)."""


def partition_folder(partition: dict[str, str]) -> str:
    """The Hive folder of a partition below its table: ``event_date=2026-11-01/``."""
    return "".join(f"{key}={value}/" for key, value in partition.items())
