"""The docs in headless Chromium: the lineage draws the graph, a search focuses it, a click on
a node opens its page, the catalog's search filters its rows, and no page logs an error.

Skipped, saying why, where Chromium or playwright is missing; the site's browser set-up
(`make test`) installs both."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium_flags import CHROMIUM_ARGS

from strata.site.docs import build_docs

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (make test installs it)", allow_module_level=True)

DASHBOARD = "# Overview\n\n```sql revenue\nselect * from analytics.daily_revenue\n```\n"


@pytest.fixture
def served(ctx, project_dir: Path, tmp_path: Path) -> Iterator[str]:
    (project_dir / "dashboards").mkdir()
    (project_dir / "dashboards" / "overview.md").write_text(DASHBOARD)
    site = tmp_path / "site"
    build_docs(ctx, site / "docs")
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/docs/"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def page() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1300, "height": 900})
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.console_errors = errors
        yield tab
        browser.close()


def shown(page) -> set[str]:
    return set(page.evaluate("window.strataLineage.shown()"))


def test_the_lineage_page_searches_focuses_and_opens_a_nodes_page(served, page):
    page.goto(served + "lineage.html")
    page.wait_for_function("window.strataLineage && window.strataLineage.cy.nodes().length > 0")
    everything = shown(page)  # a small project: the whole graph
    assert {"source:orders", "cleansed:orders", "model:daily_revenue"} <= everything
    assert "dashboard:overview" in everything

    page.fill("#lineage-search", "daily_rev")
    page.click("#lineage-results button")
    focused = shown(page)
    assert {"source:orders", "raw:orders", "model:stg_orders", "dashboard:overview"} <= focused
    assert "source:shipments" not in focused  # not upstream nor downstream of daily_revenue
    assert page.evaluate("window.location.hash") == "#focus=model:daily_revenue"

    box = page.locator("#lineage-graph").bounding_box()
    spot = page.evaluate(
        "window.strataLineage.cy.getElementById('model:stg_orders').renderedPosition()"
    )
    with page.expect_navigation():
        page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    assert page.url.endswith("/docs/models/stg_orders.html")
    assert "stage.stg_orders" in page.inner_text("h1")
    assert page.console_errors == []


def test_a_pages_lineage_link_opens_the_graph_focused_on_it(served, page):
    page.goto(served + "sources/orders.html")
    page.click("a.lineage-link")
    page.wait_for_function("window.strataLineage && window.strataLineage.cy.nodes().length > 0")
    focused = shown(page)
    assert "source:orders" in focused and "model:fct_orders" in focused
    assert "source:customers" not in focused
    assert page.console_errors == []


def test_the_catalog_search_filters_its_rows(served, page):
    page.goto(served + "index.html")
    rows = page.locator("#catalog tbody tr")
    total = rows.count()
    page.fill("#catalog-search", "order_id")  # a column name finds the tables that have it
    visible = page.locator("#catalog tbody tr:not([hidden])")
    names = visible.locator("td:nth-child(2)").all_inner_texts()
    assert "orders" in names and "stage.stg_orders" in names
    assert "stage.stg_customers" not in names and len(names) < total
    page.select_option("#catalog-kind", "cleansed")
    cleansed = visible.locator("td:nth-child(2)").all_inner_texts()
    assert cleansed == ["cleansed.orders", "cleansed.shipments"]  # shipments name their order
    assert page.console_errors == []
