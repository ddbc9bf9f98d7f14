"""Which file field feeds each contract column, and schema drift with the source's policy.

Drift is measured against the contract (new, missing and retyped columns in the file) and
against the catalog (a column the contract retyped since the table was created). The policy:

- ``strict``: a file with new, missing or retyped columns is quarantined whole.
- ``evolve``: new file columns are kept, as nullable strings named in snake_case, after the
  lineage columns, and added to the catalog table; a column evolved earlier but absent from
  this file is written empty; missing contract columns are read as empty.
- ``ignore``: new file columns are dropped; missing contract columns are read as empty.

JSON records simply omit empty fields, so there a nullable column that no record holds is not
drift (a renamed field still shows, as a new column). A contract column retyped against the
catalog is reported whatever the policy: the catalog follows the contract, and files converted
before the change need a replay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from strata.catalog.base import TableDef
from strata.catalog.tables import LINEAGE_COLUMNS
from strata.catalog.types import glue_type
from strata.contracts.model import SourceContract
from strata.convert.inputs import FileRejected
from strata.convert.readers.base import TextSource

NULL_TEXT = "CAST(NULL AS VARCHAR)"
CONTRACT_FAMILY = {
    "string": "text",
    "json": "text",
    "int": "integer",
    "bigint": "integer",
    "double": "number",
    "boolean": "boolean",
    "date": "temporal",
    "timestamp": "temporal",
    "timestamptz": "temporal",
}
# A file column of the left family can feed contract columns of these families.
ACCEPTS = {
    "integer": {"integer", "number", "text"},
    "number": {"number", "text"},
    "boolean": {"boolean", "text"},
    "temporal": {"temporal", "text"},
    "nested": {"text"},
}


class SchemaDrift(FileRejected):
    """Drift under ``schema_change: strict``: the file goes to quarantine."""

    def __init__(self, drift: list[str]) -> None:
        super().__init__(
            "the file's columns do not match the contract (schema_change: strict): "
            + "; ".join(drift)
        )
        self.drift = drift


@dataclass
class Mapping:
    values: dict[str, str]  # contract column → SQL giving its text (NULL when missing)
    extras: dict[str, str] = field(default_factory=dict)  # evolved column → SQL text
    drift: list[str] = field(default_factory=list)
    new_columns: list[str] = field(default_factory=list)  # evolved columns new to the catalog


def normalise(name: str) -> str:
    """A file's column name in snake_case: ``Order ID`` → ``order_id``."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def map_columns(
    contract: SourceContract, source: TextSource, known: TableDef | None = None
) -> Mapping:
    """Map the contract onto the file; raises FileRejected on drift under ``strict``."""
    fields = _matched(contract, source)
    values: dict[str, str] = {}
    drift: list[str] = []
    for column in contract.columns:
        position = fields.get(column.name)
        if position is None:
            if not (source.sparse and column.nullable):
                drift.append(f"missing column {column.source_field!r}")
            values[column.name] = NULL_TEXT
            continue
        values[column.name] = source.values[position]
        retyped = _retyped(column.type, source.types.get(source.fields[position]))
        if retyped:
            drift.append(f"retyped column {source.fields[position]!r}: {retyped}")
    used = set(fields.values())
    unexpected = [i for i in range(len(source.fields)) if i not in used]
    drift += [f"unexpected column {source.fields[i]!r}" for i in unexpected]
    if drift and contract.schema_change == "strict":
        raise SchemaDrift(drift)
    mapping = Mapping(values=values, drift=drift)
    if contract.schema_change == "evolve":
        _evolve(contract, source, unexpected, known, mapping)
    mapping.drift += catalog_drift(contract, known)
    return mapping


def catalog_drift(contract: SourceContract, known: TableDef | None) -> list[str]:
    if known is None:
        return []
    catalog = {column.name: column.type for column in known.columns}
    drift = []
    for column in contract.columns:
        wanted = glue_type(column.type)
        if column.name in catalog and catalog[column.name] != wanted:
            drift.append(
                f"retyped column {column.name!r}: the catalog has {catalog[column.name]}, the "
                f"contract {wanted} (the catalog follows the contract; replay older files)"
            )
    return drift


def _matched(contract: SourceContract, source: TextSource) -> dict[str, int]:
    """Contract column → position of the file field feeding it."""
    if source.positional:
        return {c.name: i for i, c in enumerate(contract.columns) if i < len(source.fields)}
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(source.fields):
        positions.setdefault(normalise(name), []).append(position)
    matched = {}
    for column in contract.columns:
        found = positions.get(normalise(column.source_field), [])
        if len(found) > 1:
            names = ", ".join(repr(source.fields[i]) for i in found)
            raise FileRejected(f"duplicate columns {names} in the file, for {column.name!r}")
        if found:
            matched[column.name] = found[0]
    return matched


def _retyped(contract_type: str, file_type: str | None) -> str | None:
    if file_type is None:
        return None
    family = CONTRACT_FAMILY.get(contract_type, "number")  # decimal(p,s)
    found = _file_family(file_type)
    if found == "text" or family in ACCEPTS[found]:
        return None
    return f"the file has {file_type}, the contract {contract_type}"


def _file_family(kind: str) -> str:
    if kind.endswith("]") or kind.startswith(("STRUCT", "MAP", "UNION")):
        return "nested"
    if kind.startswith(("DECIMAL", "FLOAT", "DOUBLE", "REAL")):
        return "number"
    if kind.lstrip("U") in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"):
        return "integer"
    if kind == "BOOLEAN":
        return "boolean"
    if kind.startswith(("DATE", "TIME")):
        return "temporal"
    return "text"


def _evolve(
    contract: SourceContract,
    source: TextSource,
    unexpected: list[int],
    known: TableDef | None,
    mapping: Mapping,
) -> None:
    taken = {c.name for c in contract.columns} | {c.name for c in LINEAGE_COLUMNS}
    taken.add(contract.partition_key)
    earlier = [c.name for c in (known.columns if known else ()) if c.name not in taken]
    mapping.extras = dict.fromkeys(earlier, NULL_TEXT)
    for position in unexpected:
        name = normalise(source.fields[position]) or f"column_{position + 1}"
        if name in taken or (name in mapping.extras and mapping.extras[name] != NULL_TEXT):
            suffix = 2
            while f"{name}_{suffix}" in taken or f"{name}_{suffix}" in mapping.extras:
                suffix += 1
            name = f"{name}_{suffix}"
        if name not in earlier:
            mapping.new_columns.append(name)
        mapping.extras[name] = source.values[position]
