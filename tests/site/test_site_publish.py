"""Publishing the site (the pipeline's Site step): built in scratch and copied to the site
bucket (the folder lake/site locally, S3 on AWS with moto here), reused when nothing changed,
recorded in the run report, and never raised."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import boto3
import pytest
from conftest import record_run, small_warehouse, write_page
from moto import mock_aws

from strata.lake.keys import report_key
from strata.site import publish
from strata.site.build import FINGERPRINT
from strata.site.publish import MANIFEST, publish_after_run, sync
from strata.storage.s3 import S3ObjectStore

REPO = Path(__file__).resolve().parents[2]
RUN_ID = "20261124T060000Z-00000001"
SALES = """---
title: Sales
---

```sql by_channel
select channel, sum(revenue) as revenue from analytics.daily_revenue group by channel
```

<BarChart data={by_channel} x=channel y=revenue />
"""


@pytest.fixture
def sales_site(ctx, project_dir):
    write_page(project_dir, "sales.md", SALES)
    small_warehouse(ctx)
    record_run(ctx, RUN_ID, {"sources": {}})
    return ctx


def report_of(ctx) -> dict:
    return json.loads(ctx.ports.artifacts.get_bytes(report_key(RUN_ID)))


def test_the_site_step_publishes_to_the_site_bucket_and_records_it(sales_site):
    output = publish_after_run(sales_site, report_key(RUN_ID))
    assert output.status == "built" and output.pages >= 3 and output.problems == 0
    store = sales_site.ports.site
    assert store.exists("index.html") and store.exists("dashboards/sales.html")
    assert store.exists("assets/plotly.min.js") and store.exists(FINGERPRINT)
    site = report_of(sales_site)["site"]
    assert site["status"] == "built" and site["pages"] == output.pages
    assert site["location"] == store.uri()
    again = publish_after_run(sales_site, report_key(RUN_ID))
    assert again.status == "reused" and again.pages == output.pages


def test_a_failed_site_step_is_a_warning_in_the_report_never_an_error(sales_site, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(publish, "build_site", broken)
    output = publish_after_run(sales_site, report_key(RUN_ID))
    assert output.status == "failed" and output.error == "RuntimeError: disk full"
    report = report_of(sales_site)
    assert report["site"] == {"status": "failed", "error": "RuntimeError: disk full"}
    assert report["status"] == "succeeded"


def test_without_a_report_the_site_is_still_published(sales_site):
    assert publish_after_run(sales_site, None).status == "built"
    assert "site" not in report_of(sales_site)


def test_a_page_out_of_time_shows_it_and_the_site_still_builds(sales_site):
    output = publish_after_run(sales_site, report_key(RUN_ID), deadline=time.monotonic())
    assert output.status == "built" and output.problems >= 1
    problems = report_of(sales_site)["site"]["problems"]
    assert all("dashboards/sales.md" in problem for problem in problems)
    assert any("time budget is spent" in problem for problem in problems)
    page = sales_site.ports.site.get_bytes("dashboards/sales.html").decode()
    assert "time budget is spent" in page


def test_sync_sends_only_changed_files_with_their_types_and_removes_stale_ones(tmp_path):
    folder = tmp_path / "site"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<p>one</p>")
    (folder / "assets" / "big.js").write_text("var x = 1;")
    (folder / "old.html").write_text("<p>old</p>")
    (folder / FINGERPRINT).write_text('{"inputs": "a", "pages": []}')
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="site")
        store = S3ObjectStore("site", client=s3)
        assert sync(folder, store) == ["assets/big.js", "old.html", "index.html", FINGERPRINT]
        head = s3.head_object(Bucket="site", Key="index.html")
        assert head["ContentType"] == "text/html; charset=utf-8"
        assert s3.head_object(Bucket="site", Key="assets/big.js")["ContentType"].startswith(
            "text/javascript"
        )
        (folder / "old.html").unlink()
        (folder / "index.html").write_text("<p>two</p>")
        assert sync(folder, store) == ["index.html", FINGERPRINT]
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket="site")["Contents"]}
        assert keys == {"index.html", "assets/big.js", FINGERPRINT, MANIFEST}
        assert store.get_bytes("index.html") == b"<p>two</p>"


def test_the_site_handler_runs_the_step_and_returns_a_small_output(sales_site):
    spec = importlib.util.spec_from_file_location("site_app", REPO / "functions/site/app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    class Context:
        function_name = "strata-test-site"
        aws_request_id = "req"
        memory_limit_in_mb = 1024
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:site"

        def get_remaining_time_in_millis(self) -> int:
            return 600_000

    event = json.loads((REPO / "events" / "site.json").read_text())
    event["report_key"] = report_key(RUN_ID)
    output = module.lambda_handler(event, Context())
    assert output["status"] == "built" and output["error"] is None
    assert len(json.dumps(output)) < 1000
    assert report_of(sales_site)["site"]["status"] == "built"


def test_in_lambda_plotly_comes_from_the_site_layer_never_the_plotly_package(tmp_path, monkeypatch):
    import builtins
    import sys

    import strata_site_assets

    from strata.site.build import plotly_bundle

    shipped = tmp_path / "plotly.min.js"
    shipped.write_text("/* plotly */")
    monkeypatch.setattr(strata_site_assets, "asset", lambda name: shipped)
    monkeypatch.delitem(sys.modules, "plotly", raising=False)
    real_import = builtins.__import__

    def no_plotly(name, *args, **kwargs):
        if name.split(".")[0] == "plotly":
            raise ModuleNotFoundError("plotly is not in the Lambda package")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_plotly)
    assert plotly_bundle() == shipped
