"""`strata publish` puts the project where the deployed functions read it."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from strata.project import load_project
from strata.storage.s3 import S3ObjectStore
from strata_dev.cli.main import main


@pytest.fixture
def bucket(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="artifacts")
        yield S3ObjectStore("artifacts")


def test_publish_uploads_contracts_and_models_and_removes_stale_files(project_dir, bucket, capsys):
    bucket.put_bytes("project/sources/retired.yaml", b"name: retired\n")
    assert main(["--project-dir", str(project_dir), "publish", "--bucket", "artifacts"]) == 0
    keys = {info.key for info in bucket.list("project/")}
    assert "project/sources/orders.yaml" in keys
    assert "project/warehouse/models/stage/stg_orders.sql" in keys
    assert "project/sources/retired.yaml" not in keys
    project = load_project(bucket, "project/")
    assert (
        set(project.contracts)
        == {"orders", "orders_api", "customers", "shipments", "marketing_spend"}
        and "dbt_project.yml" in project.warehouse_files
    )


def test_publish_refuses_an_invalid_project(project_dir, bucket, capsys):
    (project_dir / "warehouse" / "models" / "stage" / "bad.sql").write_text("{{ ref('ghost') }}")
    assert main(["--project-dir", str(project_dir), "publish", "--bucket", "artifacts"]) == 1
    assert "ref('ghost') names no model" in capsys.readouterr().err
    assert list(bucket.list("project/")) == []


def test_publish_also_publishes_the_dashboards_the_site_function_renders(
    project_dir, bucket, capsys
):
    from strata.site.build import dashboard_files

    (project_dir / "dashboards").mkdir(exist_ok=True)
    (project_dir / "dashboards" / "sales.md").write_text("---\ntitle: Sales\n---\n# Sales\n")
    assert main(["--project-dir", str(project_dir), "publish", "--bucket", "artifacts"]) == 0
    assert "project/dashboards/sales.md" in {info.key for info in bucket.list("project/")}

    class Published:  # the ports as the site function's context has them on AWS
        project_store = bucket
        project_prefix = "project/"

    class Context:
        ports = Published()

    assert "dashboards/sales.md" in dashboard_files(Context())
