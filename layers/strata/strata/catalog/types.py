"""Type names across the layers: contract → Glue/Hive (catalog, Spectrum) → DuckDB."""

from __future__ import annotations

import re

from strata.errors import ConfigError

_CONTRACT_TO_GLUE = {
    "string": "string",
    "int": "int",
    "bigint": "bigint",
    "double": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "timestamptz": "timestamp",  # stored as UTC instants
    "json": "string",  # kept as JSON text; Spectrum and DuckDB parse it on read
}
_GLUE_TO_DUCKDB = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
_DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")


def glue_type(contract_type: str) -> str:
    if _DECIMAL.match(contract_type):
        return contract_type
    try:
        return _CONTRACT_TO_GLUE[contract_type]
    except KeyError:
        raise ConfigError(f"unknown column type {contract_type!r}") from None


def duckdb_type(catalog_type: str) -> str:
    decimal = _DECIMAL.match(catalog_type)
    if decimal:
        return f"DECIMAL({decimal.group(1)},{decimal.group(2)})"
    try:
        return _GLUE_TO_DUCKDB[catalog_type]
    except KeyError:
        raise ConfigError(f"unknown catalog type {catalog_type!r}") from None
