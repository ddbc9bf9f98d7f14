"""The per-source section of ``template.yaml``: one ingestion function per api/sftp source."""

from __future__ import annotations

from strata.contracts.model import SourceContract

# Function folder (``functions/<folder>/app.py``) per kind of scheduled source.
FUNCTION_FOLDERS = {"api": "ingest_api", "sftp": "ingest_sftp"}


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def function_id(contract: SourceContract) -> str:
    """The source's function resource: ``orders_api`` → ``OrdersApiIngestFunction``."""
    return f"{camel(contract.name)}IngestFunction"


def scheduled_sources(contracts: dict[str, SourceContract]) -> list[SourceContract]:
    """The sources Strata fetches itself on a schedule, in name order."""
    return [
        contracts[name] for name in sorted(contracts) if contracts[name].kind in FUNCTION_FOLDERS
    ]
