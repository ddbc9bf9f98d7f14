"""Redshift SQL → DuckDB SQL for the local warehouse.

sqlglot does the translation; the Redshift-only clauses it cannot parse are handled here on
purpose, so the SQL analysts write for Redshift runs unchanged on a laptop.
"""

from __future__ import annotations

import re

from strata.warehouse.grants import GRANT, emulated_grant
from strata.warehouse.numeric import Catalog, with_redshift_numerics
from strata.warehouse.redshift_sql import parse_redshift

# Spectrum views must not bind to external tables; DuckDB has no such notion.
_NO_SCHEMA_BINDING = re.compile(r"\bwith\s+no\s+schema\s+binding\b", re.IGNORECASE)
# The external schema over cleansed is the local catalog's views: nothing to create.
_EXTERNAL_SCHEMA = re.compile(r"^\s*create\s+external\s+schema\b", re.IGNORECASE)
_VARCHAR_MAX = re.compile(r"\bvarchar\s*\(\s*max\s*\)", re.IGNORECASE)

# Distribution and sort keys place rows on Redshift's slices; DuckDB has none. Dropped from a
# CREATE TABLE's attributes (before AS), where sqlglot cannot read all of them (INTERLEAVED).
_CREATE_TABLE = re.compile(
    r"^(\s*create\s+(?:temp(?:orary)?\s+)?table\s+\S+)(.*?)(\bas\b.*)$",
    re.IGNORECASE | re.DOTALL,
)
_LAYOUT = re.compile(
    r"\b(?:diststyle\s+\w+|distkey\s*\([^)]*\)|(?:compound\s+|interleaved\s+)?sortkey\s*\([^)]*\))",
    re.IGNORECASE,
)


def redshift_to_duckdb(sql: str, catalog: Catalog | None = None) -> list[str]:
    """DuckDB statements for one Redshift statement (none for Redshift-only DDL). Given the
    warehouse's catalog, numeric results get Redshift's types (:mod:`.numeric`)."""
    if _EXTERNAL_SCHEMA.match(sql):
        return []
    if GRANT.match(sql):  # DuckDB has no GRANT: checked and recorded instead
        return emulated_grant(sql)
    cleaned = _VARCHAR_MAX.sub("VARCHAR", _NO_SCHEMA_BINDING.sub("", sql))
    table = _CREATE_TABLE.match(cleaned)
    if table:
        cleaned = table[1] + _LAYOUT.sub("", table[2]) + table[3]
    parsed = parse_redshift(cleaned)
    if catalog is not None:
        parsed = [with_redshift_numerics(statement, catalog) for statement in parsed]
    statements = [statement.sql(dialect="duckdb") for statement in parsed]
    return [statement for statement in statements if statement.strip()]
