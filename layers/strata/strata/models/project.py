"""The warehouse project: a dbt-compatible subset, read from the files under ``warehouse/``.

- ``dbt_project.yml``: name, paths, ``vars``, folder configs (``+materialized``, ``+schema``,
  ``+tags``...) and source freshness (``sources: <project>: lake: +freshness``);
- ``profiles.yml``: the targets (see :mod:`strata.models.targets`);
- ``models/**.sql``: the models; ``models/**.yml``: descriptions and column tests;
- ``tests/*.sql``: singular tests (a query returning the failing rows);
- ``tests/generic/*.sql`` and ``macros/*.sql``: generic test definitions and macros
  (:mod:`strata.models.macros`); ``unit_tests:`` in the models' YAML (:mod:`.unit_specs`).

``models/_sources.yml`` is generated from the contracts (:mod:`strata.models.sources`): it is
for dbt's tools; Strata resolves ``source()`` against the contracts themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from strata.errors import ModelError
from strata.models import subset
from strata.models.config import (
    Freshness,
    ModelConfig,
    TestConfig,
    check_config_values,
    merge_configs,
    parse_freshness,
    parse_test_config,
)
from strata.models.macros import MacroDef, MacroLibrary
from strata.models.unit_specs import UnitTestSpec, read_unit_tests
from strata.models.yamlfile import Marked, load_yaml, refuse, shown

GENERIC_TESTS = ("not_null", "unique", "accepted_values", "relationships")


@dataclass
class TestSpec:
    """A data test: generic (declared on a column in schema YAML) or singular (a SQL file)."""

    name: str
    kind: str  # not_null | unique | accepted_values | relationships | singular | a macro's
    path: str
    model: str | None = None  # the model a generic test is declared on
    column: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    config: TestConfig = field(default_factory=TestConfig)
    raw_sql: str = ""
    declared_config: dict[str, Any] = field(default_factory=dict)  # a generic test's YAML config
    definition: MacroDef | None = None  # a custom generic test's {% test %} block
    checked: str = ""  # a singular test's rendering with line markers
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
    yaml_config: dict[str, Any] = field(default_factory=dict)  # `config:` in the model's YAML
    yaml_config_line: int | None = None  # where that `config:` is, in yaml_path
    yaml_path: str | None = None
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
    checked: list[str] = field(default_factory=list)  # the renderings with line markers

    @property
    def materialized(self) -> str:
        return self.config.materialized

    @property
    def file(self) -> str:
        return shown(self.path)

    @property
    def declared_config(self) -> dict[str, Any]:
        """dbt_project.yml's folder configs, overridden by the model's YAML ``config:``
        (the SQL file's own ``config()`` overrides both, at compilation)."""
        return merge_configs(self.folder_config, self.yaml_config)

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
    macros: MacroLibrary = field(default_factory=lambda: MacroLibrary({}))
    unit_tests: list[UnitTestSpec] = field(default_factory=list)
    checked: set[tuple[str, ...]] = field(default_factory=set)  # generic tests read as Redshift

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
    settings = load_yaml(files["dbt_project.yml"], "dbt_project.yml")
    name = settings.get("name")
    if not isinstance(name, str):
        raise refuse("`name` is required", "dbt_project.yml", settings.line)
    subset.check_project_settings(settings)
    subset.check_files(files, settings)
    model_paths = settings.get("model-paths", ["models"])
    test_paths = settings.get("test-paths", ["tests"])
    folder_configs = _project_folder_configs(settings, name, files, model_paths)
    library = MacroLibrary(_macro_files(files, settings, test_paths))
    models: dict[str, Model] = {}
    singular: list[TestSpec] = []
    for path, text in sorted(files.items()):
        pure = PurePosixPath(path)
        if pure.suffix != ".sql" or path in library.files:
            continue
        if pure.parts[0] in model_paths:
            if pure.stem in models:
                raise refuse(f"two models are named {pure.stem!r}: {models[pure.stem].path}", path)
            folders = pure.parts[1:-1]
            models[pure.stem] = Model(
                pure.stem, path, text, _folder_config(folder_configs, folders)
            )
        elif pure.parts[0] in test_paths:
            singular.append(TestSpec(name=pure.stem, kind="singular", path=path, raw_sql=text))
    unit_tests: list[UnitTestSpec] = []
    for path, text in sorted(files.items()):
        pure = PurePosixPath(path)
        if pure.suffix in (".yml", ".yaml") and pure.parts[0] in model_paths:
            document = load_yaml(text, path)
            _describe_models(models, document, path, library)
            unit_tests.extend(_unit_tests(document, path, models))
    _name_tests_uniquely([*(t for m in models.values() for t in m.tests), *singular])
    return WarehouseProject(
        name=name,
        models=models,
        tests=singular,
        variables=dict(settings.get("vars") or {}),
        freshness=_freshness_configs(settings, name),
        files=files,
        macros=library,
        unit_tests=unit_tests,
    )


def _macro_files(files: dict[str, str], settings: Marked, test_paths: list[str]) -> dict[str, str]:
    """The macro folders' files and the generic test definitions (``tests/generic/``)."""
    macro_paths = settings.get("macro-paths", ["macros"])
    found = {}
    for path, text in files.items():
        parts = PurePosixPath(path).parts
        generic = len(parts) > 2 and parts[0] in test_paths and parts[1] == subset.GENERIC_FOLDER
        if path.endswith(".sql") and (parts[0] in macro_paths or generic):
            found[path] = text
    return found


def _unit_tests(document: Marked, path: str, models: dict[str, Model]) -> list[UnitTestSpec]:
    found = read_unit_tests(document, path)
    for test in found:
        if test.model not in models:
            message = f"unit test {test.name!r} names unknown model {test.model!r}"
            raise refuse(message, path, test.line)
    return found


def _project_folder_configs(
    settings: Marked, name: str, files: dict[str, str], model_paths: list[str]
) -> dict[str, Any]:
    """``models: <project>:`` of dbt_project.yml, each ``+key`` checked where it is written."""
    models = settings.get("models") or {}
    for project in models:
        if project != name:
            raise refuse(
                f"models: {project!r} is not this project ({name!r}): packages are outside the "
                "supported dbt subset",
                "dbt_project.yml",
                models.line_of(project),
            )
    configs = models.get(name) or {}
    folders = {
        PurePosixPath(path).parent.parts[1:] for path in files if path.split("/")[0] in model_paths
    }
    _check_folder_node(configs, (), folders)
    return configs


def _check_folder_node(node: Any, where: tuple[str, ...], folders: set[tuple[str, ...]]) -> None:
    if not isinstance(node, Marked):
        return
    for key, value in node.items():
        line = node.line_of(key)
        if key.startswith("+"):
            check_config_values({key[1:]: value}, file=shown("dbt_project.yml"), line=line)
            continue
        folder = (*where, key)
        if not isinstance(value, dict):
            raise refuse(
                f"{key!r} names a folder: write a config as +{key}", "dbt_project.yml", line
            )
        if not any(existing[: len(folder)] == folder for existing in folders):
            raise refuse(
                f"models/{'/'.join(folder)}/ is no folder of models", "dbt_project.yml", line
            )
        _check_folder_node(value, folder, folders)


def _folder_config(configs: dict[str, Any], folders: tuple[str, ...]) -> dict[str, Any]:
    """``+key`` settings from the project root down to the model's folder; tags add up."""
    layers: list[dict[str, Any]] = []
    node: dict[str, Any] = configs
    for folder in ("", *folders):
        if folder:
            node = node.get(folder, {}) or {}
        layers.append({key[1:]: value for key, value in node.items() if key.startswith("+")})
    return merge_configs(*layers)


def _describe_models(
    models: dict[str, Model], document: Marked, path: str, library: MacroLibrary
) -> None:
    subset.check_yaml_document(document, path)
    for entry in document.get("models", []) or []:
        subset.check_model_entry(entry, path)
        model = models.get(entry["name"])
        if model is None:
            raise refuse(f"describes unknown model {entry['name']!r}", path, entry.line)
        model.description = str(entry.get("description") or "")
        if entry.get("data_tests") or entry.get("tests"):
            key = "data_tests" if "data_tests" in entry else "tests"
            raise refuse(
                "model-level tests are outside the supported dbt subset "
                "(declare tests on columns, or write a singular test in tests/)",
                path,
                entry.line_of(key),
            )
        if "config" in entry:
            _yaml_config(model, entry, path)
        for column in entry.get("columns", []) or []:
            model.columns[column["name"]] = str(column.get("description") or "")
            line = column.line_of("data_tests" if "data_tests" in column else "tests")
            for test in column.get("data_tests", column.get("tests", [])) or []:
                spec = _generic_test(test, column["name"], model.name, path, line, library)
                model.tests.append(spec)


def _yaml_config(model: Model, entry: Marked, path: str) -> None:
    config = entry["config"]
    line = entry.line_of("config")
    if not isinstance(config, dict):
        raise refuse("`config:` must be a mapping of settings", path, line)
    for key, value in config.items():
        where = config.line_of(key) if isinstance(config, Marked) else line
        check_config_values({key: value}, file=shown(path), line=where)
    model.yaml_config, model.yaml_config_line, model.yaml_path = dict(config), line, path


def _generic_test(
    test: Any, column: str, model: str, path: str, line: int, library: MacroLibrary
) -> TestSpec:
    if isinstance(test, str):
        kind, arguments = test, {}
    elif isinstance(test, dict) and len(test) == 1:
        kind, arguments = next(iter(test.items()))
        arguments = dict(arguments or {})
    else:
        raise ModelError(
            f"cannot read test {test!r} of column {column!r}",
            model=model,
            file=shown(path),
            line=line,
        )
    definition = library.generic_test(kind)
    if kind not in GENERIC_TESTS and definition is None:
        raise ModelError(
            f"test {kind!r} on column {column!r} is outside the supported dbt subset: "
            f"neither a built-in test ({', '.join(GENERIC_TESTS)}) nor a "
            "{% test name(model, column_name) %} block of tests/generic/ or macros/"
            + (" (packages are not supported)" if "." in str(kind) else ""),
            model=model,
            file=shown(path),
            line=line,
        )
    config = dict(arguments.pop("config", {}) or {})
    if "severity" in arguments:  # the pre-1.10 spelling
        config.setdefault("severity", arguments.pop("severity"))
    arguments.update(arguments.pop("arguments", {}) or {})
    name = f"{kind}_{model}_{column}"
    spec = TestSpec(name=name, kind=kind, path=path, model=model, column=column)
    spec.config = parse_test_config(config, test=name)
    spec.declared_config = config
    spec.arguments = arguments
    spec.definition = definition if kind not in GENERIC_TESTS else None
    _check_arguments(spec, line)
    return spec


def _check_arguments(test: TestSpec, line: int) -> None:
    required = {"accepted_values": {"values"}, "relationships": {"to", "field"}}.get(
        test.kind, set()
    )
    allowed = required | ({"quote"} if test.kind == "accepted_values" else set())
    if test.definition is not None:
        given = {"model", "column_name"}
        missing_given = given - set(test.definition.arguments)
        if missing_given:
            raise ModelError(
                f"the generic test {test.kind!r} must take {', '.join(sorted(missing_given))} "
                f"(write {{% test {test.kind}(model, column_name) %}})",
                file=test.definition.file,
                line=test.definition.line,
            )
        required = set(test.definition.required) - given
        allowed = set(test.definition.arguments) - given
    missing = required - set(test.arguments)
    unknown = set(test.arguments) - allowed
    if missing or unknown:
        problem = (
            f"needs {', '.join(sorted(missing))}"
            if missing
            else f"does not take {', '.join(sorted(unknown))}"
        )
        raise ModelError(
            f"test {test.kind} {problem}", model=test.model, file=shown(test.path), line=line
        )


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
