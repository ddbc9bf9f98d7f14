"""A parsed dashboard page and its query results → the page's HTML body.

The server side lays out the page (Markdown, component slots) and embeds each query's result
as JSON; ``assets/dashboards.js`` draws the charts with Plotly, the values and the tables in
the browser, and redraws them when a filter changes. A component that cannot be drawn (its
query failed, a column is missing) shows its error in place, with the page's file and line.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from strata.site.components import Component
from strata.site.page import Page, Problem, markdown
from strata.site.queries import QueryError, QueryRunner, result_json

PLOTLY_JS = "assets/plotly.min.js"
DASHBOARDS_JS = "assets/dashboards.js"
DATA_ELEMENT = "strata-data"


@dataclass
class RenderedPage:
    page: Page
    body: str
    problems: list[Problem] = field(default_factory=list)  # the parse's and the run's


def run_queries(page: Page, runner: QueryRunner) -> dict[str, dict[str, Any] | Problem]:
    """Each query's result, or the problem that stopped it (with its page line)."""
    results: dict[str, dict[str, Any] | Problem] = {}
    runner.start(query.sql for query in page.queries.values())
    for query in page.queries.values():
        try:
            results[query.name] = result_json(runner.run(query.sql))
        except QueryError as exc:
            line = query.line + exc.line - 1
            results[query.name] = Problem(page.path, line, f"query {query.name}: {exc}")
    return results


def component_problem(
    page: Page, component: Component, results: dict[str, dict[str, Any] | Problem]
) -> str | None:
    """Why a component cannot be drawn from its query's result, or None."""
    if component.problems:
        return "; ".join(component.problems)
    result = results.get(component.data)
    if result is None:
        known = ", ".join(sorted(page.queries)) or "none"
        return f"no query named {component.data!r} on this page (queries: {known})"
    if isinstance(result, Problem):
        return f"its query failed: {result.message}"
    missing = [
        f"{option}={column}"
        for option, column in component.columns()
        if column not in result["columns"]
    ]
    if missing:
        return (
            f"<{component.tag}> {', '.join(missing)}: no such column in query "
            f"{component.data} (columns: {', '.join(result['columns'])})"
        )
    return None


def render_body(page: Page, runner: QueryRunner) -> RenderedPage:
    results = run_queries(page, runner)
    problems = list(page.problems)
    problems += [result for result in results.values() if isinstance(result, Problem)]
    slots: dict[int, str] = {}
    for component in page.components:
        problem = component_problem(page, component, results)
        if problem and not component.problems:
            problems.append(Problem(page.path, component.line, problem))
        slots[id(component)] = _slot(page, component, problem)
    md = markdown()
    md.add_render_rule("component", _component_rule(slots))
    md.add_render_rule("component_inline", _component_rule(slots))
    md.add_render_rule("fence", _fence_rule(md.renderer.rules["fence"]))
    body = md.renderer.render(page.tokens, md.options, {})
    data = {name: result for name, result in results.items() if not isinstance(result, Problem)}
    header = _page_problems(page, results)
    return RenderedPage(
        page,
        header
        + (f'<p class="muted">{html.escape(page.description)}</p>\n' if page.description else "")
        + body
        + _queries_section(page)
        + f'<script type="application/json" id="{DATA_ELEMENT}">{_script_json(data)}</script>\n',
        problems,
    )


def error_body(page: Page, message: str) -> str:
    """A page that could not be built at all still renders, saying why."""
    return f'<div class="error">{html.escape(page.path)}: {html.escape(message)}</div>\n'


def _slot(page: Page, component: Component, problem: str | None) -> str:
    if problem:
        where = f"{page.path}:{component.line}"
        return f'<div class="error">{html.escape(where)}: {html.escape(problem)}</div>\n'
    kind = component.kind
    assert kind is not None
    spec = html.escape(json.dumps(component.spec()), quote=True)
    if kind.inline:
        return f'<span class="inline-value" data-component="{spec}"></span>'
    css = {
        "line": "chart",
        "bar": "chart",
        "histogram": "chart",
        "value": "big-value",
        "table": "table-wrap",
        "dropdown": "filter",
        "daterange": "filter",
    }[kind.kind]
    return f'<div class="{css}" data-component="{spec}"></div>\n'


# Consecutive components of one group share a row: filters form a bar, values a strip of
# cards, charts a grid (two or more side by side when the page is wide enough).
GROUPS = {
    "dropdown": "filters",
    "daterange": "filters",
    "value": "values",
    "line": "charts",
    "bar": "charts",
    "histogram": "charts",
}


def _group(tokens: list[Any], idx: int) -> str | None:
    if not 0 <= idx < len(tokens) or tokens[idx].type != "component":
        return None
    kind = tokens[idx].meta["component"].kind
    return GROUPS.get(kind.kind) if kind else None


def _component_rule(slots: dict[int, str]) -> Any:
    def render(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        html_ = slots[id(tokens[idx].meta["component"])]
        group = _group(tokens, idx)
        if group is None:
            return html_
        opening = f'<div class="row row-{group}">\n' if _group(tokens, idx - 1) != group else ""
        closing = "</div>\n" if _group(tokens, idx + 1) != group else ""
        return opening + html_ + closing

    return render


def _fence_rule(default: Any) -> Any:
    def render(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        if "query" in tokens[idx].meta:
            return ""  # a named query: listed at the end of the page, not where it is defined
        return default(tokens, idx, options, env)

    return render


def _page_problems(page: Page, results: dict[str, dict[str, Any] | Problem]) -> str:
    """At the top: the problems no component shows in place (the front matter, a query
    defined twice, a failed query that no component draws)."""
    shown = {(c.line, message) for c in page.components for message in c.problems}
    drawn = {c.data for c in page.components}
    listed = [p for p in page.problems if (p.line, p.message) not in shown]
    listed += [
        result
        for name, result in results.items()
        if isinstance(result, Problem) and name not in drawn
    ]
    if not listed:
        return ""
    items = "".join(f"<li>{html.escape(str(problem))}</li>" for problem in listed)
    return f'<div class="error">This page has problems:<ul>{items}</ul></div>\n'


def _queries_section(page: Page) -> str:
    if not page.queries:
        return ""
    blocks = "".join(
        f"<details><summary><code>{html.escape(q.name)}</code></summary>"
        f"<pre><code>{html.escape(q.sql)}</code></pre></details>\n"
        for q in page.queries.values()
    )
    return f'<section class="queries"><h2>Queries on this page</h2>\n{blocks}</section>\n'


def _script_json(data: dict[str, Any]) -> str:
    # Inside <script>, "</" would end the element: JSON allows "<\/" for the same text.
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
