"""GRANT on the DuckDB twin, which has none: each grant is checked and recorded instead.

A ``GRANT <privilege> ON <relation>`` fails, as on Redshift, when the relation does not exist;
a ``GRANT ... ON SCHEMA`` when the schema does not. What was granted is kept in
``strata_meta.grants`` (privilege, object kind, object, grantee), one row per grant, so a
test or an analyst can see who may read what, as ``svv_relation_privileges`` shows on Redshift.
"""

from __future__ import annotations

import re

GRANT = re.compile(r"^\s*grant\b", re.IGNORECASE)
META = "strata_meta"


def emulated_grant(sql: str) -> list[str]:
    """DuckDB statements that check and record one Redshift GRANT."""
    from sqlglot import exp

    from strata.warehouse.redshift_sql import parse_redshift

    (grant,) = parse_redshift(sql)
    if not isinstance(grant, exp.Grant):
        raise ValueError(f"not a GRANT: {sql}")
    kind = str(grant.args.get("kind") or "TABLE").lower()
    securable = grant.args["securable"]
    privileges = [privilege.this.sql().upper() for privilege in grant.args["privileges"]]
    grantees = [
        f"{principal.args['kind']} {principal.this.name}"
        if principal.args.get("kind")
        else principal.this.name
        for principal in grant.args["principals"]
    ]
    if kind == "schema":
        name = securable.name
        check = (
            "SELECT CASE WHEN count(*) = 0 THEN error('GRANT: no schema "
            + _escape(name)
            + f"') END FROM duckdb_schemas() WHERE schema_name = '{_escape(name)}'"
        )
    else:
        name = securable.sql(dialect="duckdb")
        check = f"SELECT 1 FROM {name} LIMIT 0"  # fails when the relation does not exist
    statements = [
        check,
        f"CREATE SCHEMA IF NOT EXISTS {META}",
        f"CREATE TABLE IF NOT EXISTS {META}.grants (privilege VARCHAR, object_kind VARCHAR, "
        "object VARCHAR, grantee VARCHAR, PRIMARY KEY (privilege, object_kind, object, grantee))",
    ]
    statements += [
        f"INSERT OR IGNORE INTO {META}.grants VALUES ('{_escape(privilege)}', '{kind}', "
        f"'{_escape(name)}', '{_escape(grantee)}')"
        for privilege in privileges
        for grantee in grantees
    ]
    return statements


def _escape(text: str) -> str:
    return text.replace("'", "''")
