"""The data docs' parts, without running the pipeline: an empty lake, run reports written by
hand, a broken model, the dashboards' SQL read tolerantly, the lineage's columns."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from strata_site_assets import asset

from strata.errors import CatalogError
from strata.lake import state_keys
from strata.lake.keys import report_key
from strata.models.config import Freshness as FreshnessConfig
from strata.runtime import build_context
from strata.site.docs import build_docs, build_lineage, gather
from strata.site.docs.dashboards import parse_dashboard, resolve, tables_read
from strata.site.docs.model import CheckResult
from strata.site.docs.sources import freshness_of, origin

REPO = Path(__file__).resolve().parents[2]


def record_run(ctx, run_id: str, tests: list[dict]) -> None:
    """A finished run as the Report step leaves it: its record and its report."""
    key = report_key(run_id)
    report = {"run_id": run_id, "status": "partial", "tests": tests}
    ctx.ports.artifacts.put_bytes(key, json.dumps(report).encode())
    finished = {"run_id": run_id, "status": "partial", "finished_at": "2026-11-24T06:01:00+00:00"}
    ctx.ports.state.put(state_keys.RUN, run_id, {**finished, "report_key": key})


def test_an_empty_lake_is_documented_from_its_contracts_and_models(ctx, tmp_path):
    pages = build_docs(ctx, tmp_path / "docs")
    docs = gather(ctx)
    assert len(docs.models) == 10 and docs.last_run is None
    orders = docs.sources["orders"]
    assert orders.last_delivery is None and orders.freshness.status == "never"
    table = (tmp_path / "docs" / "tables" / "orders.html").read_text()
    assert "The catalog has no table for it" in table
    model = (tmp_path / "docs" / "models" / "daily_revenue.html").read_text()
    assert "not run yet" in model
    # Never built: the columns are the ones the compiled SQL names, without types.
    assert [c.name for c in docs.models["daily_revenue"].columns] == [
        "order_date",
        "channel",
        "orders",
        "customers",
        "revenue",
    ]
    assert "models/daily_revenue.html" in pages
    # Nothing was built, so the docs did not open (and create) the warehouse.
    assert not (tmp_path / "lake" / "warehouse.duckdb").exists()


def test_each_test_shows_its_latest_result_across_runs(ctx, tmp_path):
    older = [
        {"test": "unique_fct_orders_order_id", "status": "pass", "failures": 0},
        {"test": "not_null_fct_orders_order_id", "status": "pass", "failures": 0},
    ]
    newer = [{"test": "unique_fct_orders_order_id", "status": "fail", "failures": 3}]
    record_run(ctx, "20261123T060000Z-00000001", older)
    record_run(ctx, "20261124T060000Z-00000002", newer)
    docs = gather(ctx)
    tests = {test.name: test.last for test in docs.models["fct_orders"].tests}
    assert tests["unique_fct_orders_order_id"] == CheckResult(
        "fail", "20261124T060000Z-00000002", 3, "error"
    )
    assert tests["not_null_fct_orders_order_id"].run_id == "20261123T060000Z-00000001"
    build_docs(ctx, tmp_path / "docs")
    page = (tmp_path / "docs" / "models" / "fct_orders.html").read_text()
    row = re.search(r'<tr data-test="unique_fct_orders_order_id">.*?</tr>', page, re.S).group(0)
    assert "status-fail" in row and "(3 failing)" in row
    index = (tmp_path / "docs" / "index.html").read_text()
    assert "20261124T060000Z-00000002" in index


def test_a_rebuild_removes_the_pages_of_what_went_away_and_nothing_else(ctx, project_dir, tmp_path):
    out = tmp_path / "docs"
    build_docs(ctx, out)
    (out / "notes.html").write_text("kept: the docs did not write it")
    (project_dir / "warehouse" / "models" / "adhoc" / "orders_by_status.sql").unlink()
    schema = project_dir / "warehouse" / "models" / "adhoc" / "schema.yml"
    schema.write_text("version: 2\n")
    again = build_context(ctx.settings)  # a new build reads the project again
    pages = build_docs(again, out)
    assert "models/orders_by_status.html" not in pages
    assert not (out / "models" / "orders_by_status.html").exists()
    assert (out / "models" / "daily_revenue.html").exists()
    assert (out / "notes.html").exists()


def test_a_model_that_does_not_compile_leaves_the_rest_documented(ctx, project_dir, tmp_path):
    broken = project_dir / "warehouse" / "models" / "analytics" / "broken.sql"
    broken.write_text("select * from {{ ref('no_such_model') }}\n")
    pages = build_docs(ctx, tmp_path / "docs")
    assert "sources/orders.html" in pages and "tables/orders.html" in pages
    index = (tmp_path / "docs" / "index.html").read_text()
    assert "the models could not be compiled" in index
    assert "no_such_model" in index


def test_a_catalog_that_cannot_be_read_leaves_the_contracts_columns(ctx, tmp_path, monkeypatch):
    def unreachable(name: str) -> None:
        raise CatalogError(f"Glue said no to {name}")

    monkeypatch.setattr(ctx.ports.catalog, "get_table", unreachable)
    build_docs(ctx, tmp_path / "docs")
    index = (tmp_path / "docs" / "index.html").read_text()
    assert "the catalog&#39;s table orders could not be read: Glue said no to orders" in index
    table = (tmp_path / "docs" / "tables" / "orders.html").read_text()
    assert "The catalog has no table for it" in table and "column-order_id" in table


def test_a_dashboard_query_is_read_tolerantly():
    assert tables_read(
        "with recent as (select * from analytics.daily_revenue) "
        "select * from recent join stage.stg_orders using (order_date)"
    ) == (["analytics.daily_revenue", "stage.stg_orders"], None)
    # placeholders of filters and other queries are not tables
    assert tables_read("select * from ${other} where channel = '${inputs.channel}'") == ([], None)
    tables, note = tables_read("select ((( from analytics.fct_orders join adhoc.x on")
    assert tables == ["adhoc.x", "analytics.fct_orders"]
    assert note and note.startswith("read by name only")


def test_a_dashboard_page_is_resolved_to_models_tables_and_others(ctx):
    text = (
        "# Quality\n\nSome words.\n\n"
        "```sql per_source\nselect * from cleansed.orders\n```\n\n"
        "```sql revenue\nselect * from analytics.daily_revenue\n"
        "join strata_meta.runs using (x)\n```\n"
    )
    page = parse_dashboard("dashboards/quality.md", text)
    assert page.title == "Quality"
    assert [(q.name, q.line) for q in page.queries] == [("per_source", 5), ("revenue", 9)]
    docs = gather(ctx)
    resolve(page, docs.models, docs.tables, ctx.settings.external_schema)
    assert page.tables == ["orders"]
    assert page.models == ["daily_revenue"]
    assert page.other == ["strata_meta.runs"]


def test_freshness_follows_the_age_of_the_last_delivery():
    now = datetime(2026, 11, 24, tzinfo=UTC)
    config = FreshnessConfig.model_validate(
        {"warn_after": {"count": 2, "period": "day"}, "error_after": {"count": 7, "period": "day"}}
    )
    assert freshness_of(now - timedelta(days=1), config, None, now).status == "fresh"
    assert freshness_of(now - timedelta(days=3), config, None, now).status == "warn"
    warned = freshness_of(now - timedelta(days=8), config, None, now)
    assert (warned.status, warned.warn_after, warned.error_after) == ("error", "2 days", "7 days")
    assert freshness_of(None, config, None, now).status == "never"
    assert freshness_of(now, None, None, now).status == "unchecked"


def test_an_api_source_is_shown_without_its_query_string(ctx):
    contract = ctx.project.contract("orders_api")
    api = contract.api.model_copy(update={"url": "https://vendor.example/v1/orders?api_key=s3cr3t"})
    shown = origin(contract.model_copy(update={"api": api}))
    assert shown == "https://vendor.example/v1/orders"


def test_the_lineage_columns_follow_the_flow(ctx):
    docs = gather(ctx)
    lineage = build_lineage(docs)
    ranks = {node.id: node.rank for node in lineage.nodes.values()}
    assert ranks["source:orders"] == 0 and ranks["raw:orders"] == 1
    assert ranks["cleansed:orders"] == 2 and ranks["model:stg_orders"] == 3
    assert ranks["model:customer_lifetime_value"] > ranks["model:fct_orders"]
    assert all(ranks[a] < ranks[b] for a, b in lineage.edges)
    columns: dict[int, list[int]] = {}
    for node in lineage.nodes.values():
        columns.setdefault(node.rank, []).append(node.order)
    assert all(sorted(orders) == list(range(len(orders))) for orders in columns.values())


def test_the_vendored_cytoscape_is_the_version_package_json_pins():
    pinned = json.loads((REPO / "package.json").read_text())["devDependencies"]["cytoscape"]
    vendored = asset("cytoscape.min.js").read_text(encoding="utf-8")
    assert f'version="{pinned}"' in vendored
    assert "Cytoscape Consortium" in asset("cytoscape.LICENSE").read_text()
    installed = REPO / "node_modules" / "cytoscape" / "dist" / "cytoscape.min.js"
    if installed.exists():  # `make tools` ran: the copy is byte for byte npm's
        assert installed.read_text(encoding="utf-8") == vendored


QUALITY = "# Quality\n\n```sql runs\nselect * from strata_meta.runs\n```\n"


def test_the_data_quality_dashboard_hangs_on_the_run_reports_in_the_lineage(ctx, project_dir):
    (project_dir / "dashboards").mkdir(exist_ok=True)
    (project_dir / "dashboards" / "data_quality.md").write_text(QUALITY)
    lineage = build_lineage(gather(ctx))
    reports = lineage.nodes["reports:runs"]
    assert (reports.kind, reports.label) == ("reports", "run reports")
    assert lineage.downstream("reports:runs") == ["dashboard:data_quality"]
    assert set(lineage.upstream("reports:runs")) == {
        f"cleansed:{name}" for name in ctx.project.contracts
    }
    assert all(a != "reports:runs" or b.startswith("dashboard:") for a, b in lineage.edges)


def test_without_a_page_on_the_run_reports_there_is_no_reports_node(ctx):
    assert "reports:runs" not in build_lineage(gather(ctx)).nodes


def test_a_dashboards_docs_page_links_to_the_rendered_dashboard(ctx, project_dir, tmp_path):
    (project_dir / "dashboards").mkdir(exist_ok=True)
    (project_dir / "dashboards" / "data_quality.md").write_text(QUALITY)
    site = tmp_path / "site"
    build_docs(ctx, site / "docs", lambda title, body, **_: body, root_depth=1)
    page = (site / "docs" / "dashboards" / "data_quality.html").read_text()
    (href,) = re.findall(r'class="open-dashboard" href="([^"]+)"', page)
    target = (site / "docs" / "dashboards" / href).resolve()
    assert target == (site / "dashboards" / "data_quality.html").resolve()
