"""The cleansed table of a source, as the catalog knows it."""

from __future__ import annotations

from strata.catalog.base import CatalogColumn, TableDef
from strata.catalog.types import glue_type
from strata.contracts.model import SourceContract

LINEAGE_COLUMNS = (
    CatalogColumn("_source_file", "string", "Raw object the row came from."),
    CatalogColumn("_ingested_at", "timestamp", "When the raw object landed (UTC)."),
    CatalogColumn("_run_id", "string", "Ingestion run that landed the raw object."),
    CatalogColumn("_row_number", "bigint", "Data row number within the raw file."),
)


def partition_column(contract: SourceContract) -> CatalogColumn:
    key = contract.partition_key
    kind = "date" if key.endswith("_date") else "string"
    return CatalogColumn(
        key, kind, f"Partition: {contract.partitioning.by} by {contract.partitioning.granularity}."
    )


def table_for(contract: SourceContract, location: str) -> TableDef:
    columns = tuple(
        CatalogColumn(column.name, glue_type(column.type), column.description)
        for column in contract.columns
    )
    return TableDef(
        name=contract.name,
        columns=columns + LINEAGE_COLUMNS,
        partition_keys=(partition_column(contract),),
        location=location,
        description=contract.description,
        parameters={"strata_owner": contract.owner, "strata_kind": contract.kind},
    )
