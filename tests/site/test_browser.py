"""The built site in a real browser: Debian's headless Chromium, driven by Playwright (no
browser download: Playwright's own launcher with ``executable_path``), loads the site that a
real `strata run` built at its end, from a loopback server.

Playwright rather than selenium: one Python package, no chromedriver whose version must match
the browser, and console messages and page errors arrive as events, which the "no console
error" check needs. Screenshots go to .screenshots/ (git-ignored)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from chromium_flags import CHROMIUM_ARGS

CHROMIUM = Path(os.environ.get("STRATA_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".screenshots"
DASHBOARDS = ("dashboards/overview.html", "dashboards/data_quality.html")
PAGES = ("index.html", *DASHBOARDS, "docs/index.html", "docs/lineage.html")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: `make browser` installs it"
    ),
]


@pytest.fixture(scope="module")
def site_url(demo_lake: Path) -> Iterator[str]:
    from strata_dev.cli.site import serve_in_background

    server = serve_in_background(demo_lake / "lake" / "site")
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A browser tab that records every console error and uncaught page error."""

    def __init__(self, browser: object, base: str) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"{self.page.url}: {e}"))

    def _console(self, message: object) -> None:
        if message.type == "error":  # type: ignore[attr-defined]
            self.errors.append(f"{self.page.url}: {message.text}")  # type: ignore[attr-defined]

    def open(self, path: str) -> object:
        self.page.goto(self.base + path)
        if path.startswith("dashboards/"):
            self.page.wait_for_selector("body[data-drawn]", timeout=15_000)
        return self.page


@pytest.fixture
def visit(browser: object, site_url: str) -> Iterator[Visit]:
    tab = Visit(browser, site_url)
    yield tab
    tab.page.close()


CHARTS = """() => Array.from(document.querySelectorAll('.chart')).map(el => ({
    plotly: el.classList.contains('js-plotly-plot'),
    traces: (el.data || []).length,
    points: (el.data || []).reduce(
        (n, t) => n + ((t.type === 'histogram' ? t.x : t.y) || []).length, 0),
    title: el.layout && el.layout.title ? el.layout.title.text : '',
}))"""


def warehouse_value(demo_lake: Path, sql: str) -> Decimal:
    from strata.runtime import build_context
    from strata.settings import Settings

    ctx = build_context(Settings(project_dir=demo_lake, lake_dir=demo_lake / "lake"))
    try:
        return Decimal(str(ctx.ports.warehouse.run(sql).rows[0][0]))
    finally:
        ctx.ports.warehouse.close()  # type: ignore[attr-defined]


def kpi(page: object, title: str) -> Decimal:
    value = page.evaluate(  # type: ignore[attr-defined]
        """title => Array.from(document.querySelectorAll('.big-value'))
            .find(el => el.querySelector('.label').textContent === title)
            .getAttribute('data-value')""",
        title,
    )
    return Decimal(value).quantize(Decimal("0.01"))


@contextmanager
def redrawn(page: object) -> Iterator[None]:
    """Wait until the page has drawn its components again after what the block does."""
    drawn = int(page.get_attribute("body", "data-drawn") or 0)  # type: ignore[attr-defined]
    yield
    page.wait_for_function(  # type: ignore[attr-defined]
        f"() => Number(document.body.getAttribute('data-drawn')) > {drawn}", timeout=10_000
    )


def test_each_dashboard_draws_its_charts_with_data(visit):
    for path in DASHBOARDS:
        page = visit.open(path)
        charts = page.evaluate(CHARTS)
        assert charts, f"{path} has no chart"
        for chart in charts:
            assert chart["plotly"] and chart["traces"] > 0 and chart["points"] > 0, (path, chart)
        assert page.locator(".error").count() == 0, page.locator(".error").all_inner_texts()
        tables = page.locator("table.data")
        assert tables.count() > 0 and page.locator("table.data tbody tr").count() > 0


def test_a_kpi_equals_the_same_sql_on_the_warehouse(visit, demo_lake):
    page = visit.open("dashboards/overview.html")
    revenue = warehouse_value(demo_lake, "select sum(revenue) from analytics.daily_revenue")
    assert kpi(page, "Revenue") == revenue.quantize(Decimal("0.01"))
    shown = page.locator(".big-value", has_text="Revenue").locator(".value").inner_text()
    assert shown == f"€{round(revenue):,}"


def test_the_channel_filter_changes_the_charts_and_the_kpi(visit, demo_lake):
    page = visit.open("dashboards/overview.html")
    line = page.locator(".chart").first
    before = line.evaluate("el => el.data.map(t => t.name)")
    assert len(before) > 1
    with redrawn(page):
        page.select_option("select[name=channel]", "email")
    assert line.evaluate("el => el.data.map(t => t.name)") == ["email"]
    email = warehouse_value(
        demo_lake, "select sum(revenue) from analytics.daily_revenue where channel = 'email'"
    )
    assert kpi(page, "Revenue") == email.quantize(Decimal("0.01"))
    # The date range narrows the same chart to the chosen days.
    with redrawn(page):
        page.fill("input[name=order_date_from]", "2026-11-02")
    days = line.evaluate("el => el.data[0].x")
    assert days and min(days) >= "2026-11-02"


def test_the_data_quality_page_shows_a_status_per_source(visit, demo_lake):
    page = visit.open("dashboards/data_quality.html")
    # The first table is the status per source; the freshness table has a status per source too.
    statuses = page.locator("table.data").first.locator(".status").all_inner_texts()
    sources = sorted(p.stem for p in (demo_lake / "sources").glob("*.yaml"))
    assert len(statuses) == len(sources)
    assert set(statuses) <= {"green", "amber", "red"}
    assert "amber" in statuses  # the sample orders carry rows the contract rejects


def test_no_page_logs_a_console_error_and_screenshots_are_taken(visit):
    SCREENSHOTS.mkdir(exist_ok=True)
    for path in PAGES:
        page = visit.open(path)
        if path in (*DASHBOARDS, "docs/lineage.html"):
            name = Path(path).stem
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert visit.errors == []
    for name in ("overview", "data_quality", "lineage"):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000


def test_the_site_is_built_by_the_run_and_reused_when_nothing_changed(demo_lake, capsys):
    from strata_dev.cli.main import main

    site = demo_lake / "lake" / "site"
    assert (site / "dashboards" / "overview.html").exists()
    marker = (site / ".fingerprint").read_text()
    capsys.readouterr()
    assert main(["--project-dir", str(demo_lake), "site", "build"]) == 0
    assert "site unchanged since the last build" in capsys.readouterr().out
    assert (site / ".fingerprint").read_text() == marker
    shutil.rmtree(site / "assets")
    (site / "index.html").unlink()
    assert main(["--project-dir", str(demo_lake), "site", "build"]) == 0
    assert (site / "assets" / "plotly.min.js").exists()
