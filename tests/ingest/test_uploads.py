"""Manual uploads: `strata upload` locally and to the landing bucket (moto), and presigned
POSTs that are short-lived, for one key, with a size bound."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import boto3
import pytest
import requests
from moto import mock_aws

from strata.errors import ConfigError
from strata.ingest.uploads import presign_upload
from strata.storage.s3 import S3ObjectStore
from strata_dev.cli.main import main
from strata_dev.local.functions import load_handler
from strata_dev.local.moto_patches import LambdaContext

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "orders" / "orders_2026-11-01.csv"


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="landing")
        yield S3ObjectStore("landing")


def test_upload_puts_files_in_the_local_landing_prefix(project_dir, capsys):
    assert main(["--project-dir", str(project_dir), "upload", "orders", str(SAMPLE)]) == 0
    landed = project_dir / "lake" / "landing" / "orders" / SAMPLE.name
    assert landed.read_bytes() == SAMPLE.read_bytes()
    assert f"→ landing/orders/{SAMPLE.name}" in capsys.readouterr().out


def test_upload_goes_to_the_landing_bucket_in_aws(project_dir, aws, monkeypatch, capsys):
    monkeypatch.setenv("STRATA_RUNTIME", "aws")
    monkeypatch.setenv("STRATA_LANDING_BUCKET", "landing")

    assert main(["--project-dir", str(project_dir), "upload", "orders", str(SAMPLE)]) == 0

    assert aws.get_bytes(f"orders/{SAMPLE.name}") == SAMPLE.read_bytes()
    assert f"→ s3://landing/orders/{SAMPLE.name}" in capsys.readouterr().out
    assert not (project_dir / "lake").exists()


def test_upload_in_aws_needs_the_bucket_name(project_dir, aws, monkeypatch, capsys):
    monkeypatch.setenv("STRATA_RUNTIME", "aws")
    assert main(["--project-dir", str(project_dir), "upload", "orders", str(SAMPLE)]) == 1
    assert "LandingBucketName" in capsys.readouterr().err


def test_upload_refuses_files_the_source_would_ignore(project_dir, tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("x")
    assert main(["--project-dir", str(project_dir), "upload", "orders", str(notes)]) == 1
    assert "does not match the source's include glob '*.csv'" in capsys.readouterr().err


def test_upload_refuses_sources_that_are_not_drops(project_dir, capsys):
    assert main(["--project-dir", str(project_dir), "upload", "customers", str(SAMPLE)]) == 1
    assert "kind sftp, not an upload target" in capsys.readouterr().err


def policy(upload):
    return json.loads(base64.b64decode(upload.fields["policy"]))


def test_a_presigned_post_is_for_one_key_short_lived_and_size_bounded(ctx, aws):
    upload = presign_upload(ctx.project, aws, "orders", "orders_2026-11-04.csv", max_bytes=1000)

    assert upload.key == "orders/orders_2026-11-04.csv" and upload.expires_in == 900
    conditions = policy(upload)["conditions"]
    assert ["content-length-range", 1, 1000] in conditions
    assert {"key": "orders/orders_2026-11-04.csv"} in conditions
    assert {"bucket": "landing"} in conditions


def test_the_presigned_post_uploads_the_file(ctx, aws):
    upload = presign_upload(ctx.project, aws, "orders", SAMPLE.name)

    response = requests.post(
        upload.url, data=upload.fields, files={"file": SAMPLE.read_bytes()}, timeout=10
    )

    assert response.status_code in (200, 204)
    assert aws.get_bytes(upload.key) == SAMPLE.read_bytes()


@pytest.mark.parametrize(
    ("source", "name", "message"),
    [
        ("orders", "../../etc/passwd.csv", None),
        ("orders", "report.xlsx", "include glob"),
        ("orders", "", "file name"),
        ("customers", "a.csv", "not an upload target"),
    ],
)
def test_presigning_checks_the_source_and_the_name(ctx, aws, source, name, message):
    if message is None:  # a path is reduced to its file name
        assert presign_upload(ctx.project, aws, source, name).key == "orders/passwd.csv"
        return
    with pytest.raises(ConfigError, match=message):
        presign_upload(ctx.project, aws, source, name)


def test_presigning_needs_the_landing_bucket(ctx):
    with pytest.raises(ConfigError, match="use `strata upload`"):
        presign_upload(ctx.project, ctx.ports.landing, "orders", "a.csv")


@pytest.mark.filterwarnings("ignore:No application metrics")
def test_the_presign_handler_answers_its_sample_event(ctx, aws, project_dir):
    ctx.ports.landing = aws
    event = json.loads((REPO / "events" / "presign_upload.json").read_text())
    handler = load_handler(project_dir, "presign_upload")

    answer = handler(event, LambdaContext("PresignUploadFunction"))

    assert answer["key"] == "orders/orders_2026-11-04.csv"
    assert answer["max_bytes"] == event["max_bytes"] and "policy" in answer["fields"]
