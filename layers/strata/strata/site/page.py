"""A dashboard page as an analyst writes it: Markdown with named SQL queries and components.

```text
---
title: Executive overview
description: Revenue, marketing return, customers and shipping.
---

```sql revenue_by_day
select order_date, channel, revenue from analytics.daily_revenue
```

<LineChart data={revenue_by_day} x=order_date y=revenue series=channel />
```

The page is read with markdown-it (CommonMark) plus two rules of ours: a component tag on its
own lines (it may span several) is a block, and ``<Value .../>`` may stand inside a sentence.
Every query and component keeps the line it starts on, for the errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from strata.site.components import TAG, Component, parse_component

FRONT_MATTER_KEYS = frozenset({"title", "description"})
QUERY_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    line: int  # the page line of the query's first SQL line


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Page:
    """A parsed page: its queries, components and Markdown tokens, and what is wrong with it."""

    path: str  # relative to the project, e.g. dashboards/overview.md
    title: str
    description: str
    queries: dict[str, Query]
    components: list[Component]
    tokens: list[Any] = field(repr=False, default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return PurePosixPath(self.path).stem

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))


def parse_page(path: str, text: str) -> Page:
    """Parse a page; problems are collected on the page, never raised, so one broken page
    still renders (showing its errors) and the others build."""
    meta, body, meta_problems = _front_matter(text)
    page = Page(
        path=path,
        title=str(meta.get("title") or PurePosixPath(path).stem.replace("_", " ").capitalize()),
        description=str(meta.get("description") or ""),
        queries={},
        components=[],
    )
    for line, message in meta_problems:
        page.problem(line, message)
    page.tokens = markdown().parse(body)
    for token in page.tokens:
        _collect(page, token)
    return page


def markdown() -> Any:
    """The Markdown reader: CommonMark, tables, raw HTML, and the component rules."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.block.ruler.before(
        "html_block",
        "component",
        _component_block,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.inline.ruler.before("html_inline", "component_inline", _component_inline)
    return md


def _collect(page: Page, token: Any) -> None:
    line = token.map[0] + 1 if token.map else 0
    if token.type == "fence" and token.info.split()[:1] == ["sql"]:
        _query(page, token, line)
    elif token.type == "component":
        token.meta["component"] = _component(page, token.content, line)
    elif token.type == "inline":
        for child in token.children or []:
            if child.type == "component_inline":
                child.meta["component"] = _component(page, child.content, line)


def _query(page: Page, token: Any, line: int) -> None:
    words = token.info.split()
    if len(words) < 2:
        return  # a plain SQL code block, shown as code
    name = words[1]
    token.meta["query"] = name
    if len(words) > 2 or not QUERY_NAME.match(name):
        page.problem(line, f"a query is named by one lowercase word: ```sql {name}")
    elif name in page.queries:
        page.problem(
            line, f"query {name!r} is defined twice (first on line {page.queries[name].line})"
        )
    else:
        page.queries[name] = Query(name, token.content, line + 1)


def _component(page: Page, text: str, line: int) -> Component:
    component = parse_component(text, line)
    page.components.append(component)
    for message in component.problems:
        page.problem(line, message)
    return component


def _front_matter(text: str) -> tuple[dict[str, Any], str, list[tuple[int, str]]]:
    """The YAML between two ``---`` lines at the top, and the body with the front matter's
    lines left blank, so the body's line numbers stay the file's."""
    import yaml

    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text, []
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return {}, text, [(1, "the front matter opened by --- is never closed by ---")]
    body = "\n" * (end + 1) + "".join(lines[end + 1 :])
    try:
        meta = yaml.safe_load("".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return {}, body, [(2 + (mark.line if mark else 0), f"front matter: {exc}")]
    if not isinstance(meta, dict):
        return {}, body, [(2, "the front matter must be a mapping (title: ..., description: ...)")]
    problems = [
        (1, f"front matter: unknown key {key!r} (keys: {', '.join(sorted(FRONT_MATTER_KEYS))})")
        for key in meta
        if key not in FRONT_MATTER_KEYS
    ]
    return meta, body, problems


def _component_block(state: Any, start: int, end: int, silent: bool) -> bool:
    """A component tag at the start of a line, up to its ``/>`` (possibly lines later)."""
    pos = state.bMarks[start] + state.tShift[start]
    if state.sCount[start] - state.blkIndent >= 4 or not re.match(r"<[A-Z]", state.src[pos:]):
        return False
    match = TAG.match(state.src, pos)
    if match is None:  # no closing ``/>``: one line, which the parser will call broken
        text, last = state.src[pos : state.eMarks[start]], start
    else:
        text, last = match.group(0), start + match.group(0).count("\n")
        if state.src[match.end() : state.eMarks[last]].strip():
            return False  # text follows on the same line: an inline component
    if last >= end:
        return False
    if silent:
        return True
    token = state.push("component", "", 0)
    token.content = text
    token.map = [start, last + 1]
    state.line = last + 1
    return True


def _component_inline(state: Any, silent: bool) -> bool:
    if state.src[state.pos] != "<":
        return False
    match = TAG.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("component_inline", "", 0)
        token.content = match.group(0)
    state.pos = match.end()
    return True
