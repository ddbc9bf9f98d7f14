"""The ingestion handlers: a few lines around the library, fed their sample events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_secrets

from strata.errors import IngestError
from strata.ingest.handler import budget_from, source_of
from strata.lake.payloads import ScheduledInput
from strata.runtime import build_context, current, use
from strata.settings import Settings
from strata_dev.local.functions import bound_to_source, load_handler
from strata_dev.local.moto_patches import LambdaContext

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.filterwarnings("ignore:No application metrics"),
    pytest.mark.filterwarnings("ignore:Dimension 'source' has already been added"),
]


def event(name):
    return json.loads((REPO / "events" / f"{name}.json").read_text())


def point_at(project_dir, source, old, new):
    path = project_dir / "sources" / f"{source}.yaml"
    path.write_text(path.read_text().replace(old, new))


def test_the_api_handler_ingests_the_source_of_its_sample_event(ctx, project_dir, vendor_api):
    server = vendor_api(auth="bearer")
    point_at(project_dir, "orders_api", "http://127.0.0.1:18080", server.url)
    write_secrets(project_dir, vendor_api_token="demo-token")
    handler = load_handler(project_dir, "ingest_api")

    answer = handler(event("ingest_api"), LambdaContext("OrdersApiIngestFunction"))

    assert answer["source"] == "orders_api" and answer["status"] == "completed"
    assert answer["records"] == 60 and answer["pages_landed"] == 3
    assert "demo-token" not in json.dumps(answer)


def test_the_sftp_handler_ingests_the_source_of_its_sample_event(ctx, project_dir, sftp_server):
    (sftp_server.root / "outbox" / "customers_x.csv").write_bytes(b"Customer\nC-1\n")
    point_at(project_dir, "customers", "port: 18022", f"port: {sftp_server.port}")
    point_at(
        project_dir,
        "customers",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILxp+t0ZppQSOYi48PDQlsVOP0hSDCmcqDiWo676ybqT",
        sftp_server.host_key_line,
    )
    point_at(project_dir, "customers", "settle_seconds: 120", "settle_seconds: 0")
    write_secrets(project_dir, partner_sftp={"password": "demo-password"})
    handler = load_handler(project_dir, "ingest_sftp")

    answer = handler(event("ingest_sftp"), LambdaContext("CustomersIngestFunction"))

    assert answer["source"] == "customers" and answer["files_landed"] == 1


def test_the_land_handler_lands_its_sample_event_for_its_own_source_only(ctx, project_dir):
    sample = event("land_s3_drop")
    key = sample["detail"]["object"]["key"]
    ctx.ports.landing.put_bytes(key, b"Order ID,Customer\n1,C-1\n")
    handler = load_handler(project_dir, "land_s3_drop")

    # As the customers function would receive it, were its rule to match: not its key.
    other = bound_to_source(handler, "customers")(sample, LambdaContext("CustomersIngestFunction"))
    assert other["status"] == "ignored" and other["source"] == "orders"
    assert "this function lands 'customers' only" in other["reason"]

    own = bound_to_source(handler, "orders")(sample, LambdaContext("OrdersLandFunction"))
    assert own["status"] == "landed" and own["raw_key"].startswith("orders/")
    assert current() is ctx and ctx.settings.source is None  # the binding lasted one call


def test_a_function_ingests_only_its_own_source(project_dir, tmp_path):
    pinned = build_context(
        Settings(project_dir=project_dir, lake_dir=tmp_path / "lake", source="customers")
    )
    assert source_of(pinned, ScheduledInput()) == "customers"
    assert source_of(pinned, ScheduledInput(source="customers")) == "customers"
    with pytest.raises(IngestError, match="ingests 'customers', not 'orders_api'"):
        source_of(pinned, ScheduledInput(source="orders_api"))
    use(None)


def test_a_failing_run_fails_the_invocation(ctx, project_dir):
    point_at(project_dir, "orders_api", "http://127.0.0.1:18080", "http://127.0.0.1:9")
    point_at(project_dir, "orders_api", "  time_budget_seconds: 300", "  retry: {max_attempts: 1}")
    write_secrets(project_dir, vendor_api_token="demo-token")
    handler = load_handler(project_dir, "ingest_api")

    with pytest.raises(Exception, match="orders_api"):
        handler(event("ingest_api"), LambdaContext("OrdersApiIngestFunction"))


def test_the_run_budget_stays_below_the_lambda_timeout():
    assert budget_from(LambdaContext("f")) == 900 - 30
    assert budget_from(None) is None
