"""dbt's ``grants`` config, compiled to Redshift ``GRANT`` statements.

A model (or a folder, with ``+grants`` in dbt_project.yml) declares who may read it::

    {{ config(grants={'select': ['bi_reader']}) }}

Each grantee is a database role (``bi_reader``, or ``role:bi_reader``), a user
(``user:alice``) or a group (``group:finance``). The model's build grants ``USAGE`` on its
schema and ``SELECT`` on the relation to each, after every build (a table rebuilt by a swap is a
new table, without the old one's grants). The warehouse bootstrap gives the reader role
``bi_reader`` the analytics and adhoc schemas as a whole, current and future tables alike; a
model's own grants add readers, or open a stage model, one relation at a time. The DuckDB twin
has no GRANT: it records each one in ``strata_meta.grants``, after checking the relation exists
(:mod:`strata.warehouse.grants`).
"""

from __future__ import annotations

from typing import Any

KINDS = {"role": "ROLE ", "group": "GROUP ", "user": ""}


def grantee_sql(grantee: str) -> str:
    """``bi_reader`` → ``ROLE bi_reader``; ``user:alice`` → ``alice``; ``group:x`` → ``GROUP x``."""
    kind, _, name = grantee.rpartition(":")
    return f"{KINDS[kind or 'role']}{name}"


def grant_statements(model: dict[str, Any]) -> list[str]:
    """The GRANTs a model's ``grants`` config asks for, in a stable order."""
    grants: dict[str, list[str]] = model["config"].get("grants") or {}
    statements: list[str] = []
    for privilege, grantees in sorted(grants.items()):
        for grantee in sorted(set(grantees)):
            to = grantee_sql(grantee)
            usage = f"GRANT USAGE ON SCHEMA {model['schema']} TO {to}"
            if usage not in statements:
                statements.append(usage)
            statements.append(f"GRANT {privilege.upper()} ON {model['relation']} TO {to}")
    return statements
