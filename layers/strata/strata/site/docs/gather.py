"""Everything the data docs say, gathered from the lake in one pass: the contracts, the
catalog, the state store (deliveries, conversions, ingestion attempts), the latest run reports,
the compiled models and the dashboards. A part that cannot be read is listed in
``Docs.problems`` and the rest is still documented."""

from __future__ import annotations

from datetime import UTC, datetime

from strata.errors import StrataError
from strata.ingest.ledger import last_attempts
from strata.lake import state_keys
from strata.models.config import Freshness
from strata.models.project import load_warehouse_project
from strata.models.sources import SOURCE_NAME
from strata.runtime import Context, cleansed_location
from strata.site.docs.dashboards import read_dashboards, resolve
from strata.site.docs.model import DashboardDoc, Docs, SourceDoc, TableDoc
from strata.site.docs.models import model_docs
from strata.site.docs.runs import read_history
from strata.site.docs.sources import source_doc
from strata.site.docs.tables import table_doc


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
        tables[name] = table_doc(
            contract,
            ports.catalog,
            converted,
            cleansed_location(ports, name),
            settings.external_schema,
        )
    found = model_docs(
        project, settings, history.checks, ports.warehouse if history.last_run else None
    )
    problems += found.problems
    dashboards = _dashboards(ctx, found.models, tables, problems)
    return Docs(
        project=found.project,
        target=found.target or settings.environment,
        generated_at=now,
        sources=sources,
        tables=tables,
        models=found.models,
        dashboards=dashboards,
        last_run=history.last_run,
        problems=problems,
    )


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
