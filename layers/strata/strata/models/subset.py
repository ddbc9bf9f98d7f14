"""The edges of the dbt subset: every dbt feature Strata does not implement is refused at its
``file:line``, never silently left out (a project that dbt would build differently must not
pass ``strata validate``).

Implemented: models (SQL and their YAML: description, columns, column tests, ``config:``),
singular tests, generic test definitions (``tests/generic/``), macros (``macros/``; a
``generate_schema_name`` must state Strata's own schema rule), unit tests, and folder configs
in ``dbt_project.yml``. Refused: seeds, snapshots, analyses, packages, exposures, metrics and
semantic models, constraints, docs blocks, and hooks.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from strata.models.sources import SOURCES_FILE
from strata.models.yamlfile import Marked, refuse

# dbt_project.yml keys that Strata reads, or that only tell dbt's own tools where things are.
PROJECT_KEYS = {
    "name", "version", "config-version", "profile", "model-paths", "test-paths",
    "macro-paths", "seed-paths", "snapshot-paths", "analysis-paths", "docs-paths",
    "asset-paths", "target-path", "log-path", "packages-install-path", "clean-targets",
    "require-dbt-version", "vars", "models", "sources",
}  # fmt: skip
# Folders dbt writes into: never part of the project.
OUTPUT_PATHS = {
    "target-path": "target",
    "log-path": "logs",
    "packages-install-path": "dbt_packages",
}
ROOT_FILES = {"dbt_project.yml", "profiles.yml"}
NOT_IMPLEMENTED = {
    "seed-paths": ("seeds", "dbt seeds (load the file as a source: sources/*.yaml)"),
    "snapshot-paths": ("snapshots", "dbt snapshots"),
    "analysis-paths": ("analyses", "dbt analyses"),
}
YAML_KEYS = {"version", "models", "unit_tests"}
YAML_FEATURES = {
    "sources": "sources are generated from the contracts into models/_sources.yml "
    "(`strata models sources`); declare a source with a contract in sources/",
    "exposures": "exposures are not implemented: dashboards are declared in dashboards/",
}
MODEL_KEYS = {"name", "description", "columns", "config", "data_tests", "tests"}
COLUMN_KEYS = {"name", "description", "data_tests", "tests"}
SCHEMA_MACRO = "generate_schema_name"
GENERIC_FOLDER = "generic"


def check_project_settings(settings: Marked) -> None:
    for key in settings:
        if key not in PROJECT_KEYS:
            raise refuse(
                f"{key!r} is outside the supported dbt subset "
                f"(supported: {', '.join(sorted(PROJECT_KEYS))})",
                "dbt_project.yml",
                settings.line_of(key),
            )


def check_files(files: dict[str, str], settings: Marked) -> None:
    """Every file lies where Strata reads it: root files, models, tests, the schema macro."""
    models, tests, macros = (_paths(settings, key, default) for key, default in _READ)
    skipped = {settings.get(key, default) for key, default in OUTPUT_PATHS.items()}
    refused = {settings.get(key, default): what for key, (default, what) in NOT_IMPLEMENTED.items()}
    for path in sorted(files):
        parts = PurePosixPath(path).parts
        top, suffix = parts[0], PurePosixPath(path).suffix
        if len(parts) == 1:
            if path not in ROOT_FILES and suffix != ".md":
                raise refuse("this file is outside the supported dbt subset", path)
        elif top in skipped:
            continue
        elif top in models:
            if suffix not in (".sql", ".yml", ".yaml"):
                raise refuse(f"{suffix or 'this'} files are outside the supported dbt subset "
                             "(models are .sql, their properties .yml)", path)  # fmt: skip
        elif top in tests:
            _check_test_file(path, files[path], parts)
        elif top in macros:
            check_macro_file(path, files[path])
        elif top in refused:
            raise refuse(f"{refused[top]} are not implemented by Strata", path)
        else:
            raise refuse(f"the folder {top}/ is outside the supported dbt subset", path)


_READ = (("model-paths", ["models"]), ("test-paths", ["tests"]), ("macro-paths", ["macros"]))


def _paths(settings: Marked, key: str, default: list[str]) -> set[str]:
    value = settings.get(key, default)
    return {value} if isinstance(value, str) else set(value or [])


def _check_test_file(path: str, text: str, parts: tuple[str, ...]) -> None:
    if PurePosixPath(path).suffix != ".sql":
        raise refuse("only tests (.sql) are read from the test folder", path)
    generic = len(parts) > 2 and parts[1] == GENERIC_FOLDER
    if not generic and ("{% test " in text or "{%- test " in text):
        raise refuse(
            f"a generic test definition belongs in a tests/{GENERIC_FOLDER}/ file (a file "
            "directly in tests/ is a singular test: a query returning the failing rows)",
            path,
            _line_containing(text, "test ") or 1,
        )


def check_macro_file(path: str, text: str) -> None:
    """Macro files are .sql; a ``generate_schema_name`` must state Strata's own rule: Strata
    names schemas itself (strata/models/targets.py), dbt's tools run the macro."""
    if PurePosixPath(path).suffix != ".sql":
        raise refuse("only macro files (.sql) are read from the macro folder", path)
    if f"macro {SCHEMA_MACRO}" in text:
        _check_schema_macro(path, text)


def _macros(path: str, text: str, target: str) -> Any:
    """The file's macros, as a module, seeing ``target`` as dbt would give it."""
    import jinja2

    from strata.models.macros import environment

    try:
        return environment().from_string(text, globals={"target": {"name": target}}).module
    except jinja2.TemplateError as exc:
        raise refuse(f"cannot read the macro: {exc}", path, getattr(exc, "lineno", None)) from exc


def _check_schema_macro(path: str, text: str) -> None:
    from strata.models.targets import PRODUCTION, resolve_target

    for target in (PRODUCTION, "dev"):
        rule = resolve_target({}, target, isolate_schemas=True)
        macro = getattr(_macros(path, text, target), SCHEMA_MACRO)
        for configured in (None, "stage"):
            try:
                named = str(macro(configured, {})).strip()
            except Exception as exc:  # anything the macro body raised
                raise refuse(f"{SCHEMA_MACRO} fails: {exc}", path) from exc
            if named != rule.schema(configured):
                raise refuse(
                    f"{SCHEMA_MACRO} names schema {named!r} for target {target!r} and "
                    f"custom schema {configured!r}, where Strata builds {rule.schema(configured)!r}"
                    " (Strata names schemas itself: the macro must state Strata's rule, "
                    "see docs/warehouse.md)",
                    path,
                    _line_containing(text, f"macro {SCHEMA_MACRO}"),
                )


def check_yaml_document(document: Marked, path: str) -> None:
    for key in document:
        if key in YAML_FEATURES and not (key == "sources" and path == SOURCES_FILE):
            raise refuse(f"{key!r}: {YAML_FEATURES[key]}", path, document.line_of(key))
        if key not in YAML_KEYS and key not in YAML_FEATURES:
            raise refuse(
                f"{key!r} is outside the supported dbt subset (supported: models)",
                path,
                document.line_of(key),
            )


def check_model_entry(entry: Any, path: str) -> None:
    _check_keys(entry, MODEL_KEYS, "a model", path)
    for column in entry.get("columns") or []:
        _check_keys(column, COLUMN_KEYS, "a column", path)


def _check_keys(entry: Any, allowed: set[str], what: str, path: str) -> None:
    if not isinstance(entry, Marked) or not isinstance(entry.get("name"), str):
        line = entry.line if isinstance(entry, Marked) else None
        raise refuse(f"{what} entry needs a `name`", path, line)
    for key in entry:
        if key not in allowed:
            feature = "constraints are not implemented" if key == "constraints" else (
                "is outside the supported dbt subset")  # fmt: skip
            raise refuse(
                f"{key!r} on {what} ({entry['name']}): {feature} "
                f"(supported: {', '.join(sorted(allowed))})",
                path,
                entry.line_of(key),
            )


def _line_containing(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None
