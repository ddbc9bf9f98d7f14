"""The warehouse project: a dbt-compatible subset, read from the files under ``warehouse/``.

- ``dbt_project.yml``: name, paths, ``vars``, folder configs (``+materialized``, ``+schema``,
  ``+tags``...) and source freshness (``sources: <project>: lake: +freshness``);
- ``profiles.yml``: the targets (see :mod:`strata.models.targets`);
- ``models/**.sql``: the models; ``models/**.yml``: descriptions and column tests;
- ``tests/*.sql``: singular tests (a query returning the failing rows).

``models/_sources.yml`` is generated from the contracts (:mod:`strata.models.sources`): it is
for dbt's tools; Strata resolves ``source()`` against the contracts themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from strata.errors import ModelError
from strata.models.config import (
    Freshness,
    ModelConfig,
    TestConfig,
    parse_freshness,
    parse_test_config,
)

GENERIC_TESTS = ("not_null", "unique", "accepted_values", "relationships")


@dataclass
class TestSpec:
    """A data test: generic (declared on a column in schema YAML) or singular (a SQL file)."""

    name: str
    kind: str  # not_null | unique | accepted_values | relationships | singular
    path: str
    model: str | None = None  # the model a generic test is declared on
    column: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    config: TestConfig = field(default_factory=TestConfig)
    raw_sql: str = ""
    # filled by compilation
    compiled_sql: str = ""
    depends_on: list[str] = field(default_factory=list)

    @property
    def severity(self) -> str:
        return self.config.severity


@dataclass
class Model:
    name: str
    path: str  # under warehouse/
    raw_sql: str
    folder_config: dict[str, Any]
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # name → description
    tests: list[TestSpec] = field(default_factory=list)
    # filled by compilation
    config: ModelConfig = field(default_factory=ModelConfig)
    schema: str = ""
    refs: list[str] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    compiled_sql: str = ""
    incremental_sql: str | None = None  # the is_incremental() rendering, for incremental models

    @property
    def materialized(self) -> str:
        return self.config.materialized

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class WarehouseProject:
    name: str
    models: dict[str, Model]
    tests: list[TestSpec] = field(default_factory=list)  # singular tests
    variables: dict[str, Any] = field(default_factory=dict)
    freshness: dict[tuple[str, str | None], Freshness | None] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def all_tests(self) -> list[TestSpec]:
        generic = [test for model in self.models.values() for test in model.tests]
        return [*generic, *self.tests]

    def source_freshness(self, source: str, table: str) -> Freshness | None:
        """Table setting over source setting; ``freshness: null`` switches it off."""
        for key in ((source, table), (source, None)):
            if key in self.freshness:
                return self.freshness[key]
        return None


def load_warehouse_project(files: dict[str, str]) -> WarehouseProject:
    """Build the project from its files (paths relative to ``warehouse/``)."""
    if "dbt_project.yml" not in files:
        raise ModelError("warehouse/dbt_project.yml is missing")
    settings = _yaml(files["dbt_project.yml"], "dbt_project.yml")
    name = settings.get("name")
    if not isinstance(name, str):
        raise ModelError("dbt_project.yml: `name` is required")
    model_paths = settings.get("model-paths", ["models"])
    test_paths = settings.get("test-paths", ["tests"])
    folder_configs = (settings.get("models") or {}).get(name, {}) or {}
    models: dict[str, Model] = {}
    singular: list[TestSpec] = []
    for path, text in sorted(files.items()):
        pure = PurePosixPath(path)
        if pure.suffix != ".sql":
            continue
        if pure.parts[0] in model_paths:
            if pure.stem in models:
                raise ModelError(
                    f"two models are named {pure.stem!r}: {models[pure.stem].path}, {path}"
                )
            folders = pure.parts[1:-1]
            models[pure.stem] = Model(
                pure.stem, path, text, _folder_config(folder_configs, folders)
            )
        elif pure.parts[0] in test_paths:
            singular.append(TestSpec(name=pure.stem, kind="singular", path=path, raw_sql=text))
    for path, text in sorted(files.items()):
        pure = PurePosixPath(path)
        if pure.suffix in (".yml", ".yaml") and pure.parts[0] in model_paths:
            _describe_models(models, _yaml(text, path), path)
    _name_tests_uniquely([*(t for m in models.values() for t in m.tests), *singular])
    return WarehouseProject(
        name=name,
        models=models,
        tests=singular,
        variables=dict(settings.get("vars") or {}),
        freshness=_freshness_configs(settings, name),
        files=files,
    )


def _folder_config(configs: dict[str, Any], folders: tuple[str, ...]) -> dict[str, Any]:
    """``+key`` settings from the project root down to the model's folder; tags add up."""
    merged: dict[str, Any] = {}
    tags: list[str] = []
    node: dict[str, Any] = configs
    for folder in ("", *folders):
        if folder:
            node = node.get(folder, {}) or {}
        for key, value in node.items():
            if not key.startswith("+"):
                continue
            if key == "+tags":
                tags += [value] if isinstance(value, str) else list(value or [])
            else:
                merged[key[1:]] = value
    if tags:
        merged["tags"] = tags
    return merged


def _describe_models(models: dict[str, Model], document: dict[str, Any], path: str) -> None:
    for entry in document.get("models", []) or []:
        model = models.get(entry.get("name"))
        if model is None:
            raise ModelError(f"{path}: describes unknown model {entry.get('name')!r}")
        model.description = str(entry.get("description") or "")
        if entry.get("data_tests") or entry.get("tests"):
            raise ModelError(
                f"{path}: model-level tests are outside the supported dbt subset "
                "(declare tests on columns, or write a singular test in tests/)",
                model=model.name,
            )
        for column in entry.get("columns", []) or []:
            model.columns[column["name"]] = str(column.get("description") or "")
            for test in column.get("data_tests", column.get("tests", [])) or []:
                model.tests.append(_generic_test(test, column["name"], model.name, path))


def _generic_test(test: Any, column: str, model: str, path: str) -> TestSpec:
    if isinstance(test, str):
        kind, arguments = test, {}
    elif isinstance(test, dict) and len(test) == 1:
        kind, arguments = next(iter(test.items()))
        arguments = dict(arguments or {})
    else:
        raise ModelError(f"{path}: cannot read test {test!r} of column {column!r}", model=model)
    if kind not in GENERIC_TESTS:
        raise ModelError(
            f"{path}: test {kind!r} on column {column!r} is outside the supported dbt subset "
            f"(supported: {', '.join(GENERIC_TESTS)}, and singular tests in tests/)",
            model=model,
        )
    config = dict(arguments.pop("config", {}) or {})
    if "severity" in arguments:  # the pre-1.10 spelling
        config.setdefault("severity", arguments.pop("severity"))
    arguments.update(arguments.pop("arguments", {}) or {})
    name = f"{kind}_{model}_{column}"
    spec = TestSpec(name=name, kind=kind, path=path, model=model, column=column)
    spec.config = parse_test_config(config, test=name)
    spec.arguments = arguments
    _check_arguments(spec)
    return spec


def _check_arguments(test: TestSpec) -> None:
    required = {"accepted_values": {"values"}, "relationships": {"to", "field"}}.get(
        test.kind, set()
    )
    allowed = required | ({"quote"} if test.kind == "accepted_values" else set())
    missing = required - set(test.arguments)
    unknown = set(test.arguments) - allowed
    if missing or unknown:
        problem = (
            f"needs {', '.join(sorted(missing))}"
            if missing
            else f"does not take {', '.join(sorted(unknown))}"
        )
        raise ModelError(f"{test.path}: test {test.kind} {problem}", model=test.model)


def _name_tests_uniquely(tests: list[TestSpec]) -> None:
    seen: dict[str, int] = {}
    for test in tests:
        count = seen.get(test.name, 0) + 1
        seen[test.name] = count
        if count > 1:
            test.name = f"{test.name}_{count}"


def _freshness_configs(
    settings: dict[str, Any], project: str
) -> dict[tuple[str, str | None], Freshness | None]:
    found: dict[tuple[str, str | None], Freshness | None] = {}
    root = (settings.get("sources") or {}).get(project) or {}
    for source, node in root.items():
        if source.startswith("+") or not isinstance(node, dict):
            continue
        if "+freshness" in node:
            found[(source, None)] = parse_freshness(node["+freshness"], where=f"sources.{source}")
        for table, table_node in node.items():
            if isinstance(table_node, dict) and "+freshness" in table_node:
                found[(source, table)] = parse_freshness(
                    table_node["+freshness"], where=f"sources.{source}.{table}"
                )
    return found


def _yaml(text: str, path: str) -> dict[str, Any]:
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ModelError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise ModelError(f"{path}: expected a mapping")
    return document
