"""The plan of a warehouse run: the manifest.

The planner compiles the project for a target, selects nodes and writes down everything the
run needs: each model's compiled SQL (both renderings for incremental models), each test's
query, the sources' freshness checks, the setup operations, and what waits for what. The
scheduler (:mod:`strata.models.scheduler`) then hands out ready statements wave by wave; it
never compiles again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from strata.errors import ModelError
from strata.models import checks, descriptions, state
from strata.models.compiler import CompiledProject, compile_project
from strata.models.project import Model, TestSpec, load_warehouse_project
from strata.models.selection import Selection, select
from strata.models.sources import LOADED_AT_FIELD, SOURCE_NAME
from strata.models.targets import resolve_target
from strata.project import Project
from strata.runtime import warehouse_kind, warehouse_profile
from strata.settings import Settings
from strata.warehouse.config import Capabilities, WarehouseProfile

TIMEOUT_VARIABLE = "strata_statement_timeout_seconds"
DEFAULT_TIMEOUT_SECONDS = 3600
COMMANDS = ("build", "test")

EXTERNAL_SCHEMA = "external_schema"
SCHEMAS = "schemas"
RELATIONS = "relations"


@dataclass(frozen=True)
class RunOptions:
    command: str = "build"  # build: models, their tests, freshness | test: tests, freshness
    select: list[str] | None = None
    exclude: list[str] | None = None
    full_refresh: bool = False
    variables: dict[str, Any] = field(default_factory=dict)
    target: str | None = None  # default: the environment (STRATA_ENV)
    # The environment state:modified and --defer compare with (the CLI's; a pipeline
    # execution always builds against its own schemas).
    state: str | None = None
    defer: bool = False  # read the models not selected from the state's environment

    @classmethod
    def from_input(cls, value: dict[str, Any] | None) -> RunOptions:
        """From a pipeline execution's input: ``{"models": {"select": "...", ...}}``."""
        value = dict(value or {})
        unknown = set(value) - {"command", "select", "exclude", "full_refresh", "vars", "target"}
        if unknown:
            raise ModelError(f"unknown model run options: {', '.join(sorted(unknown))}")

        def listed(item: Any) -> list[str] | None:
            return [item] if isinstance(item, str) else item

        return cls(
            command=value.get("command", "build"),
            select=listed(value.get("select")),
            exclude=listed(value.get("exclude")),
            full_refresh=bool(value.get("full_refresh", False)),
            variables=dict(value.get("vars") or {}),
            target=value.get("target"),
        )


def compile_for(
    project: Project,
    settings: Settings,
    target: str | None = None,
    variables: dict | None = None,
    capabilities: Capabilities | None = None,
    deferred: dict[str, str] | None = None,
) -> CompiledProject:
    """Compile the project's warehouse models for a target (default: the environment), for a
    warehouse that can do what ``capabilities`` says (default: the settings' runtime's);
    ``deferred`` models are read from the relations given (``--defer``)."""
    capabilities = capabilities or warehouse_kind(settings).capabilities
    warehouse = load_warehouse_project(project.warehouse_files)
    resolved = resolve_target(
        project.warehouse_files,
        target or settings.environment,
        isolate_schemas=capabilities.isolates_schemas,
        home=settings.environment,
    )
    if deferred:
        resolved = replace(resolved, deferred=dict(deferred))
    external = settings.external_schema

    def resolve_source(source_name: str, table: str) -> str:
        if source_name != SOURCE_NAME:
            raise ModelError(
                f"source({source_name!r}, {table!r}): the cleansed tables are source "
                f"{SOURCE_NAME!r}, e.g. source('{SOURCE_NAME}', '{table}')"
            )
        if table not in project.contracts:
            raise ModelError(f"source({source_name!r}, {table!r}) names no source contract")
        return f"{external}.{table}"

    return compile_project(warehouse, resolve_source, resolved, variables)


def build_manifest(
    project: Project,
    settings: Settings,
    run_id: str,
    options: RunOptions | None = None,
    profile: WarehouseProfile | None = None,
    compared: state.EnvironmentState | None = None,
) -> dict[str, Any]:
    """``compared``: the record of the environment named by ``options.state``."""
    options = options or RunOptions()
    if options.command not in COMMANDS:
        raise ModelError(f"command must be one of {', '.join(COMMANDS)}, not {options.command!r}")
    profile = profile or warehouse_profile(settings)
    compiled, chosen, deferred, modified = compile_and_select(
        project, settings, options, profile, compared
    )
    name = compiled.project.name
    models = [compiled.model(model) for model in chosen.models]
    tests = [test for test in compiled.tests if test.name in chosen.tests]
    nodes: dict[str, Any] = {}
    checksums = state.Checksums(project.warehouse_files)
    if options.command == "build":
        for model in models:
            node = _model_node(name, model)
            node["checksum"] = {"name": "sha256", "checksum": checksums.of(model)}
            node["key"] = state.primary_key(model, compiled.tests)
            # Rows an incremental model merged earlier were computed by other SQL: a changed
            # one is rebuilt whole, as the environment compared with would need it.
            if model.materialized == "incremental" and model.name in modified:
                node["full_refresh"] = True
            node[descriptions.COMMENT_SQLS] = descriptions.comment_sqls(model, profile.capabilities)
            nodes[model_id(name, model.name)] = node
    for test in tests:
        nodes[f"test.{name}.{test.name}"] = _test_node(name, test, compiled)
    sources = _sources(compiled, models, settings)
    variables = {**compiled.project.variables, **options.variables}
    timeout = int(variables.get(TIMEOUT_VARIABLE, DEFAULT_TIMEOUT_SECONDS))
    poll = profile.capabilities.poll_seconds
    manifest = {
        "metadata": {
            "project": name,
            "run_id": run_id,
            "target": compiled.target.name,
            "environment": compiled.target.environment,
            "project_checksum": state.project_checksum(project.warehouse_files),
            "state": options.state,
            "deferred": deferred,
            "command": options.command,
            "select": options.select,
            "exclude": options.exclude,
            "full_refresh": options.full_refresh,
            "threads": compiled.target.threads,
            "poll_seconds": poll,
            "max_polls": max(1, timeout // (poll or 5)),
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "connection": profile.data_api.connection(),
        },
        "nodes": nodes,
        "sources": sources,
        "operations": _operations(name, settings, profile, models, options),
    }
    manifest["waits_for"] = _waits_for(manifest, compiled, models, tests)
    return manifest


def compile_and_select(
    project: Project,
    settings: Settings,
    options: RunOptions,
    profile: WarehouseProfile,
    compared: state.EnvironmentState | None = None,
) -> tuple[CompiledProject, Selection, dict[str, str], set[str]]:
    """The compiled project, the selection (``state:`` against ``compared``), the models
    deferred to ``compared``'s relations (the project compiled again to read them) and the
    models modified since ``compared``'s build."""
    if options.defer and not options.state:
        raise ModelError("--defer needs --state <environment> to read the other models from")
    if options.state and compared is None:
        raise ModelError(f"--state {options.state}: the environment's record was not loaded")
    compiled = compile_for(
        project, settings, options.target, options.variables, profile.capabilities
    )
    comparison = state.compare(compiled, compared) if compared is not None else None
    chosen = select(compiled, options.select, options.exclude, comparison)
    modified = comparison.modified if comparison else set()
    if not options.defer or compared is None:
        return compiled, chosen, {}, modified
    if compared.environment == compiled.target.environment:
        return compiled, chosen, {}, modified  # its own relations: nothing to defer
    read = {ref for name in chosen.models for ref in compiled.model(name).refs}
    read |= {ref for test in compiled.tests if test.name in chosen.tests for ref in test.depends_on}
    deferred = state.deferrals(chosen.models, sorted(read), compared)
    if deferred:
        compiled = compile_for(
            project, settings, options.target, options.variables, profile.capabilities, deferred
        )
    return compiled, chosen, deferred, modified


def model_id(project: str, model: str) -> str:
    return f"model.{project}.{model}"


def _model_node(project: str, model: Model) -> dict[str, Any]:
    config = model.config
    node: dict[str, Any] = {
        "resource_type": "model",
        "unique_id": model_id(project, model.name),
        "name": model.name,
        "path": model.path,
        "schema": model.schema,
        "relation": model.relation,
        "materialized": model.materialized,
        "config": state.model_config(model),
        "tags": config.tags,
        "description": model.description or config.description or "",
        "columns": {name: {"description": text} for name, text in model.columns.items()},
        "depends_on": {
            "nodes": [model_id(project, ref) for ref in model.refs]
            + [f"source.{project}.{s}.{t}" for s, t in model.sources]
        },
        "raw_code": model.raw_sql,
        "compiled_code": model.compiled_sql,
    }
    if model.incremental_sql is not None:
        node["compiled_code_incremental"] = model.incremental_sql
    return node


def _test_node(project: str, test: TestSpec, compiled: CompiledProject) -> dict[str, Any]:
    return {
        "resource_type": "test",
        "unique_id": f"test.{project}.{test.name}",
        "name": test.name,
        "path": test.path,
        "test_kind": test.kind,
        "attached_node": model_id(project, test.model) if test.model else None,
        "column_name": test.column,
        "severity": test.severity,
        "tags": test.config.tags,
        "depends_on": {"nodes": [model_id(project, name) for name in test.depends_on]},
        "compiled_code": test.compiled_sql,
    }


def _sources(compiled: CompiledProject, models: list[Model], settings: Settings) -> dict[str, Any]:
    project = compiled.project
    used = sorted({source for model in models for source in model.sources})
    sources = {}
    for source_name, table in used:
        freshness = project.source_freshness(source_name, table)
        sources[f"source.{project.name}.{source_name}.{table}"] = {
            "resource_type": "source",
            "source_name": source_name,
            "name": table,
            "relation": f"{settings.external_schema}.{table}",
            "loaded_at_field": LOADED_AT_FIELD,
            "freshness": freshness.model_dump() if freshness else None,
        }
    return sources


def _operations(
    project: str,
    settings: Settings,
    profile: WarehouseProfile,
    models: list[Model],
    options: RunOptions,
) -> dict[str, Any]:
    if options.command != "build" or not models:
        return {}
    iam_role = profile.data_api.iam_role
    role = f"'{iam_role}'" if iam_role else "default"
    schemas = sorted({model.schema for model in models})
    return {
        f"operation.{project}.{EXTERNAL_SCHEMA}": {
            "name": EXTERNAL_SCHEMA,
            "sqls": [
                f"CREATE EXTERNAL SCHEMA IF NOT EXISTS {settings.external_schema} "
                f"FROM DATA CATALOG DATABASE '{settings.glue_database}' IAM_ROLE {role}"
            ],
        },
        f"operation.{project}.{SCHEMAS}": {
            "name": SCHEMAS,
            "sqls": [f"CREATE SCHEMA IF NOT EXISTS {schema}" for schema in schemas],
        },
        f"operation.{project}.{RELATIONS}": {
            "name": RELATIONS,
            "sqls": [relations_query(models)],
        },
    }


def relations_query(models: list[Model]) -> str:
    """What exists already: every selected model's relation, and an incremental table's
    columns (in order) to merge into."""
    wanted = " OR ".join(
        f"(t.table_schema = '{schema}' AND t.table_name IN ({names}))"
        for schema, names in _names_by_schema(models).items()
    )
    incremental = [f"'{m.relation}'" for m in models if m.materialized == "incremental"]
    join = (
        f"c.table_schema || '.' || c.table_name IN ({', '.join(incremental)})"
        if incremental
        else "FALSE"
    )
    return (
        "SELECT t.table_schema, t.table_name, t.table_type, c.column_name, c.ordinal_position\n"
        "FROM information_schema.tables AS t\n"
        "LEFT JOIN information_schema.columns AS c\n"
        "ON c.table_schema = t.table_schema AND c.table_name = t.table_name\n"
        f"AND {join}\n"
        f"WHERE {wanted}\n"
        "ORDER BY 1, 2, 5"
    )


def _names_by_schema(models: list[Model]) -> dict[str, str]:
    grouped: dict[str, list[str]] = {}
    for model in models:
        grouped.setdefault(model.schema, []).append(f"'{model.name}'")
    return {schema: ", ".join(names) for schema, names in sorted(grouped.items())}


def _waits_for(
    manifest: dict[str, Any],
    compiled: CompiledProject,
    models: list[Model],
    tests: list[TestSpec],
) -> dict[str, list[str]]:
    """Scheduling edges inside the run. A model waits for the setup operations, its selected
    parents, and the error-severity tests that read only its ancestors (dbt build: a failing
    test stops what is built on the data it tested). Tests wait for the models they read."""
    project = compiled.project.name
    operations = list(manifest["operations"])
    in_run = set(manifest["nodes"])
    ancestors = _ancestors({model.name: set(model.refs) for model in compiled.models})
    waits: dict[str, list[str]] = {uid: [] for uid in operations}
    for model in models:
        uid = model_id(project, model.name)
        if uid not in in_run:
            continue
        parents = [model_id(project, ref) for ref in model.refs]
        gating = [
            f"test.{project}.{test.name}"
            for test in tests
            if test.severity == "error"
            and test.depends_on
            and set(test.depends_on) <= ancestors[model.name]
        ]
        waits[uid] = operations + [p for p in parents + gating if p in in_run]
    for test in tests:
        uid = f"test.{project}.{test.name}"
        waits[uid] = [d for d in (model_id(project, n) for n in test.depends_on) if d in in_run]
    external = [op for op in operations if op.endswith(f".{EXTERNAL_SCHEMA}")]
    for source_id, source in manifest["sources"].items():
        if source["freshness"]:
            waits[f"freshness.{source_id.removeprefix('source.')}"] = external
    return waits


def _ancestors(parents: dict[str, set[str]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}

    def visit(name: str) -> set[str]:
        if name not in found:
            found[name] = set()
            for parent in parents.get(name, set()):
                found[name] |= {parent} | visit(parent)
        return found[name]

    for name in parents:
        visit(name)
    return found


def freshness_sql(source: dict[str, Any]) -> str:
    return checks.freshness_query(
        source["relation"], source["loaded_at_field"], (source["freshness"] or {}).get("filter")
    )
