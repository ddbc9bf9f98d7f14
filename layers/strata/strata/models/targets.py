"""Targets (environments): ``dev``, ``test`` and ``prod``, declared in ``warehouse/profiles.yml``.

Each target builds into its own schemas: ``prod`` uses the configured names (``stage``,
``analytics``), any other target prefixes them with its name (``test_stage``), so the targets
can share one Redshift workgroup. ``warehouse/macros/generate_schema_name.sql`` states the same
rule for dbt's own tools; one target per developer (``dev_alice``) gives each developer schemas
of their own. The external (cleansed) schema is shared by every target, never prefixed.

The local lake is private to one machine (``isolate_schemas=False``): there the lake's own
environment (``STRATA_ENV``, the *home* target the pipeline builds) keeps the plain names as
well, which is what the dashboards and a SQL client opening ``lake/warehouse.duckdb`` expect;
it stands in for production, so its builds are recorded as ``prod``'s. Every other target gets
its own prefixed schemas in the same file, as in AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    # ``--defer``: models this run does not build, read from another environment's relations
    # (model name → relation) instead of this target's own.
    deferred: dict[str, str] = field(default_factory=dict, compare=False)

    def schema(self, configured: str | None) -> str:
        return f"{self.schema_prefix}{configured or DEFAULT_SCHEMA}"

    @property
    def environment(self) -> str:
        """Whose schemas this target builds: ``prod`` for the plain names, else its name. A
        build's record (:mod:`strata.models.state`) is kept under it."""
        return self.name if self.schema_prefix else PRODUCTION

    def ref_relation(self, model: str, relation: str) -> str:
        """What ``ref(model)`` reads: the deferred relation when there is one."""
        return self.deferred.get(model, relation)

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


def resolve_target(
    files: dict[str, str], name: str, *, isolate_schemas: bool, home: str | None = None
) -> Target:
    """``home``: on a private warehouse (``isolate_schemas=False``), the lake's own
    environment, which keeps the plain schema names beside ``prod`` (``None``: every target
    does)."""
    outputs = declared_targets(files)
    if outputs and name not in outputs:
        known = ", ".join(sorted(outputs))
        raise ModelError(f"profiles.yml: no target {name!r} (targets: {known})")
    threads = int((outputs.get(name) or {}).get("threads", DEFAULT_THREADS))
    if threads < 1:
        raise ModelError(f"profiles.yml: target {name!r}: threads must be at least 1")
    plain = name == PRODUCTION or (not isolate_schemas and (home is None or name == home))
    prefix = "" if plain else f"{name}_"
    return Target(name=name, threads=threads, schema_prefix=prefix)
