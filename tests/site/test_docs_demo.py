"""The data docs of a demo lake: the repository's sample sources run through the local pipeline
once (the module's fixture), plus a dashboard page that reads two analytics models. The pages
and the lineage are checked as HTML and JSON; the browser tests of the site drive the same
pages in Chromium."""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from strata.runtime import Context, build_context, use
from strata.settings import Settings
from strata.site.docs import build_docs, build_lineage, gather
from strata.site.docs.model import Docs

REPO = Path(__file__).resolve().parents[2]
for path in (REPO, REPO / "tests" / "dev" / "local"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from demo_project import point_at_servers  # noqa: E402

from samples.servers.demo import DemoServers  # noqa: E402

pytestmark = pytest.mark.slow

PROJECT_PARTS = ("sources", "warehouse", "statemachines", "functions", "template.yaml")
OVERVIEW = """\
---
title: Revenue overview
---
# Revenue overview

Revenue per day and channel, and what marketing spend brings back.

```sql revenue_by_day
select order_date, channel, revenue
from analytics.daily_revenue
where channel = '${inputs.channel.value}'
```

<LineChart data={revenue_by_day} x=order_date y=revenue series=channel />

```sql roas
with per_channel as (
    select channel, sum(spend) as spend, sum(revenue) as revenue
    from analytics.marketing_vs_revenue
    group by channel
)
select channel, revenue / nullif(spend, 0) as roas from per_channel
```

```sql best_days
select * from ${revenue_by_day} order by revenue desc limit 5
```
"""


@dataclass
class DemoDocs:
    project: Path
    ctx: Context
    out: Path
    pages: list[str]
    docs: Docs


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDocs]:
    from strata_dev.cli.main import main

    root = tmp_path_factory.mktemp("docs-demo")
    project = root / "project"
    for part in PROJECT_PARTS:
        copy = shutil.copy if (REPO / part).is_file() else shutil.copytree
        copy(REPO / part, project / part)
    (project / "dashboards").mkdir()
    (project / "dashboards" / "overview.md").write_text(OVERVIEW, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
        patch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
        with DemoServers(api_port=0, sftp_port=0) as servers:
            point_at_servers(project, servers)

            def cli(*args: str) -> int:
                return main(["--project-dir", str(project), *args])

            samples = REPO / "samples"
            assert cli("upload", "orders", *map(str, sorted(samples.glob("orders/*.csv")))) == 0
            shipments = sorted(samples.glob("shipments/*.ndjson"))
            assert cli("upload", "shipments", *map(str, shipments)) == 0
            spend = sorted(samples.glob("marketing_spend/*.xlsx"))
            assert cli("upload", "marketing_spend", *map(str, spend)) == 0
            assert cli("run") == 0
        # The default target: the environment's (dev), as `strata site build` runs it.
        ctx = build_context(Settings(project_dir=project, lake_dir=project / "lake"))
        use(ctx)
        out = root / "site" / "docs"
        pages = build_docs(ctx, out)
        yield DemoDocs(project, ctx, out, pages, gather(ctx))
        use(None)
        ctx.ports.warehouse.close()


def text(page: Path) -> str:
    """A page's visible text, tags removed and whitespace folded: what a reader sees."""
    body = re.sub(r"<script.*?</script>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_every_source_table_model_and_dashboard_has_a_page_listed_in_the_catalog(demo):
    contracts = sorted(p.stem for p in (demo.project / "sources").glob("*.yaml"))
    models = sorted(p.stem for p in (demo.project / "warehouse" / "models").rglob("*.sql"))
    assert sorted(demo.docs.sources) == contracts
    assert sorted(demo.docs.tables) == contracts
    assert sorted(demo.docs.models) == models  # the default target finds every model
    assert demo.docs.target == "dev"
    expected = (
        [f"sources/{name}.html" for name in contracts]
        + [f"tables/{name}.html" for name in contracts]
        + [f"models/{name}.html" for name in models]
        + ["dashboards/overview.html", "index.html", "lineage.html"]
    )
    assert sorted(demo.pages) == sorted(expected)
    assert all((demo.out / page).is_file() for page in demo.pages)
    catalog = (demo.out / "index.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'<a href="([^"]+\.html)"', catalog))
    assert set(expected) - {"index.html", "lineage.html"} <= linked
    assert demo.docs.problems == []


def test_a_source_page_shows_its_contract_delivery_and_freshness(demo):
    page = text(demo.out / "sources" / "orders.html")
    assert "Kind s3_drop" in page
    assert "Owner commerce-data@example.com" in page
    assert "Comes from landing/orders/" in page
    assert "Primary key order_id" in page
    assert "event_date: one partition per day, from the event date of ordered_at" in page
    assert "amount decimal(12,2) no Amount Order total including tax." in page
    assert "status is one of: placed, shipped, delivered, cancelled, returned" in page
    assert "currency matches ^[A-Z]{3}$" in page
    run_id = demo.docs.last_run.run_id
    runs = (demo.project / "lake" / "raw" / "orders").glob("*/run_id=*")
    newest = max(runs, key=lambda folder: folder.name)  # run ids sort by time
    assert f"{newest.name}/{next(newest.iterdir()).name}" in page
    fresh = r"Freshness fresh last delivery \d+ \w+ ago · warn after 2 days · error after 7 days"
    assert re.search(fresh, page)
    assert f"Last freshness check pass run {run_id}" in page
    api = text(demo.out / "sources" / "orders_api.html")
    assert "Kind api" in api and "Last ingestion attempt ok" in api


def test_a_cleansed_table_page_counts_rows_partitions_and_quarantine(demo):
    page = text(demo.out / "tables" / "orders.html")
    partitions = demo.ctx.ports.catalog.list_partitions("orders")
    dates = sorted(partition["event_date"] for partition in partitions)
    assert f"Partitions {len(dates)}, from {dates[0]} to {dates[-1]}" in page
    # the demo's orders: 190 rows read from 3 files, 5 quarantined (the run summary's numbers)
    assert "Rows 185 (of 190 read from 3 raw files)" in page
    assert "Quarantined 5 rows, 2.6% of rows read; 0 files quarantined whole" in page
    assert "order_id bigint Order number assigned by the shop." in page
    assert "_ingested_at timestamp When the raw object landed (UTC)." in page
    assert "Partitioned by event_date (date)" in page


def test_a_model_page_shows_sql_columns_with_types_and_each_tests_last_result(demo):
    path = demo.out / "models" / "fct_orders.html"
    page = text(path)
    run_id = demo.docs.last_run.run_id
    report = json.loads(
        (demo.project / "lake" / "artifacts" / "runs" / run_id / "report.json").read_text()
    )
    results = {test["test"]: test["status"] for test in report["tests"]}
    for name in ("not_null_fct_orders_order_id", "unique_fct_orders_order_id"):
        assert results[name] == "pass"
        assert f"{name} " in page
        row = re.search(rf'<tr data-test="{name}">.*?</tr>', path.read_text(), re.S).group(0)
        assert f"status-{results[name]}" in row and run_id in row
    assert "Materialized incremental" in page
    assert "order_id bigint" in page  # the type the warehouse built
    assert "revenue decimal(12,2) The amount, or 0 for cancelled and returned orders." in page
    # an undescribed column takes its description from upstream, saying where from
    assert "customer_id varchar Customer account number in the CRM. (from stg_orders)" in page
    raw = path.read_text()
    assert "{{ ref(&#39;stg_orders&#39;) }}" in raw  # as written
    assert "from stage.stg_orders" in raw  # compiled for the default target
    model = demo.docs.models["fct_orders"]
    assert all(test.last is not None for test in model.tests)


def test_the_dashboard_page_lists_its_queries_and_the_models_they_read(demo):
    dashboard = demo.docs.dashboards["overview"]
    assert dashboard.title == "Revenue overview"
    assert dashboard.models == ["daily_revenue", "marketing_vs_revenue"]
    assert [q.name for q in dashboard.queries] == ["revenue_by_day", "roas", "best_days"]
    assert dashboard.queries[2].tables == []  # reads the page's own query, not the warehouse
    page = text(demo.out / "dashboards" / "overview.html")
    assert "Reads models daily_revenue marketing_vs_revenue" in page
    assert "revenue_by_day line 8" in page


def test_the_lineage_leads_from_the_orders_source_to_the_dashboard(demo):
    graph = json.loads((demo.out / "lineage.json").read_text())
    edges = {(edge["source"], edge["target"]) for edge in graph["edges"]}
    nodes = {node["id"]: node for node in graph["nodes"]}
    path = [
        "source:orders",
        "raw:orders",
        "cleansed:orders",
        "model:stg_orders",
        "model:daily_revenue",
        "dashboard:overview",
    ]
    assert set(itertools.pairwise(path)) <= edges
    assert ("model:stg_marketing_spend", "model:marketing_vs_revenue") in edges
    assert [nodes[node]["kind"] for node in path] == [
        "source",
        "raw",
        "cleansed",
        "stage",
        "analytics",
        "dashboard",
    ]
    for node in path:  # every node leads to its own page
        href = nodes[node]["href"].split("#")[0]
        assert (demo.out / href).is_file()
    # Every edge goes left to right, so the browser's columns read as the flow.
    assert all(nodes[a]["rank"] < nodes[b]["rank"] for a, b in edges)
    # The page embeds the same graph and loads the vendored library, never a CDN.
    page = (demo.out / "lineage.html").read_text()
    embedded = re.search(r'id="lineage-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(embedded) == graph
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["assets/vendor/cytoscape.min.js", "assets/lineage.js"]
    assert all((demo.out / script).is_file() for script in scripts)
    assert "http" not in " ".join(scripts)


def test_each_page_links_its_neighbours_and_its_place_in_the_lineage(demo):
    page = (demo.out / "models" / "stg_orders.html").read_text()
    upstream = re.search(r'<ul class="upstream">(.*?)</ul>', page, re.S).group(1)
    downstream = re.search(r'<ul class="downstream">(.*?)</ul>', page, re.S).group(1)
    assert 'href="../tables/orders.html"' in upstream
    assert 'href="../models/daily_revenue.html"' in downstream
    assert 'href="../models/fct_orders.html"' in downstream
    assert 'href="../lineage.html#focus=model:stg_orders"' in page


def test_the_docs_match_the_lake_they_were_built_from(demo):
    lineage = build_lineage(demo.docs)
    assert len(lineage.nodes) == 3 * len(demo.docs.sources) + len(demo.docs.models) + 1
