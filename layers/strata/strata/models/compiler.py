"""Rendering models: Jinja with the dbt subset Strata supports, and the dependency graph."""

from __future__ import annotations

from collections.abc import Callable
from graphlib import CycleError, TopologicalSorter
from typing import Any

from strata.errors import ModelError
from strata.models.project import Model, WarehouseProject

SUPPORTED_MATERIALIZATIONS = ("view", "table")


def compile_project(
    project: WarehouseProject,
    resolve_source: Callable[[str, str], str],
    target: str = "dev",
    variables: dict[str, Any] | None = None,
) -> list[Model]:
    """Render every model, then return them in dependency order (cycles named)."""
    for model in project.models.values():
        _render(model, project, resolve_source, target, variables or {})
    graph = {name: set(model.refs) for name, model in project.models.items()}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = " → ".join(exc.args[1])
        raise ModelError(f"models depend on each other in a cycle: {cycle}") from exc
    return [project.models[name] for name in order]


def _render(
    model: Model,
    project: WarehouseProject,
    resolve_source: Callable[[str, str], str],
    target: str,
    variables: dict[str, Any],
) -> None:
    import jinja2

    model.config = dict(model.folder_config)
    model.refs, model.sources = [], []

    def ref(name: str) -> str:
        if name not in project.models:
            raise ModelError(f"ref({name!r}) names no model", model=model.name)
        model.refs.append(name)
        other = project.models[name]
        schema = other.folder_config.get("schema", "public")
        return f"{schema}.{name}"

    def source(source_name: str, table: str) -> str:
        model.sources.append((source_name, table))
        return resolve_source(source_name, table)

    def config(**kwargs: Any) -> str:
        model.config.update(kwargs)
        return ""

    def var(name: str, default: Any = None) -> Any:
        if name not in variables and default is None:
            raise ModelError(f"var({name!r}) is not set and has no default", model=model.name)
        return variables.get(name, default)

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    context = {
        "ref": ref,
        "source": source,
        "config": config,
        "var": var,
        "target": {"name": target},
        "is_incremental": lambda: False,
        "this": f"{model.folder_config.get('schema', 'public')}.{model.name}",
    }
    try:
        model.compiled_sql = environment.from_string(model.raw_sql).render(context).strip()
    except jinja2.TemplateSyntaxError as exc:
        raise ModelError(
            exc.message or "template error", model=model.name, line=exc.lineno
        ) from exc
    except jinja2.UndefinedError as exc:
        raise ModelError(
            f"{exc.message} (outside the supported dbt subset)", model=model.name
        ) from exc
    if model.materialized not in SUPPORTED_MATERIALIZATIONS:
        raise ModelError(
            f"materialized={model.materialized!r} is not supported yet "
            f"(use {' or '.join(SUPPORTED_MATERIALIZATIONS)})",
            model=model.name,
        )
    model.compiled_sql = model.compiled_sql.rstrip().rstrip(";")
