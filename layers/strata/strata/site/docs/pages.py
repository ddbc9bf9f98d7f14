"""The data docs as HTML pages: a catalog to search, one page per source, cleansed table,
model and dashboard, and the lineage page. Bodies come from the Jinja templates beside this
module (autoescaped); the site's shell (``render_page``) wraps each body in the common frame.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from strata.site.docs.lineage import Lineage, Node, href_of, node_id
from strata.site.docs.model import Docs

# render_page(title, body_html, *, section, depth) -> the whole page's HTML
RenderPage = Callable[..., str]
HERE = Path(__file__).parent
ASSETS = HERE / "assets"
CATALOG = "catalog"
LINEAGE = "lineage"
LINEAGE_PAGE = "lineage.html"
LINEAGE_JSON = "lineage.json"
PAGES_WRITTEN = ".pages.json"  # what the last build wrote, so the next removes what went away


@dataclass(frozen=True)
class Page:
    path: str  # relative to the docs' root
    title: str
    template: str
    section: str
    values: dict[str, Any]


def write_pages(
    docs: Docs, lineage: Lineage, out_dir: Path, render_page: RenderPage, root_depth: int
) -> list[str]:
    """Write every page and asset under ``out_dir``; returns the pages' paths, relative to it.
    ``root_depth`` is how deep ``out_dir`` lies below the site's root (for the shell's links)."""
    environment = _environment()
    written = []
    for page in _pages(docs, lineage):
        depth = page.path.count("/")
        root = "../" * depth
        body = environment.get_template(page.template).render(
            docs=docs,
            lineage=lineage,
            root=root,
            assets=root + "assets/",
            lineage_href=root + LINEAGE_PAGE,
            **page.values,
        )
        html = render_page(page.title, body, section=page.section, depth=root_depth + depth)
        target = out_dir / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        written.append(page.path)
    (out_dir / LINEAGE_JSON).write_text(json.dumps(lineage.to_json(), indent=1), encoding="utf-8")
    shutil.copytree(ASSETS, out_dir / "assets", dirs_exist_ok=True)
    _copy_vendor(out_dir / "assets" / "vendor")
    _forget_stale_pages(out_dir, written)
    return written


# The browser libraries kept out of the Strata layer (strata_site_assets: the Site layer).
VENDOR = ("cytoscape.min.js", "cytoscape.LICENSE")


def _copy_vendor(folder: Path) -> None:
    from strata_site_assets import asset

    folder.mkdir(parents=True, exist_ok=True)
    for name in VENDOR:
        found = asset(name)
        if found is None:
            raise FileNotFoundError(f"strata_site_assets has no {name}: the Site layer is needed")
        shutil.copyfile(found, folder / name)


def _forget_stale_pages(out_dir: Path, written: list[str]) -> None:
    """Remove the pages the previous build wrote and this one did not (a model deleted, a
    source renamed), and only those: the folder may hold other files of the site."""
    listing = out_dir / PAGES_WRITTEN
    try:
        before = json.loads(listing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = []
    for page in set(before) - set(written):
        (out_dir / page).unlink(missing_ok=True)
    listing.write_text(json.dumps(sorted(written), indent=1), encoding="utf-8")


def _pages(docs: Docs, lineage: Lineage) -> list[Page]:
    pages = [
        Page("index.html", "Data catalog", "index.html", CATALOG, {"entries": _entries(docs)}),
        Page(
            LINEAGE_PAGE,
            "Lineage",
            "lineage.html",
            LINEAGE,
            {"graph_json": _script_json(lineage.to_json())},
        ),
    ]
    for kind, items, template in (
        ("source", docs.sources, "source.html"),
        ("table", docs.tables, "table.html"),
        ("model", docs.models, "model.html"),
        ("dashboard", docs.dashboards, "dashboard.html"),
    ):
        for name, item in items.items():
            node = lineage.nodes[node_id("cleansed" if kind == "table" else kind, name)]
            values = {
                "item": item,
                "node": node,
                "upstream": _neighbours(lineage, lineage.upstream(node.id)),
                "downstream": _neighbours(lineage, lineage.downstream(node.id)),
            }
            title = getattr(item, "title", None) or name
            pages.append(Page(href_of(kind, name), title, template, CATALOG, values))
    return pages


def _neighbours(lineage: Lineage, ids: list[str]) -> list[Node]:
    return sorted((lineage.nodes[node] for node in ids), key=lambda node: (node.rank, node.label))


@dataclass(frozen=True)
class Entry:
    """A row of the catalog: what it links to, and the words its search matches (column
    names among them: "which table has customer_id?")."""

    kind: str
    name: str
    href: str
    about: str
    search: str


def _entry(kind: str, name: str, href: str, about: str, *words: str) -> Entry:
    return Entry(kind, name, href, about, " ".join([kind, name, about, *words]).lower())


def _entries(docs: Docs) -> list[Entry]:
    def columns(item: Any) -> list[str]:
        return [column.name for column in item.columns]

    entries = [
        _entry(
            "source", s.name, href_of("source", s.name), s.description, s.kind, s.owner, *columns(s)
        )
        for s in docs.sources.values()
    ]
    entries += [
        _entry("cleansed", t.relation, href_of("table", t.name), t.description, *columns(t))
        for t in docs.tables.values()
    ]
    entries += [
        _entry(m.layer, m.relation, href_of("model", m.name), m.description, *m.tags, *columns(m))
        for m in docs.models.values()
    ]
    entries += [
        _entry("dashboard", d.title, href_of("dashboard", d.name), d.path, d.name)
        for d in docs.dashboards.values()
    ]
    return entries


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no '</' can close it early."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


def _environment() -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(when=_when, age=_age, percent=_percent, number=_number)
    return environment


def _when(moment: datetime | str | None) -> str:
    if moment is None:
        return "never"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{int(seconds)} s"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"
