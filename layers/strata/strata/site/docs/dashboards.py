"""The dashboards' pages and their place in the lineage: which relations each page's queries
read. A page is a Markdown file in ``dashboards/`` with named SQL blocks (```sql name); only
the SQL matters here, read tolerantly: a query sqlglot cannot parse is searched for the names
after FROM and JOIN instead, and the page is documented either way."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import yaml

from strata.site.docs.model import DashboardDoc, ModelDoc, QueryDoc, TableDoc
from strata.storage.base import ObjectStore

DASHBOARDS = "dashboards/"
_BLOCK = re.compile(
    r"^```sql[ \t]+(?P<name>[A-Za-z_][\w-]*)[^\n]*\n(?P<sql>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_HEADING = re.compile(r"^#[ \t]+(?P<title>.+?)[ \t]*#*$", re.MULTILINE)
# Placeholders a page may put in its SQL (`${inputs.channel}`, `{{ var }}`): read as a name.
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\{\{.*?\}\}")
_PLACEHOLDER_NAME = "__placeholder__"
_FROM_JOIN = re.compile(
    r"\b(?:from|join)\s+((?:\"?[A-Za-z_][\w$]*\"?\.)?\"?[A-Za-z_][\w$]*\"?)", re.IGNORECASE
)
_CTE = re.compile(r"\b([A-Za-z_]\w*)\s+as\s*\(", re.IGNORECASE)


def read_dashboards(store: ObjectStore, prefix: str = "") -> list[DashboardDoc]:
    pages = []
    for info in store.list(prefix + DASHBOARDS):
        relative = info.key[len(prefix) :]
        if PurePosixPath(relative).suffix != ".md" or relative.count("/") != 1:
            continue
        text = store.get_bytes(info.key).decode("utf-8", errors="replace")
        pages.append(parse_dashboard(relative, text))
    return pages


def parse_dashboard(path: str, text: str) -> DashboardDoc:
    name = PurePosixPath(path).stem
    queries = []
    for block in _BLOCK.finditer(text):
        line = text.count("\n", 0, block.start()) + 1
        sql = block["sql"].rstrip()
        tables, error = tables_read(sql)
        queries.append(QueryDoc(block["name"], line, sql, tables, error))
    names = {query.name for query in queries}
    for query in queries:  # a query may read another query of the page by its name
        query.tables = [table for table in query.tables if table not in names]
    return DashboardDoc(name=name, path=path, title=_title(text) or name, queries=queries)


def tables_read(sql: str) -> tuple[list[str], str | None]:
    """The relations a query reads (CTEs left out), as ``schema.table`` or ``table``, sorted;
    with a note when the query could only be searched for names."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    cleaned = _PLACEHOLDER.sub(_PLACEHOLDER_NAME, sql)
    try:
        trees = [tree for tree in sqlglot.parse(cleaned, read="redshift") if tree is not None]
    except SqlglotError as exc:
        return sorted(_scanned(cleaned)), f"read by name only: {str(exc).splitlines()[0]}"
    found: list[str] = []
    for tree in trees:
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            if not table.name or (not table.db and table.name in ctes):
                continue
            _add(found, f"{table.db}.{table.name}" if table.db else table.name)
    return sorted(found), None


def _scanned(sql: str) -> list[str]:
    ctes = set(_CTE.findall(sql))
    found: list[str] = []
    for match in _FROM_JOIN.finditer(sql):
        name = match.group(1).replace('"', "")
        if name not in ctes:
            _add(found, name)
    return found


def _add(found: list[str], name: str) -> None:
    if name != _PLACEHOLDER_NAME and name not in found:
        found.append(name)


def _title(text: str) -> str | None:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        try:
            front = yaml.safe_load(text[4:end]) if end > 0 else None
        except yaml.YAMLError:
            front = None
        if isinstance(front, dict) and front.get("title"):
            return str(front["title"])
    heading = _HEADING.search(text)
    return heading["title"] if heading else None


def resolve(
    dashboard: DashboardDoc,
    models: dict[str, ModelDoc],
    tables: dict[str, TableDoc],
    external_schema: str,
) -> None:
    """Sort the relations the page reads into models, cleansed tables and anything else."""
    for query in dashboard.queries:
        for relation in query.tables:
            schema, _, name = relation.rpartition(".")
            model = models.get(name)
            if schema == external_schema and name in tables:
                _add(dashboard.tables, name)
            elif model is not None and schema in ("", model.relation.split(".")[0], model.layer):
                _add(dashboard.models, name)
            else:
                _add(dashboard.other, relation)
