"""Targets (environments): ``dev`` and ``prod``, declared in ``warehouse/profiles.yml``.

Each target builds into its own schemas: ``prod`` uses the configured names (``stage``,
``analytics``), any other target prefixes them with its name (``dev_stage``), so dev and prod
can share one Redshift workgroup. ``warehouse/macros/generate_schema_name.sql`` states the same
rule for dbt's own tools. The local lake is private to one machine: there, every target keeps
the plain names (``isolate_schemas=False``), which is what a SQL client opening
``lake/warehouse.duckdb`` expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from strata.errors import ModelError

PRODUCTION = "prod"
DEFAULT_SCHEMA = "public"
DEFAULT_THREADS = 4


@dataclass(frozen=True)
class Target:
    name: str
    threads: int = DEFAULT_THREADS
    schema_prefix: str = ""

    def schema(self, configured: str | None) -> str:
        return f"{self.schema_prefix}{configured or DEFAULT_SCHEMA}"

    def context(self) -> dict[str, Any]:
        """``target`` as models see it in Jinja."""
        return {
            "name": self.name,
            "type": "redshift",
            "schema": self.schema(None),
            "threads": self.threads,
        }


def declared_targets(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The outputs of ``profiles.yml`` (``{}`` when the project has none)."""
    text = files.get("profiles.yml")
    if text is None:
        return {}
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ModelError(f"profiles.yml: not valid YAML: {exc}") from exc
    profiles = [value for value in document.values() if isinstance(value, dict)]
    outputs: dict[str, dict[str, Any]] = {}
    for profile in profiles:
        outputs.update(profile.get("outputs") or {})
    return outputs


def resolve_target(files: dict[str, str], name: str, *, isolate_schemas: bool) -> Target:
    outputs = declared_targets(files)
    if outputs and name not in outputs:
        known = ", ".join(sorted(outputs))
        raise ModelError(f"profiles.yml: no target {name!r} (targets: {known})")
    threads = int((outputs.get(name) or {}).get("threads", DEFAULT_THREADS))
    if threads < 1:
        raise ModelError(f"profiles.yml: target {name!r}: threads must be at least 1")
    prefix = f"{name}_" if isolate_schemas and name != PRODUCTION else ""
    return Target(name=name, threads=threads, schema_prefix=prefix)
