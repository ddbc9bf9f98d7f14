"""Rendering models and tests: Jinja with the dbt subset Strata supports, and the DAG.

Models see ``ref``, ``source``, ``config``, ``var``, ``target``, ``is_incremental()`` and
``this``; anything else is undefined and fails with the model's name and line. Incremental
models are rendered twice, with ``is_incremental()`` false (first build, ``--full-refresh``)
and true (later runs): which one runs is decided when the run knows whether the table exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import Any

from strata.errors import ModelError, StrataError
from strata.models import checks
from strata.models.config import merge_configs, parse_model_config, parse_test_config
from strata.models.project import Model, TestSpec, WarehouseProject
from strata.models.sqlcheck import check_sql, mark_lines
from strata.models.targets import Target
from strata.models.yamlfile import shown

# source_name, table → relation (raises ModelError for unknown sources)
SourceResolver = Callable[[str, str], str]
_MISSING = object()
_TEMPLATE = "<template>"


@dataclass
class CompiledProject:
    project: WarehouseProject
    target: Target
    models: list[Model]  # in dependency order
    tests: list[TestSpec]

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
    # Twice: a model's config() may move it to another schema, which its dependents' ref()
    # must see whatever the order they are rendered in.
    for _ in range(2):
        for model in project.models.values():
            _compile_model(model, project, resolve_source, target, merged)
    enabled = {name: m for name, m in project.models.items() if m.config.enabled}
    for model in enabled.values():
        disabled = [ref for ref in model.refs if ref not in enabled]
        if disabled:
            raise ModelError(f"ref({disabled[0]!r}) names a disabled model", model=model.name)
    order = dependency_order({name: set(m.refs) for name, m in enabled.items()})
    for name in order:
        renderer = _Renderer(name, project, resolve_source, target, merged, enabled[name].file)
        _check_as_redshift(enabled[name], renderer)
    tests = []
    for test in project.all_tests():
        if test.model is None or test.model in enabled:
            _compile_test(test, project, resolve_source, target, merged)
            if test.config.enabled:
                tests.append(test)
            if test.kind == "singular" and test.config.enabled:
                file = shown(test.path)
                renderer = _Renderer(test.name, project, resolve_source, target, merged, file)
                check_sql(renderer.render(mark_lines(test.raw_sql)), file, test.name)
    return CompiledProject(project, target, [enabled[name] for name in order], tests)


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

    def render(self, text: str, *, this: str = "", incremental: bool = False) -> str:
        import jinja2

        context = {
            "ref": self.ref,
            "source": self.source,
            "config": self.config_call,
            "var": self.var,
            "target": self.target.context(),
            "is_incremental": lambda: incremental,
            "this": this,
        }
        environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
        try:
            template = environment.from_string(text)
            return template.render(context).strip().rstrip(";").rstrip()
        except jinja2.TemplateSyntaxError as exc:
            raise ModelError(
                exc.message or "template error", model=self.node, line=exc.lineno, file=self.file
            ) from exc
        except jinja2.UndefinedError as exc:
            raise ModelError(
                f"{exc.message} (outside the supported dbt subset)",
                model=self.node,
                line=_template_line(exc),
                file=self.file,
            ) from exc
        except StrataError as exc:
            message = re.sub(r"^\S+?: ", "", str(exc)) if getattr(exc, "model", None) else str(exc)
            raise ModelError(
                message, model=self.node, line=_template_line(exc), file=self.file
            ) from exc
        except Exception as exc:  # anything Jinja or a call in the template raised
            raise ModelError(
                f"{type(exc).__name__}: {exc}",
                model=self.node,
                line=_template_line(exc),
                file=self.file,
            ) from exc


def _template_line(exc: BaseException) -> int | None:
    """The template line an exception came from (Jinja rewrites tracebacks to template lines)."""
    line = None
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == _TEMPLATE:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _compile_model(
    model: Model,
    project: WarehouseProject,
    resolve_source: SourceResolver,
    target: Target,
    variables: dict[str, Any],
) -> None:
    renderer = _Renderer(model.name, project, resolve_source, target, variables, model.file)
    this = renderer.relation_of(model.name)
    model.compiled_sql = renderer.render(model.raw_sql, this=this)
    config = merge_configs(model.declared_config, renderer.config)
    model.config = parse_model_config(config, model=model.name, **_config_place(model, renderer))
    model.schema = target.schema(model.config.schema_name)
    model.incremental_sql = None
    if model.materialized == "incremental":
        model.incremental_sql = renderer.render(
            model.raw_sql, this=model.relation, incremental=True
        )
    model.refs, model.sources = renderer.refs, renderer.sources


def _check_as_redshift(model: Model, renderer: _Renderer) -> None:
    """Both renderings of a model, read as Redshift would (see :mod:`strata.models.sqlcheck`)."""
    marked = mark_lines(model.raw_sql)
    check_sql(renderer.render(marked, this=model.relation), model.file, model.name)
    if model.materialized == "incremental":
        rendered = renderer.render(marked, this=model.relation, incremental=True)
        check_sql(rendered, model.file, model.name)


def _compile_test(
    test: TestSpec,
    project: WarehouseProject,
    resolve_source: SourceResolver,
    target: Target,
    variables: dict[str, Any],
) -> None:
    renderer = _Renderer(test.name, project, resolve_source, target, variables, shown(test.path))
    if test.kind == "singular":
        sql = renderer.render(test.raw_sql)
        test.config = parse_test_config(renderer.config, test=test.name)
        test.compiled_sql = sql
        test.depends_on = list(renderer.refs)
        return
    model = project.models[test.model or ""]
    parent = None
    if test.kind == "relationships":
        parent = renderer.render("{{ " + str(test.arguments["to"]) + " }}")
    test.depends_on = [model.name, *renderer.refs]
    test.compiled_sql = checks.generic_test_sql(test, model.relation, parent)


def _config_place(model: Model, renderer: _Renderer) -> dict[str, Any]:
    """Where a merged config is reported: the file's config() call, else the YAML config."""
    if not renderer.config and model.yaml_path:
        return {"file": shown(model.yaml_path), "line": model.yaml_config_line}
    for number, line in enumerate(model.raw_sql.splitlines(), start=1):
        if "config(" in line:
            return {"file": model.file, "line": number}
    return {"file": model.file, "line": None}
