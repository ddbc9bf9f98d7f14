"""Catalog on the AWS Glue Data Catalog: the tables Redshift Spectrum reads as the external
schema over the cleansed Parquet.

Tables are Hive-style external tables (Parquet SerDe); each partition is the folder
``<table location><key>=<value>/`` so the layout stays readable by Athena, Spark and DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from strata.aws_errors import raise_transient
from strata.catalog.base import Catalog, CatalogColumn, TableDef
from strata.errors import CatalogError

PARQUET_FORMAT = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "Parameters": {"serialization.format": "1"},
    },
}
DEFAULT_PARAMETERS = {"classification": "parquet", "EXTERNAL": "TRUE"}
BATCH_SIZE = 100  # BatchCreatePartition's limit
COMMENT_MAX = 255  # Glue rejects longer column comments
DESCRIPTION_MAX = 2048


def _error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _folder(location: str) -> str:
    return location if location.endswith("/") else location + "/"


def _glue_column(column: CatalogColumn) -> dict[str, str]:
    glue = {"Name": column.name, "Type": column.type}
    if column.comment:
        glue["Comment"] = column.comment[:COMMENT_MAX]
    return glue


def _column(glue: dict[str, Any]) -> CatalogColumn:
    return CatalogColumn(glue["Name"], glue["Type"], glue.get("Comment", ""))


def table_input(table: TableDef) -> dict[str, Any]:
    return {
        "Name": table.name,
        "Description": table.description[:DESCRIPTION_MAX],
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {**DEFAULT_PARAMETERS, **table.parameters},
        "PartitionKeys": [_glue_column(column) for column in table.partition_keys],
        "StorageDescriptor": {
            "Columns": [_glue_column(column) for column in table.columns],
            "Location": _folder(table.location),
            **PARQUET_FORMAT,
        },
    }


def _shape(glue_table: dict[str, Any]) -> tuple[Any, ...]:
    """What ``ensure_table`` owns, in comparable form (Glue adds fields of its own)."""
    descriptor = glue_table.get("StorageDescriptor", {})
    return (
        glue_table.get("Description", ""),
        [_column(column) for column in descriptor.get("Columns", [])],
        [_column(column) for column in glue_table.get("PartitionKeys", [])],
        descriptor.get("Location", ""),
        descriptor.get("SerdeInfo", {}).get("SerializationLibrary"),
    )


@dataclass(frozen=True)
class GlueConfig:
    """The Glue database holding the cleansed tables (Spectrum's external schema reads it)."""

    database: str


class GlueCatalog(Catalog):
    def __init__(self, config: GlueConfig, client: Any = None) -> None:
        self.config = config
        self.database = config.database
        self.client = raise_transient(client if client is not None else boto3.client("glue"))

    def _glue_table(self, name: str) -> dict[str, Any] | None:
        try:
            return self.client.get_table(DatabaseName=self.database, Name=name)["Table"]
        except ClientError as exc:
            if _error_code(exc) == "EntityNotFoundException":
                return None
            raise

    def ensure_table(self, table: TableDef) -> None:
        wanted = table_input(table)
        existing = self._glue_table(table.name)
        if existing is None:
            try:
                self.client.create_table(DatabaseName=self.database, TableInput=wanted)
                return
            except ClientError as exc:
                if _error_code(exc) != "AlreadyExistsException":
                    raise
            existing = self._glue_table(table.name)  # created meanwhile by another writer
        if existing is not None and _unchanged(existing, wanted):
            return
        # UpdateTable replaces the definition; keep parameters others set (crawler stats).
        parameters = {**(existing or {}).get("Parameters", {}), **wanted["Parameters"]}
        self.client.update_table(
            DatabaseName=self.database,
            TableInput={**wanted, "Parameters": parameters},
            SkipArchive=True,
        )

    def get_table(self, name: str) -> TableDef | None:
        glue = self._glue_table(name)
        if glue is None:
            return None
        descriptor = glue.get("StorageDescriptor", {})
        return TableDef(
            name=glue["Name"],
            columns=tuple(_column(column) for column in descriptor.get("Columns", [])),
            partition_keys=tuple(_column(column) for column in glue.get("PartitionKeys", [])),
            location=descriptor.get("Location", ""),
            description=glue.get("Description", ""),
            parameters=dict(glue.get("Parameters", {})),
        )

    def add_partitions(self, name: str, partitions: list[dict[str, str]]) -> None:
        if not partitions:
            return
        glue = self._glue_table(name)
        if glue is None:
            raise CatalogError(f"no table in Glue database {self.database!r}", table=name)
        inputs = _partition_inputs(glue, partitions)
        failures: list[str] = []
        for start in range(0, len(inputs), BATCH_SIZE):
            response = self.client.batch_create_partition(
                DatabaseName=self.database,
                TableName=name,
                PartitionInputList=inputs[start : start + BATCH_SIZE],
            )
            failures += [
                f"{error['PartitionValues']}: {error['ErrorDetail'].get('ErrorMessage', '')}"
                f" ({error['ErrorDetail'].get('ErrorCode')})"
                for error in response.get("Errors", [])
                if error.get("ErrorDetail", {}).get("ErrorCode") != "AlreadyExistsException"
            ]
        if failures:
            raise CatalogError(f"{len(failures)} partitions refused: {failures[:5]}", table=name)

    def list_partitions(self, name: str) -> list[dict[str, str]]:
        glue = self._glue_table(name)
        if glue is None:
            return []
        keys = [column["Name"] for column in glue.get("PartitionKeys", [])]
        paginator = self.client.get_paginator("get_partitions")
        values = [
            partition["Values"]
            for page in paginator.paginate(DatabaseName=self.database, TableName=name)
            for partition in page.get("Partitions", [])
        ]
        return [dict(zip(keys, value, strict=True)) for value in sorted(values)]

    def partition_location(self, name: str, partition: dict[str, str]) -> str | None:
        try:
            found = self.client.get_partition(
                DatabaseName=self.database,
                TableName=name,
                PartitionValues=list(partition.values()),
            )
        except ClientError as exc:
            if _error_code(exc) == "EntityNotFoundException":
                return None
            raise
        return str(found["Partition"]["StorageDescriptor"]["Location"])

    def set_partition_location(self, name: str, partition: dict[str, str], location: str) -> None:
        """One ``UpdatePartition``: Spectrum and Athena read the partition's location when a
        query plans, so a query sees either the old folder or the new one, never both."""
        values = list(partition.values())
        try:
            found = self.client.get_partition(
                DatabaseName=self.database, TableName=name, PartitionValues=values
            )["Partition"]
        except ClientError as exc:
            if _error_code(exc) == "EntityNotFoundException":
                raise CatalogError(f"no partition {partition} to move", table=name) from exc
            raise
        descriptor = {**found["StorageDescriptor"], "Location": _folder(location)}
        self.client.update_partition(
            DatabaseName=self.database,
            TableName=name,
            PartitionValueList=values,
            PartitionInput={"Values": values, "StorageDescriptor": descriptor},
        )

    def list_tables(self) -> list[str]:
        paginator = self.client.get_paginator("get_tables")
        return sorted(
            table["Name"]
            for page in paginator.paginate(DatabaseName=self.database)
            for table in page.get("TableList", [])
        )


def _unchanged(existing: dict[str, Any], wanted: dict[str, Any]) -> bool:
    parameters = existing.get("Parameters", {})
    return _shape(existing) == _shape(wanted) and all(
        parameters.get(key) == value for key, value in wanted["Parameters"].items()
    )


def _partition_inputs(glue: dict[str, Any], partitions: list[dict[str, str]]) -> list[dict]:
    """One PartitionInput per distinct partition, its descriptor the table's own plus the
    partition's folder: Spectrum reads each partition with the partition's descriptor."""
    table_name = glue["Name"]
    keys = [column["Name"] for column in glue.get("PartitionKeys", [])]
    descriptor = glue["StorageDescriptor"]
    seen: set[tuple[str, ...]] = set()
    inputs = []
    for partition in partitions:
        if sorted(partition) != sorted(keys):
            raise CatalogError(
                f"partition {partition} does not match keys {keys}", table=table_name
            )
        values = tuple(str(partition[key]) for key in keys)
        if values in seen:
            continue
        seen.add(values)
        folder = "".join(f"{key}={value}/" for key, value in zip(keys, values, strict=True))
        inputs.append(
            {
                "Values": list(values),
                "StorageDescriptor": {
                    **{k: v for k, v in descriptor.items() if k != "Location"},
                    "Location": _folder(descriptor["Location"]) + folder,
                },
            }
        )
    return inputs
