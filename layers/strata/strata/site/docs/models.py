"""The models' pages: each model compiled for the default target (the environment's, as a run
builds it), its columns with the warehouse's types when it was built, and its tests with the
latest result the run reports hold."""

from __future__ import annotations

from dataclasses import dataclass, field

from strata.errors import StrataError
from strata.models.compiler import CompiledProject
from strata.models.plan import compile_for
from strata.models.project import Model, TestSpec
from strata.models.yamlfile import shown
from strata.project import Project
from strata.settings import Settings
from strata.site.docs.model import CheckResult, ColumnDoc, ModelDoc, TestDoc
from strata.warehouse.base import Warehouse

LAYERS = ("stage", "analytics", "adhoc")
# relation → [(column, type)], in the warehouse's column order
ColumnTypes = dict[str, list[tuple[str, str]]]


@dataclass
class ModelsFound:
    project: str = ""
    target: str = ""
    models: dict[str, ModelDoc] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def model_docs(
    project: Project,
    settings: Settings,
    checks: dict[str, CheckResult],
    warehouse: Warehouse | None,
) -> ModelsFound:
    """``warehouse`` is asked for the built relations' column types; ``None`` skips it (a lake
    that never ran has nothing built)."""
    found = ModelsFound()
    if not project.warehouse_files:
        return found
    try:
        compiled = compile_for(project, settings)
    except StrataError as exc:
        found.problems.append(f"the models could not be compiled: {exc}")
        return found
    found.project, found.target = compiled.project.name, compiled.target.name
    types: ColumnTypes = {}
    if warehouse is not None and compiled.models:
        try:
            types = column_types(warehouse, sorted({m.schema for m in compiled.models}))
        except StrataError as exc:
            found.problems.append(f"the warehouse's column types could not be read: {exc}")
    for model in compiled.models:
        found.models[model.name] = _model_doc(model, compiled, checks, types.get(model.relation))
    return found


def column_types(warehouse: Warehouse, schemas: list[str]) -> ColumnTypes:
    listed = ", ".join("'" + schema.replace("'", "''") + "'" for schema in schemas)
    result = warehouse.run(
        "SELECT table_schema, table_name, column_name, data_type\n"
        "FROM information_schema.columns\n"
        f"WHERE table_schema IN ({listed})\n"
        "ORDER BY table_schema, table_name, ordinal_position"
    )
    found: ColumnTypes = {}
    for schema, table, column, kind in result.rows:
        found.setdefault(f"{schema}.{table}", []).append((str(column), str(kind).lower()))
    return found


def _model_doc(
    model: Model,
    compiled: CompiledProject,
    checks: dict[str, CheckResult],
    built: list[tuple[str, str]] | None,
) -> ModelDoc:
    layer = model.config.schema_name if model.config.schema_name in LAYERS else "model"
    tests = [
        test
        for test in compiled.tests
        if test.model == model.name or (test.model is None and model.name in test.depends_on)
    ]
    return ModelDoc(
        name=model.name,
        layer=layer or "model",
        relation=model.relation,
        path=model.file,
        description=model.description or model.config.description or "",
        materialized=model.materialized,
        tags=list(model.config.tags),
        raw_sql=model.raw_sql,
        compiled_sql=model.compiled_sql,
        incremental_sql=model.incremental_sql,
        columns=_columns(model, built),
        tests=[_test_doc(test, checks) for test in tests],
        refs=list(model.refs),
        sources=[table for _, table in model.sources],
    )


def _columns(model: Model, built: list[tuple[str, str]] | None) -> list[ColumnDoc]:
    """The built relation's columns with their types; else those the compiled SQL names; the
    YAML's descriptions on both, and the columns only the YAML names after them."""
    names = [(name, kind) for name, kind in built] if built else _selected(model.compiled_sql)
    seen = {name for name, _ in names}
    names += [(name, "") for name in model.columns if name not in seen]
    return [ColumnDoc(name, kind, model.columns.get(name, "")) for name, kind in names]


def _selected(sql: str) -> list[tuple[str, str]]:
    import sqlglot
    from sqlglot.errors import SqlglotError

    try:
        tree = sqlglot.parse_one(sql, read="redshift")
    except SqlglotError:
        return []
    names = getattr(tree, "named_selects", None) or []
    return [(name, "") for name in names if name and name != "*"]


def _test_doc(test: TestSpec, checks: dict[str, CheckResult]) -> TestDoc:
    return TestDoc(
        name=test.name,
        kind=test.kind,
        path=shown(test.path),
        severity=test.severity,
        column=test.column,
        sql=test.compiled_sql,
        last=checks.get(test.name),
    )
