"""The warehouse project: a dbt-compatible subset (``ref``, ``source``, ``config``, schema YAML
tests), compiled to Redshift SQL. Models are read from the project files, rendered with Jinja,
and their dependencies taken from the ``ref``/``source`` calls they make."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from strata.errors import ModelError


@dataclass
class ModelTest:
    kind: str  # not_null | unique | accepted_values | relationships
    column: str
    severity: str = "error"
    arguments: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.column}"


@dataclass
class Model:
    name: str
    path: str  # under warehouse/
    raw_sql: str
    folder_config: dict[str, Any]
    tests: list[ModelTest] = field(default_factory=list)
    # filled by compilation
    config: dict[str, Any] = field(default_factory=dict)
    refs: list[str] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    compiled_sql: str = ""

    @property
    def materialized(self) -> str:
        return str(self.config.get("materialized", "view"))

    @property
    def schema(self) -> str:
        return str(self.config.get("schema", "public"))


@dataclass
class WarehouseProject:
    name: str
    models: dict[str, Model]


def load_warehouse_project(files: dict[str, str]) -> WarehouseProject:
    """Build the project from its files (paths relative to ``warehouse/``)."""
    if "dbt_project.yml" not in files:
        raise ModelError("warehouse/dbt_project.yml is missing")
    settings = _yaml(files["dbt_project.yml"], "dbt_project.yml")
    name = settings.get("name")
    if not isinstance(name, str):
        raise ModelError("dbt_project.yml: `name` is required")
    model_paths = settings.get("model-paths", ["models"])
    folder_configs = (settings.get("models") or {}).get(name, {}) or {}
    models: dict[str, Model] = {}
    for path, text in sorted(files.items()):
        pure = PurePosixPath(path)
        if pure.suffix != ".sql" or pure.parts[0] not in model_paths:
            continue
        if pure.stem in models:
            raise ModelError(
                f"two models are named {pure.stem!r}: {models[pure.stem].path}, {path}"
            )
        folders = pure.parts[1:-1]
        models[pure.stem] = Model(pure.stem, path, text, _folder_config(folder_configs, folders))
    for path, text in sorted(files.items()):
        pure = PurePosixPath(path)
        if pure.suffix in (".yml", ".yaml") and pure.parts[0] in model_paths:
            _attach_tests(models, _yaml(text, path), path)
    return WarehouseProject(name=name, models=models)


def _folder_config(configs: dict[str, Any], folders: tuple[str, ...]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    node: dict[str, Any] = configs
    for folder in ("", *folders):
        if folder:
            node = node.get(folder, {}) or {}
        merged.update({key[1:]: value for key, value in node.items() if key.startswith("+")})
    return merged


def _attach_tests(models: dict[str, Model], document: dict[str, Any], path: str) -> None:
    for entry in document.get("models", []) or []:
        model = models.get(entry.get("name"))
        if model is None:
            raise ModelError(f"{path}: describes unknown model {entry.get('name')!r}")
        for column in entry.get("columns", []) or []:
            for test in column.get("data_tests", column.get("tests", [])) or []:
                model.tests.append(_test(test, column["name"], model.name, path))


def _test(test: Any, column: str, model: str, path: str) -> ModelTest:
    if isinstance(test, str):
        return ModelTest(test, column)
    if isinstance(test, dict) and len(test) == 1:
        kind, arguments = next(iter(test.items()))
        arguments = dict(arguments or {})
        arguments.update(arguments.pop("arguments", {}) or {})
        config = arguments.pop("config", {}) or {}
        severity = str(config.get("severity", arguments.pop("severity", "error"))).lower()
        return ModelTest(kind, column, severity, arguments)
    raise ModelError(f"{path}: cannot read test {test!r} of column {column!r}", model=model)


def _yaml(text: str, path: str) -> dict[str, Any]:
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ModelError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise ModelError(f"{path}: expected a mapping")
    return document
