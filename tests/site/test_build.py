"""Building the site: pages from the warehouse's numbers, one shared Plotly bundle, a broken
page that shows its error while the others build, and a rebuild only when inputs changed."""

from __future__ import annotations

import json
import re

import pytest
from conftest import DAILY_REVENUE, record_run, small_warehouse, write_page

from strata.site.build import build_site
from strata.site.shell import NAV

SALES = """---
title: Sales
---

```sql by_channel
select channel, sum(revenue) as revenue, sum(orders) as orders
from analytics.daily_revenue
group by channel
order by channel
```

<BarChart data={by_channel} x=channel y=revenue />
<BigValue data={by_channel} value=revenue agg=sum title="Revenue" />
"""


@pytest.fixture
def sales_site(ctx, project_dir):
    write_page(project_dir, "sales.md", SALES)
    small_warehouse(ctx)
    return ctx


def embedded(page_html: str) -> dict:
    found = re.search(r'<script type="application/json" id="strata-data">(.*?)</script>', page_html)
    assert found, "the page embeds no query results"
    return json.loads(found.group(1))


def test_a_page_embeds_its_query_results_and_loads_the_shared_assets(sales_site, tmp_path):
    out = tmp_path / "site"
    build = build_site(sales_site, out)
    assert not build.reused and build.problems == []
    assert "dashboards/sales.html" in build.pages and "index.html" in build.pages
    page = (out / "dashboards" / "sales.html").read_text()
    data = embedded(page)["by_channel"]
    assert data["columns"] == ["channel", "revenue", "orders"]
    expected = {}
    for _, channel, orders, revenue in DAILY_REVENUE:
        total = expected.setdefault(channel, [channel, 0.0, 0])
        total[1] += revenue
        total[2] += orders
    assert data["rows"] == [[c, pytest.approx(r), o] for c, r, o in expected.values()]
    assert '<script src="../assets/plotly.min.js"></script>' in page
    assert (out / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert "Plotly" not in page  # the bundle is shared, never inlined in a page
    assert 'href="dashboards/sales.html">Sales</a>' in (out / "index.html").read_text()
    # The navigation never leads nowhere; here the data docs are built too.
    for item in NAV:
        assert (out / item.href).exists(), item.href
    assert "docs/index.html" in build.pages and "docs/lineage.html" in build.pages


def test_a_broken_page_shows_its_error_and_the_others_build(sales_site, project_dir, tmp_path):
    broken = SALES.replace("analytics.daily_revenue", "analytics.gone").replace("Sales", "Gone")
    write_page(project_dir, "gone.md", broken)
    write_page(project_dir, "typo.md", SALES.replace("y=revenue", "y=revenu"))
    out = tmp_path / "site"
    build = build_site(sales_site, out)
    problems = [str(p) for p in build.problems]
    assert any(p.startswith("dashboards/gone.md:6: query by_channel:") for p in problems)
    assert any(
        p.startswith("dashboards/typo.md:12: <BarChart> y=revenu: no such column") for p in problems
    )
    gone = (out / "dashboards" / "gone.html").read_text()
    assert 'class="error">dashboards/gone.md:12: its query failed' in gone
    assert "analytics.gone" in gone
    sales = (out / "dashboards" / "sales.html").read_text()
    assert 'class="error"' not in sales
    assert embedded(sales)["by_channel"]["rows"]


def test_a_build_with_unchanged_inputs_reuses_the_last(sales_site, project_dir, tmp_path):
    out = tmp_path / "site"
    first = build_site(sales_site, out)
    assert not first.reused
    assert build_site(sales_site, out).reused
    # A run that found nothing new and succeeded changes nothing the site shows.
    record_run(sales_site, "20261124T060000Z-00000001", {"sources": {}})
    assert build_site(sales_site, out).reused
    # A run that converted files does.
    counts = {"files": 1, "rows_in": 3, "rows_out": 3, "rows_quarantined": 0}
    record_run(sales_site, "20261124T070000Z-00000002", {"sources": {"orders": counts}})
    assert not build_site(sales_site, out).reused
    assert build_site(sales_site, out).reused
    write_page(project_dir, "sales.md", SALES.replace("Revenue", "Turnover"))
    rebuilt = build_site(sales_site, out)
    assert not rebuilt.reused
    assert "Turnover" in (out / "dashboards" / "sales.html").read_text()
    assert build_site(sales_site, out, force=True).reused is False


def test_a_page_removed_from_dashboards_leaves_the_site(sales_site, project_dir, tmp_path):
    out = tmp_path / "site"
    write_page(project_dir, "old.md", SALES)
    build_site(sales_site, out)
    assert (out / "dashboards" / "old.html").exists()
    (project_dir / "dashboards" / "old.md").unlink()
    build_site(sales_site, out)
    assert not (out / "dashboards" / "old.html").exists()
