"""What each environment's schemas hold, recorded by its builds: dbt's ``--state`` artifacts.

Every ``build`` of a target rewrites its environment's record
(:func:`strata.lake.keys.environment_state_key`): for each model it built, the checksum of
what it was built from (the SQL file, its merged config, its YAML columns and the macros it
calls), its relation, parents, columns and key, and whether the build succeeded; models the
build did not select keep their earlier entries. The last build's outcome, with a checksum of
the whole warehouse project, is kept too, for ``promote`` to refuse a failed or stale test build.

- ``--select state:modified`` compares the models' checksums now with an environment's record
  (new models, changed SQL, config, columns or macros; a model whose last build failed);
- ``--defer --state prod`` reads the models a run does not build from that environment's
  relations (:attr:`strata.models.targets.Target.deferred`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from strata.errors import ModelError, ObjectNotFoundError
from strata.lake.keys import environment_state_key
from strata.models.compiler import CompiledProject
from strata.models.project import Model, TestSpec
from strata.models.selection import StateComparison
from strata.storage.base import ObjectStore

VERSION = 1
SUCCESS = "success"
_MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(")


@dataclass
class EnvironmentState:
    environment: str
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_build: dict[str, Any] | None = None

    def document(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "environment": self.environment,
            "last_build": self.last_build,
            "models": self.models,
        }

    def built(self, name: str) -> dict[str, Any] | None:
        """The model's entry when its last build in this environment succeeded."""
        entry = self.models.get(name)
        return entry if entry and entry.get("status") == SUCCESS else None


def load(store: ObjectStore, environment: str) -> EnvironmentState | None:
    key = environment_state_key(environment)
    try:
        document = json.loads(store.get_bytes(key))
    except ObjectNotFoundError:
        return None
    return EnvironmentState(
        environment=environment,
        models=document.get("models") or {},
        last_build=document.get("last_build"),
    )


def require(store: ObjectStore, environment: str, why: str) -> EnvironmentState:
    """The environment's record, or an error saying how to make one."""
    found = load(store, environment)
    if found is None or not found.models:
        target = "prod" if environment == "prod" else environment
        raise ModelError(
            f"{why}: no build of environment {environment!r} is recorded "
            f"({store.uri(environment_state_key(environment))}); build it first: "
            f"strata models build --target {target}"
        )
    return found


def save(store: ObjectStore, state: EnvironmentState) -> None:
    body = json.dumps(state.document(), indent=2, sort_keys=True).encode()
    store.put_bytes(environment_state_key(state.environment), body)


# ---------------------------------------------------------------------------- checksums
def model_config(model: Model) -> dict[str, Any]:
    """The model's merged config as the manifest writes it."""
    config = model.config
    return {
        "materialized": config.materialized,
        "schema": config.schema_name,
        "unique_key": config.unique_key,
        "incremental_strategy": config.strategy if model.materialized == "incremental" else None,
        "tags": config.tags,
        "dist": config.dist,
        "sort": config.sort,
        "sort_type": config.sort_type,
        "grants": config.grants,
    }


def primary_key(model: Model, tests: list[TestSpec]) -> list[str]:
    """The columns that identify a row, for ``diff``: the configured ``unique_key``, else the
    first column tested both ``unique`` and ``not_null``; empty when there is none (rows are
    then compared whole)."""
    if model.config.unique_key:
        return list(model.config.unique_key)
    tested: dict[str, set[str]] = {}
    for test in tests:
        if test.model == model.name and test.column and test.kind in ("unique", "not_null"):
            tested.setdefault(test.column, set()).add(test.kind)
    keys = [column for column, kinds in tested.items() if kinds == {"unique", "not_null"}]
    return keys[:1]


class Checksums:
    """Each model's checksum, independent of the target: the raw SQL (not the compiled one,
    whose relations carry the target's schemas), the merged config, the YAML columns and the
    text of every macro file it calls, directly or through another macro."""

    def __init__(self, files: dict[str, str]) -> None:
        self.macro_files = {
            path: text
            for path, text in sorted(files.items())
            if path.startswith("macros/") and path.endswith(".sql")
        }
        self.defined = {path: set(_MACRO.findall(text)) for path, text in self.macro_files.items()}

    def macros_called(self, sql: str) -> list[str]:
        """The macro files ``sql`` calls (a macro is known by ``name(`` in the text)."""
        found: list[str] = []
        pending = [sql]
        while pending:
            text = pending.pop()
            for path, names in self.defined.items():
                if path not in found and any(f"{name}(" in text for name in names):
                    found.append(path)
                    pending.append(self.macro_files[path])
        return sorted(found)

    def of(self, model: Model) -> str:
        document = {
            "sql": model.raw_sql,
            "config": model.config.model_dump(mode="json", by_alias=True),
            "columns": model.columns,
            "macros": [self.macro_files[path] for path in self.macros_called(model.raw_sql)],
        }
        return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def project_checksum(files: dict[str, str]) -> str:
    """The whole warehouse project's files (``profiles.yml`` aside: it names targets)."""
    digest = hashlib.sha256()
    for path, text in sorted(files.items()):
        if path != "profiles.yml":
            digest.update(f"{path}\0{text}\0".encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------------- comparison
def compare(compiled: CompiledProject, state: EnvironmentState) -> StateComparison:
    """Models that are new to the environment, changed since its last build there, or whose
    last build there failed."""
    checksums = Checksums(compiled.project.files)
    changed, new = set(), set()
    for model in compiled.models:
        entry = state.built(model.name)
        if model.name not in state.models:
            new.add(model.name)
        if entry is None or entry.get("checksum") != checksums.of(model):
            changed.add(model.name)
    return StateComparison(state.environment, modified=changed, new=new)


def deferrals(built: list[str], read: list[str], state: EnvironmentState) -> dict[str, str]:
    """``--defer``: each model the run reads (``read``: the selected models' and tests'
    parents) but does not build, read from the environment's relation. A parent the
    environment never built successfully keeps the run's own relation."""
    chosen = set(built)
    deferred = {}
    for name in read:
        entry = state.built(name)
        if name not in chosen and entry is not None:
            deferred[name] = entry["relation"]
    return deferred


# ---------------------------------------------------------------------------- recording
def record_build(
    store: ObjectStore, manifest: dict[str, Any], results: dict[str, dict[str, Any]]
) -> EnvironmentState:
    """Merge a finished build's models into its environment's record."""
    metadata = manifest["metadata"]
    environment = metadata.get("environment") or metadata["target"]
    state = load(store, environment) or EnvironmentState(environment)
    built = []
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] != "model":
            continue
        status = (results.get(uid) or {}).get("status", "skipped")
        built.append(node["name"])
        state.models[node["name"]] = {
            "checksum": node["checksum"]["checksum"],
            "status": SUCCESS if status == SUCCESS else status,
            "relation": node["relation"],
            "materialized": node["materialized"],
            "path": node["path"],
            "depends_on": [parent.split(".")[-1] for parent in node["depends_on"]["nodes"]],
            "columns": sorted(node["columns"]),
            "key": node.get("key") or [],
            "run_id": metadata["run_id"],
        }
    failed = [
        result["unique_id"] for result in results.values() if result["status"] in ("error", "fail")
    ]
    state.last_build = {
        "run_id": metadata["run_id"],
        "target": metadata["target"],
        "status": "error" if failed else SUCCESS,
        "failed": failed,
        "project_checksum": metadata.get("project_checksum"),
        "select": metadata["select"],
        "deferred": metadata.get("deferred") or {},
        "models": built,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    save(store, state)
    return state
