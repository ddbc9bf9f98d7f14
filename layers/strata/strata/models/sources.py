"""Sources: the cleansed tables, one per contract, under one dbt source named ``lake``.

The contracts are the truth. ``models/_sources.yml`` is generated from them (``strata models
sources``) so that dbt's own tools accept ``source('lake', '<table>')``; ``--check`` (run by
``make test``) fails when it is stale. Strata itself resolves ``source()`` against the
contracts, to the external schema (Spectrum in AWS, the local catalog's views on a laptop).
Freshness is configured in ``dbt_project.yml`` and measured on ``_ingested_at``.
"""

from __future__ import annotations

from typing import Any

import yaml

from strata.catalog.tables import table_for
from strata.contracts.model import SourceContract

SOURCE_NAME = "lake"
LOADED_AT_FIELD = "_ingested_at"
SOURCES_FILE = "models/_sources.yml"

HEADER = """\
# Generated from sources/*.yaml by `strata models sources`. Do not edit by hand: change the
# contracts and regenerate (`make test` checks it is current). Freshness is configured in
# dbt_project.yml (sources: strata: lake: +freshness).
"""


def sources_document(contracts: dict[str, SourceContract], external_schema: str) -> dict[str, Any]:
    tables = []
    for name in sorted(contracts):
        contract = contracts[name]
        table = table_for(contract, location="")
        columns = [*table.columns, *table.partition_keys]
        tables.append(
            {
                "name": name,
                "description": contract.description.strip(),
                "columns": [
                    {"name": column.name, "description": column.comment}
                    if column.comment
                    else {"name": column.name}
                    for column in columns
                ],
            }
        )
    source = {
        "name": SOURCE_NAME,
        "description": "The cleansed layer: one typed table per source contract.",
        "schema": external_schema,
        "config": {"loaded_at_field": LOADED_AT_FIELD},
        "tables": tables,
    }
    return {"version": 2, "sources": [source]}


def sources_yaml(contracts: dict[str, SourceContract], external_schema: str) -> str:
    body = yaml.safe_dump(
        sources_document(contracts, external_schema),
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return HEADER + body
