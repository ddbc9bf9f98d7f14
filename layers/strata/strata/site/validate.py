"""``strata validate`` for the dashboards: every page read, every query checked against the
project's models and sources, every component against its query's columns. Nothing runs in the
warehouse: a clean checkout validates before any data exists.

A warehouse query's columns are known from its text when it names them all (no ``*``); a
query of the run reports (``strata_meta``) is run on the empty reports' tables, which know
their columns. A chart on a column its query does not return is a problem with the page's line.
"""

from __future__ import annotations

import re

from strata.runtime import Context
from strata.site import meta
from strata.site.build import dashboard_files
from strata.site.page import Page, Problem, parse_page
from strata.site.queries import QueryError, Reads, analyse


def known_relations(ctx: Context) -> set[str]:
    """Every table a dashboard may read: the models, the cleansed sources, the run reports."""
    from strata.models import build_manifest

    manifest = build_manifest(ctx.project, ctx.settings, "validate")
    relations = {
        str(node["relation"]).lower()
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    relations |= {str(source["relation"]).lower() for source in manifest["sources"].values()}
    relations |= {f"{meta.SCHEMA}.{table}" for table in meta.TABLES}
    return relations


def dashboard_problems(ctx: Context) -> list[Problem]:
    """Every problem of every page under ``dashboards/``, each with its file and line."""
    relations = known_relations(ctx)
    problems: list[Problem] = []
    reports = meta.empty_database()
    try:
        for path, text in dashboard_files(ctx).items():
            problems += page_problems(parse_page(path, text), relations, reports)
    finally:
        reports.close()
    return problems


def page_problems(page: Page, relations: set[str], reports: meta.MetaDatabase) -> list[Problem]:
    problems = list(page.problems)
    columns: dict[str, list[str] | None] = {}
    for query in page.queries.values():
        try:
            reads = analyse(query.sql)
        except QueryError as exc:
            problems.append(Problem(page.path, query.line + exc.line - 1, f"{query.name}: {exc}"))
            continue
        unknown = [table for table in reads.tables if table not in relations]
        for table in unknown:
            line = query.line + _line_in(query.sql, table)
            problems.append(
                Problem(
                    page.path,
                    line,
                    f"query {query.name} reads {table}, which is no model, source table or "
                    f"{meta.SCHEMA} table",
                )
            )
        columns[query.name] = None if unknown else _columns(reads, query.sql, reports)
    for component in page.components:
        if component.problems:
            continue  # already listed by the page
        if component.data not in page.queries:
            known = ", ".join(sorted(page.queries)) or "none"
            problems.append(
                Problem(
                    page.path,
                    component.line,
                    f"<{component.tag}> data={{{component.data}}}: no such query on this page "
                    f"(queries: {known})",
                )
            )
            continue
        returned = columns.get(component.data)
        if returned is None:
            continue  # unknown until it runs: the build shows it in place if it is missing
        for option, column in component.columns():
            if column not in returned:
                problems.append(
                    Problem(
                        page.path,
                        component.line,
                        f"<{component.tag}> {option}={column}: query {component.data} returns "
                        f"no column {column!r} (it returns {', '.join(returned)})",
                    )
                )
    return sorted(problems, key=lambda p: p.line)


def _columns(reads: Reads, sql: str, reports: meta.MetaDatabase) -> list[str] | None:
    if reads.meta:
        return reports.run(sql).columns
    return reads.columns


def _line_in(sql: str, table: str) -> int:
    """The line (0-based) of the SQL where a table is named, for the error."""
    schema, _, name = table.rpartition(".")
    pattern = rf"\b{re.escape(name)}\b"
    if schema:
        pattern = rf"\b{re.escape(schema)}\s*\.\s*" + pattern
    found = re.search(pattern, sql, re.IGNORECASE)
    return sql.count("\n", 0, found.start()) if found else 0
