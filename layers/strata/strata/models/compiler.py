"""Rendering models and tests: Jinja with the dbt subset Strata supports, and the DAG.

Models see ``ref``, ``source``, ``config``, ``var``, ``target``, ``is_incremental()``,
``this``, the project's macros (:mod:`strata.models.macros`) and dbt's dialect-neutral
built-ins (:mod:`strata.models.builtins`); anything else is undefined and fails with the file
and line (the macro's own, when a macro calls it). Incremental
models are rendered twice, with ``is_incremental()`` false (first build, ``--full-refresh``)
and true (later runs): which one runs is decided when the run knows whether the table exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any

from strata.errors import ModelError, StrataError
from strata.models import builtins, checks
from strata.models.config import merge_configs, parse_model_config, parse_test_config
from strata.models.macros import template_place
from strata.models.project import Model, TestSpec, WarehouseProject
from strata.models.sqlcheck import check_sql, mark_lines, unmark
from strata.models.targets import Target
from strata.models.yamlfile import shown

# source_name, table → relation (raises ModelError for unknown sources)
SourceResolver = Callable[[str, str], str]
_MISSING = object()
_RELATION = re.compile(r"^\s*(ref|source)\(.*\)\s*$", re.DOTALL)


@dataclass
class CompiledProject:
    project: WarehouseProject
    target: Target
    models: list[Model]  # in dependency order
    tests: list[TestSpec]
    resolve_source: SourceResolver | None = None
    variables: dict[str, Any] = field(default_factory=dict)

    def model(self, name: str) -> Model:
        return self.project.models[name]


def compile_project(
    project: WarehouseProject,
    resolve_source: SourceResolver,
    target: Target,
    variables: dict[str, Any] | None = None,
) -> CompiledProject:
    """Render every model and test, then order the models (a cycle is named)."""
    merged = {**project.variables, **(variables or {})}
    for model in project.models.values():
        model.schema = ""
    for model in project.models.values():
        _compile_model(model, project, resolve_source, target, merged)
    # A model's config() may move it to another schema, which its dependents' ref() must see
    # whatever the order they were rendered in: those are rendered again.
    moved = {
        name
        for name, model in project.models.items()
        if model.schema != target.schema(model.declared_config.get("schema"))
    }
    for model in project.models.values():
        if moved & set(model.refs):
            _compile_model(model, project, resolve_source, target, merged)
    enabled = {name: m for name, m in project.models.items() if m.config.enabled}
    for model in enabled.values():
        disabled = [ref for ref in model.refs if ref not in enabled]
        if disabled:
            raise ModelError(f"ref({disabled[0]!r}) names a disabled model", model=model.name)
    order = dependency_order({name: set(m.refs) for name, m in enabled.items()})
    for name in order:
        for rendering in enabled[name].checked:
            check_sql(rendering, enabled[name].file, name)
    tests = []
    for test in project.all_tests():
        if test.model is None or test.model in enabled:
            _compile_test(test, project, resolve_source, target, merged)
            if test.config.enabled:
                tests.append(test)
            if test.kind == "singular" and test.config.enabled:
                check_sql(test.checked, shown(test.path), test.name)
    _check_unit_tests(project, enabled)
    models = [enabled[name] for name in order]
    return CompiledProject(project, target, models, tests, resolve_source, merged)


def render_for_unit_test(
    compiled: CompiledProject, model: Model, variables: dict[str, Any], macros: dict[str, Any]
) -> str:
    """The model's SQL with a unit test's ``overrides``: its vars, and macros replaced by a
    value (``is_incremental: true`` renders the incremental run)."""
    if not variables and not macros:
        return model.compiled_sql
    assert compiled.resolve_source is not None
    merged = {**compiled.variables, **variables}
    renderer = _Renderer(
        model.name, compiled.project, compiled.resolve_source, compiled.target, merged, model.file
    )
    renderer.overrides = macros
    incremental = bool(macros.get("is_incremental"))
    return renderer.render(model.raw_sql, this=model.relation, incremental=incremental)


def _check_unit_tests(project: WarehouseProject, enabled: dict[str, Model]) -> None:
    """Each unit test gives rows for exactly the model's inputs (``this``: its own table, for
    an incremental model), at the YAML's line otherwise."""
    for test in project.unit_tests:
        if not test.enabled:
            continue
        model = enabled.get(test.model)
        if model is None:
            raise ModelError(
                f"unit test {test.name!r} tests the disabled model {test.model!r}",
                file=shown(test.path),
                line=test.line,
            )
        inputs = {("ref", (ref,)) for ref in model.refs}
        inputs |= {("source", source) for source in model.sources}
        if model.materialized == "incremental":
            inputs.add(("this", ()))
        given = set()
        for mock in test.given:
            if (mock.kind, mock.name) not in inputs:
                reads = ", ".join(_written(kind, name) for kind, name in sorted(inputs))
                raise ModelError(
                    f"unit test {test.name!r}: {model.name} does not read {mock.written} "
                    f"(it reads: {reads})",
                    file=shown(test.path),
                    line=mock.line,
                )
            given.add((mock.kind, mock.name))
        missing = sorted(inputs - given - {("this", ())})
        if missing:
            raise ModelError(
                f"unit test {test.name!r} gives no rows for {_written(*missing[0])}, which "
                f"{model.name} reads (write `rows: []` for an input that plays no part)",
                file=shown(test.path),
                line=test.line,
            )


def _written(kind: str, name: tuple[str, ...]) -> str:
    if kind == "this":
        return "this"
    return f"{kind}(" + ", ".join(repr(part) for part in name) + ")"


def dependency_order(graph: dict[str, set[str]]) -> list[str]:
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = " → ".join(exc.args[1])
        raise ModelError(f"models depend on each other in a cycle: {cycle}") from exc


class _Renderer:
    """One model's (or test's) Jinja context, recording what the template calls."""

    def __init__(
        self,
        node: str,
        project: WarehouseProject,
        resolve_source: SourceResolver,
        target: Target,
        variables: dict[str, Any],
        file: str | None = None,
    ) -> None:
        self.node = node
        self.file = file
        self.project = project
        self.resolve_source = resolve_source
        self.target = target
        self.variables = variables
        self.refs: list[str] = []
        self.sources: list[tuple[str, str]] = []
        self.config: dict[str, Any] = {}
        self.overrides: dict[str, Any] = {}  # macro name → the value a unit test makes it return

    def relation_of(self, name: str) -> str:
        other = self.project.models[name]
        return f"{self.target.schema(other.declared_config.get('schema'))}.{name}"

    def ref(self, *args: str, **kwargs: Any) -> str:
        if kwargs or not 1 <= len(args) <= 2:
            raise ModelError("ref() takes a model name (versions are not supported)")
        if len(args) == 2 and args[0] != self.project.name:
            raise ModelError(f"ref({args[0]!r}, {args[1]!r}): packages are not supported")
        name = args[-1]
        if name not in self.project.models:
            raise ModelError(f"ref({name!r}) names no model")
        if name not in self.refs:
            self.refs.append(name)
        return self.target.ref_relation(name, self._final_relation(name))

    def _final_relation(self, name: str) -> str:
        model = self.project.models[name]
        if model.schema:  # compiled already: its config() may have set the schema
            return model.relation
        return self.relation_of(name)

    def source(self, source_name: str, table: str) -> str:
        relation = self.resolve_source(source_name, table)
        if (source_name, table) not in self.sources:
            self.sources.append((source_name, table))
        return relation

    def config_call(self, *args: Any, **kwargs: Any) -> str:
        if args:
            raise ModelError("config() takes keyword arguments only")
        self.config.update(kwargs)
        return ""

    def var(self, name: str, default: Any = _MISSING) -> Any:
        if name in self.variables:
            return self.variables[name]
        if default is _MISSING:
            raise ModelError(f"var({name!r}) is not set and has no default")
        return default

    def context(self, this: str, incremental: bool) -> dict[str, Any]:
        context: dict[str, Any] = {
            **builtins.namespace(),
            "ref": self.ref,
            "source": self.source,
            "config": self.config_call,
            "var": self.var,
            "target": self.target.context(),
            "is_incremental": lambda: incremental,
            "this": this,
        }
        context.update(self.project.macros.namespace(context, self.project.name))
        for name, value in self.overrides.items():
            context[name] = _returning(value)
        return context

    def render(self, text: str, **options: Any) -> str:
        """The SQL a template renders to (the options are :meth:`render_marked`'s)."""
        return _finish(self.render_marked(text, **options))

    def render_marked(
        self,
        text: str,
        *,
        this: str = "",
        incremental: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """The template rendered as it is (markers of :func:`mark_lines` kept, if any)."""
        import jinja2

        try:
            template = self.project.macros.from_string(text)
            context = {**self.context(this, incremental), **(extra or {})}
            return template.render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise ModelError(
                exc.message or "template error", model=self.node, line=exc.lineno, file=self.file
            ) from exc
        except jinja2.UndefinedError as exc:
            raise self._placed(f"{exc.message} (outside the supported dbt subset)", exc) from exc
        except StrataError as exc:
            message = re.sub(r"^\S+?: ", "", str(exc)) if getattr(exc, "model", None) else str(exc)
            raise self._placed(message, exc) from exc
        except Exception as exc:  # anything Jinja or a call in the template raised
            raise self._placed(f"{type(exc).__name__}: {exc}", exc) from exc

    def _placed(self, message: str, exc: BaseException) -> ModelError:
        """The error at the template line it came from: the model's, or a macro's."""
        file, line, via = template_place(exc, self.file)
        return ModelError(message + via, model=self.node, line=line, file=file)


def _finish(rendered: str) -> str:
    """The SQL that runs: unmarked, without the blank edges and a closing semicolon."""
    return unmark(rendered).strip().rstrip(";").rstrip()


def _returning(value: Any) -> Callable[..., Any]:
    def macro(*args: Any, **kwargs: Any) -> Any:
        return value

    return macro


def _compile_model(
    model: Model,
    project: WarehouseProject,
    resolve_source: SourceResolver,
    target: Target,
    variables: dict[str, Any],
) -> None:
    renderer = _Renderer(model.name, project, resolve_source, target, variables, model.file)
    this = renderer.relation_of(model.name)
    # One rendering of the marked template gives both the SQL and its Redshift check.
    marked = mark_lines(model.raw_sql)
    model.checked = [renderer.render_marked(marked, this=this)]
    model.compiled_sql = _finish(model.checked[0])
    config = merge_configs(model.declared_config, renderer.config)
    model.config = parse_model_config(config, model=model.name, **_config_place(model, renderer))
    model.schema = target.schema(model.config.schema_name)
    model.incremental_sql = None
    if model.materialized == "incremental":
        rendered = renderer.render_marked(marked, this=model.relation, incremental=True)
        model.checked.append(rendered)
        model.incremental_sql = _finish(rendered)
    model.refs, model.sources = renderer.refs, renderer.sources


def _compile_test(
    test: TestSpec,
    project: WarehouseProject,
    resolve_source: SourceResolver,
    target: Target,
    variables: dict[str, Any],
) -> None:
    renderer = _Renderer(test.name, project, resolve_source, target, variables, shown(test.path))
    if test.kind == "singular":
        test.checked = renderer.render_marked(mark_lines(test.raw_sql))
        test.config = parse_test_config(renderer.config, test=test.name)
        test.compiled_sql = _finish(test.checked)
        test.depends_on = list(renderer.refs)
        return
    model = project.models[test.model or ""]
    test.depends_on = [model.name]
    if test.definition is not None:
        _compile_custom_test(test, model, renderer)
        return
    parent = None
    if test.kind == "relationships":
        parent = renderer.render("{{ " + str(test.arguments["to"]) + " }}")
    test.depends_on = [model.name, *renderer.refs]
    test.compiled_sql = checks.generic_test_sql(test, model.relation, parent)


def _compile_custom_test(test: TestSpec, model: Model, renderer: _Renderer) -> None:
    """A ``{% test %}`` block called as dbt calls it: the model's relation, the column, and
    the YAML's arguments (a ``ref(...)``/``source(...)`` argument given as its relation)."""
    arguments = {
        key: renderer.render("{{ " + value + " }}") if _RELATION.match(str(value)) else value
        for key, value in test.arguments.items()
    }
    call = "{{ test_" + test.kind + "(model=model, column_name=column_name, **arguments) }}"
    extra = {"model": model.relation, "column_name": test.column, "arguments": arguments}
    test.compiled_sql = renderer.render(call, extra=extra)
    config = {**renderer.config, **test.declared_config}
    test.config = parse_test_config(config, test=test.name)
    test.depends_on = [model.name, *(ref for ref in renderer.refs if ref != model.name)]
    definition = test.definition
    # Every use renders the same SQL but for names: read as Redshift once per definition and
    # set of arguments (300 uses would cost a second).
    key = (test.kind, *sorted(test.arguments))
    if definition is not None and test.config.enabled and key not in renderer.project.checked:
        renderer.project.checked.add(key)
        try:
            check_sql(test.compiled_sql, definition.file, test.name)
        except ModelError as exc:
            message = re.sub(r"^\S+?: ", "", str(exc))
            raise ModelError(
                f"{message} (the SQL test {test.kind!r} renders for {model.name}.{test.column})",
                model=test.name,
                file=definition.file,
                line=definition.line,
            ) from exc


def _config_place(model: Model, renderer: _Renderer) -> dict[str, Any]:
    """Where a merged config is reported: the file's config() call, else the YAML config."""
    if not renderer.config and model.yaml_path:
        return {"file": shown(model.yaml_path), "line": model.yaml_config_line}
    for number, line in enumerate(model.raw_sql.splitlines(), start=1):
        if "config(" in line:
            return {"file": model.file, "line": number}
    return {"file": model.file, "line": None}
