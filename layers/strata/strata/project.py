"""The project files Strata runs on: source contracts (``sources/``) and the warehouse
models (``warehouse/``). Locally they are read from the repository; in AWS from the artifacts
bucket, where ``strata publish`` puts them at deploy time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from strata.contracts.loader import parse_contract
from strata.contracts.model import SourceContract
from strata.errors import SourceNotFoundError
from strata.storage.base import ObjectStore

SOURCES = "sources/"
WAREHOUSE = "warehouse/"


@dataclass(frozen=True)
class Project:
    contracts: dict[str, SourceContract]
    warehouse_files: dict[str, str] = field(default_factory=dict)  # path under warehouse/ → text

    def contract(self, source: str) -> SourceContract:
        try:
            return self.contracts[source]
        except KeyError:
            known = ", ".join(sorted(self.contracts)) or "none"
            raise SourceNotFoundError(
                f"no contract for source {source!r} (known: {known})", file=f"sources/{source}.yaml"
            ) from None


def load_project(store: ObjectStore, prefix: str = "") -> Project:
    """Read and validate every contract, then the warehouse files. Fails before anything runs."""
    contracts: dict[str, SourceContract] = {}
    for info in store.list(prefix + SOURCES):
        relative = info.key[len(prefix) :]
        if PurePosixPath(relative).suffix not in (".yaml", ".yml") or relative.count("/") != 1:
            continue
        text = store.get_bytes(info.key).decode("utf-8")
        contract = parse_contract(text, relative)
        contracts[contract.name] = contract
    files = {}
    for info in store.list(prefix + WAREHOUSE):
        relative = info.key[len(prefix + WAREHOUSE) :]
        if any(part.startswith(".") for part in PurePosixPath(relative).parts):
            continue
        # Other files are listed by name only, so that what Strata does not implement (dbt
        # seeds, docs blocks...) is refused rather than silently left out.
        text = PurePosixPath(relative).suffix in (".sql", ".yml", ".yaml")
        files[relative] = store.get_bytes(info.key).decode("utf-8") if text else ""
    return Project(contracts=contracts, warehouse_files=files)
