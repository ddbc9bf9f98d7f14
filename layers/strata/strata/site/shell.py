"""The page shell every page of the site shares: the navigation bar and one stylesheet.

The site's layout (paths relative to the site's root) is fixed here, so that the dashboards and
the data docs link to each other without knowing how the other is built:

``index.html``                    the dashboards' index
``dashboards/<page>.html``        one page per ``dashboards/<page>.md``
``dashboards/data_quality.html``  the data-quality dashboard
``docs/index.html``               the data docs' catalog (:mod:`strata.site.docs`)
``docs/lineage.html``             the lineage graph
``assets/``                       shared static files (``strata.css``, ``plotly.min.js``, ...)
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

ASSETS = "assets"
STYLESHEET = f"{ASSETS}/strata.css"


@dataclass(frozen=True)
class NavItem:
    section: str
    label: str
    href: str  # relative to the site's root


NAV: tuple[NavItem, ...] = (
    NavItem("dashboards", "Dashboards", "index.html"),
    NavItem("quality", "Data quality", "dashboards/data_quality.html"),
    NavItem("catalog", "Catalog", "docs/index.html"),
    NavItem("lineage", "Lineage", "docs/lineage.html"),
)
SECTIONS = frozenset(item.section for item in NAV)


def root_prefix(depth: int) -> str:
    """The relative path from a page ``depth`` folders below the root back to the root."""
    if depth < 0:
        raise ValueError(f"depth must be 0 or more, not {depth}")
    return "../" * depth


def render_page(
    title: str,
    body_html: str,
    *,
    section: str,
    depth: int,
    scripts: tuple[str, ...] = (),
) -> str:
    """A whole HTML page: the navigation with ``section`` marked current, then ``body_html``
    (which brings its own heading: ``title`` names the page in the browser's tab).

    ``depth`` is how many folders below the site's root the page is written (``index.html``: 0,
    ``docs/sources/orders.html``: 2), so every link stays relative and the site works from a folder,
    a local server or a bucket alike. ``scripts`` are extra script paths relative to the root
    (e.g. ``assets/plotly.min.js``), loaded in the head before the body runs.
    """
    if section not in SECTIONS:
        raise ValueError(f"unknown section {section!r}; one of {', '.join(sorted(SECTIONS))}")
    up = root_prefix(depth)
    links = "\n".join(
        f'<a href="{up}{item.href}"'
        + (' class="current" aria-current="page"' if item.section == section else "")
        + f">{html.escape(item.label)}</a>"
        for item in NAV
    )
    script_tags = "".join(f'\n<script src="{up}{html.escape(path)}"></script>' for path in scripts)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · Strata</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{up}{STYLESHEET}">{script_tags}
</head>
<body>
<header class="site-header">
<a class="brand" href="{up}index.html">Strata</a>
<nav class="site-nav">
{links}
</nav>
</header>
<main class="page">
{body_html}
</main>
</body>
</html>
"""


def asset_text(name: str) -> str:
    """A static file shipped in this package's ``assets`` folder."""
    return resources.files(__package__).joinpath(ASSETS, name).read_text(encoding="utf-8")


def write_shell_assets(out_dir: Path) -> list[str]:
    """Write the shell's own static files into the site; returns their relative paths."""
    target = out_dir / STYLESHEET
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(asset_text("strata.css"), encoding="utf-8")
    return [STYLESHEET]


def heading(title: str) -> str:
    """The page's heading, for a body that has none of its own."""
    return f"<h1>{html.escape(title)}</h1>\n"
