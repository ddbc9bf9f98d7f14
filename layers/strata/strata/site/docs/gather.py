"""Everything the data docs say, gathered from the lake in one pass: the contracts, the
catalog, the state store (deliveries, conversions, ingestion attempts), the latest run reports,
the compiled models and the dashboards. A part that cannot be read is listed in
``Docs.problems`` and the rest is still documented."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from strata.contracts.model import SourceContract
from strata.errors import StrataError
from strata.ingest.ledger import last_attempts
from strata.lake import state_keys
from strata.models.config import Freshness
from strata.models.project import load_warehouse_project
from strata.models.sources import SOURCE_NAME
from strata.runtime import Context, cleansed_location
from strata.site.docs.dashboards import read_dashboards, resolve
from strata.site.docs.model import ColumnDoc, DashboardDoc, Docs, ModelDoc, SourceDoc, TableDoc
from strata.site.docs.models import model_docs
from strata.site.docs.runs import read_history
from strata.site.docs.sources import source_doc
from strata.site.docs.tables import table_doc
from strata.state.base import Item


def gather(ctx: Context, now: datetime | None = None) -> Docs:
    now = now or datetime.now(UTC)
    ports, project, settings = ctx.ports, ctx.project, ctx.settings
    history = read_history(ports.state, ports.artifacts)
    problems = [f"run report {key} is not JSON" for key in history.unreadable]
    freshness = _freshness_settings(project.warehouse_files, sorted(project.contracts))
    attempts = last_attempts(ports.state, sorted(project.contracts))
    sources: dict[str, SourceDoc] = {}
    tables: dict[str, TableDoc] = {}
    for name, contract in sorted(project.contracts.items()):
        converted = ports.state.query(state_keys.converted(name))
        pending = ports.state.query(state_keys.pending(name))
        sources[name] = source_doc(
            contract,
            converted + pending,
            attempts.get(name),
            freshness.get(name),
            history.checks.get(f"{SOURCE_NAME}.{name}"),
            now,
        )
        tables[name] = _table(ctx, contract, converted, problems)
    found = model_docs(
        project, settings, history.checks, ports.warehouse if history.last_run else None
    )
    problems += found.problems
    inherit_descriptions(found.models, tables)
    dashboards = _dashboards(ctx, found.models, tables, problems)
    return Docs(
        project=found.project,
        target=found.target or settings.environment,
        generated_at=now,
        sources=sources,
        tables=tables,
        models=dict(sorted(found.models.items(), key=lambda item: _model_order(item[1]))),
        dashboards=dashboards,
        last_run=history.last_run,
        problems=problems,
    )


def _table(
    ctx: Context, contract: SourceContract, converted: list[Item], problems: list[str]
) -> TableDoc:
    location = cleansed_location(ctx.ports, contract.name)
    schema = ctx.settings.external_schema
    try:
        return table_doc(contract, ctx.ports.catalog, converted, location, schema)
    except StrataError as exc:
        problems.append(f"the catalog's table {contract.name} could not be read: {exc}")
        return table_doc(contract, None, converted, location, schema)


def inherit_descriptions(models: dict[str, ModelDoc], tables: dict[str, TableDoc]) -> None:
    """A model column without a description takes the one of the same column upstream (a
    model it refs, else a cleansed table it reads), as a column passed through keeps its
    meaning. ``models`` are in dependency order, so a chain of pass-throughs inherits whole."""
    for model in models.values():
        upstream = [(name, models[name].columns) for name in model.refs if name in models]
        upstream += [
            (tables[name].relation, tables[name].columns)
            for name in model.sources
            if name in tables
        ]
        model.columns = [_described(column, upstream) for column in model.columns]


def _described(column: ColumnDoc, upstream: list[tuple[str, list[ColumnDoc]]]) -> ColumnDoc:
    if column.description:
        return column
    for name, columns in upstream:
        for other in columns:
            if other.name == column.name and other.description:
                return replace(column, description=other.description, described_in=name)
    return column


_LAYER_ORDER = {"stage": 0, "analytics": 1, "adhoc": 2}


def _model_order(model: ModelDoc) -> tuple[int, str]:
    return _LAYER_ORDER.get(model.layer, 3), model.name


def _freshness_settings(files: dict[str, str], names: list[str]) -> dict[str, Freshness | None]:
    """Each source's freshness thresholds from dbt_project.yml (none when it cannot be read:
    the models' compilation then says why)."""
    try:
        warehouse = load_warehouse_project(files)
    except StrataError:
        return {}
    return {name: warehouse.source_freshness(SOURCE_NAME, name) for name in names}


def _dashboards(
    ctx: Context, models: dict, tables: dict[str, TableDoc], problems: list[str]
) -> dict[str, DashboardDoc]:
    try:
        pages = read_dashboards(ctx.ports.project_store, ctx.ports.project_prefix)
    except StrataError as exc:
        problems.append(f"the dashboards could not be read: {exc}")
        return {}
    for page in pages:
        resolve(page, models, tables, ctx.settings.external_schema)
    return {page.name: page for page in sorted(pages, key=lambda page: page.name)}
