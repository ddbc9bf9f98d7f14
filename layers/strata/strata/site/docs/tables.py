"""A cleansed table's page: the catalog's columns and partitions, and what the conversions
wrote into it (rows in, out and quarantined, summed over each raw object's last conversion)."""

from __future__ import annotations

from strata.catalog.base import Catalog, CatalogColumn, TableDef
from strata.catalog.tables import table_for
from strata.contracts.model import SourceContract
from strata.site.docs.model import ColumnDoc, TableDoc
from strata.state.base import Item


def table_doc(
    contract: SourceContract,
    catalog: Catalog | None,
    conversions: list[Item],
    location: str,
    external_schema: str,
) -> TableDoc:
    """``conversions`` are the source's ``converted`` items: one per raw object, its last
    conversion's outcome (so a replayed object is counted once). Without a catalog (it could
    not be read) the columns are the contract's."""
    known = catalog.get_table(contract.name) if catalog is not None else None
    table = known or table_for(contract, location)
    doc = TableDoc(
        name=contract.name,
        relation=f"{external_schema}.{contract.name}",
        location=table.location,
        description=table.description,
        columns=_columns(table.columns),
        partition_keys=_columns(table.partition_keys),
        in_catalog=known is not None,
    )
    if catalog is not None and known is not None:
        _partitions(doc, catalog, known)
    for item in conversions:
        doc.files += 1
        doc.files_quarantined += item.get("status") == "quarantined"
        doc.rows_in += int(item.get("rows_in") or 0)
        doc.rows_out += int(item.get("rows_out") or 0)
        doc.rows_quarantined += int(item.get("rows_quarantined") or 0)
    return doc


def _columns(columns: tuple[CatalogColumn, ...]) -> list[ColumnDoc]:
    return [ColumnDoc(column.name, column.type, column.comment) for column in columns]


def _partitions(doc: TableDoc, catalog: Catalog, table: TableDef) -> None:
    values = sorted(
        "/".join(partition.get(key.name, "") for key in table.partition_keys)
        for partition in catalog.list_partitions(table.name)
    )
    doc.partitions = len(values)
    if values:
        doc.first_partition, doc.last_partition = values[0], values[-1]
