"""Fixtures for the port suites: every behavioural test runs against both adapters of a port,
``local`` (files, SQLite) and ``aws`` (moto, in-process, no account and no network)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest

from strata.catalog.base import Catalog
from strata.secrets.base import SecretStore
from strata.state.base import StateStore
from strata.storage.base import ObjectStore

REGION = "us-east-1"
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[boto3.session.Session]:
    """moto for every AWS service, with fake credentials so nothing can reach a real account."""
    from moto import mock_aws

    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    with mock_aws():
        yield boto3.session.Session(region_name=REGION)


# -- storage ---------------------------------------------------------------------------------

StoreFactory = Callable[[str, str], ObjectStore]


@pytest.fixture
def make_store(tmp_path: Path, aws: boto3.session.Session) -> StoreFactory:
    """``make_store(kind, bucket)``: a store of either kind, for tests that need two."""
    from strata.storage.local import LocalObjectStore
    from strata.storage.s3 import S3ObjectStore

    def make(kind: str, bucket: str = "raw") -> ObjectStore:
        if kind == "local":
            return LocalObjectStore(tmp_path / "lake" / bucket, bucket)
        client = aws.client("s3")
        name = f"strata-test-{bucket}"
        client.create_bucket(Bucket=name)
        return S3ObjectStore(name, client)

    return make


@pytest.fixture(params=["local", "aws"])
def store(request: pytest.FixtureRequest, make_store: StoreFactory) -> ObjectStore:
    return make_store(request.param, "raw")


# -- state -----------------------------------------------------------------------------------


@pytest.fixture(params=["local", "aws"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    if request.param == "local":
        from strata.state.sqlite import SQLiteStateStore

        store = SQLiteStateStore(tmp_path / "lake" / "state.sqlite")
        yield store
        store.close()
        return
    from strata.state.dynamodb import DynamoDBStateStore

    session = request.getfixturevalue("aws")
    client = session.client("dynamodb")
    client.create_table(
        TableName="strata-state",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    yield DynamoDBStateStore("strata-state", client)


# -- secrets ---------------------------------------------------------------------------------

SECRETS = {"orders_api": "tok-3f9a-SECRET", "partner_sftp": '{"username": "etl"}'}


@pytest.fixture
def stored_secrets() -> dict[str, str]:
    """The secrets every ``secrets`` store holds, by name."""
    return dict(SECRETS)


@pytest.fixture(params=["local", "aws"])
def secrets(request: pytest.FixtureRequest, tmp_path: Path) -> SecretStore:
    """A store holding :data:`SECRETS` (locally one from the environment, one from the file)."""
    if request.param == "local":
        import json

        from strata.secrets.local import LocalSecretStore

        file = tmp_path / ".secrets.json"
        file.write_text(json.dumps({"partner_sftp": json.loads(SECRETS["partner_sftp"])}))
        env = {"STRATA_SECRET_ORDERS_API": SECRETS["orders_api"]}
        return LocalSecretStore(env=env, file=file)
    from strata.secrets.secretsmanager import SecretsManagerStore

    client = request.getfixturevalue("aws").client("secretsmanager")
    for name, value in SECRETS.items():
        client.create_secret(Name=f"strata/test/{name}", SecretString=value)
    return SecretsManagerStore("strata/test/", client)


# -- catalog ---------------------------------------------------------------------------------

GLUE_DATABASE = "strata_test"
CatalogCase = tuple[Catalog, str]  # the catalog, and the folder its tables live under


def _glue_catalog(request: pytest.FixtureRequest) -> CatalogCase:
    from strata.catalog.glue import GlueCatalog, GlueConfig

    client = request.getfixturevalue("aws").client("glue")
    client.create_database(DatabaseInput={"Name": GLUE_DATABASE})
    return GlueCatalog(GlueConfig(GLUE_DATABASE), client), "s3://strata-cleansed/"


def _local_catalog(request: pytest.FixtureRequest) -> CatalogCase:
    from strata.catalog.local import LocalCatalog
    from strata.warehouse.config import DuckDBConfig
    from strata.warehouse.duckdb import DuckDBWarehouse

    tmp_path: Path = request.getfixturevalue("tmp_path")
    warehouse = DuckDBWarehouse(DuckDBConfig(tmp_path / "warehouse.duckdb"))
    request.addfinalizer(warehouse.close)
    return LocalCatalog(tmp_path / "catalog", warehouse), f"{tmp_path / 'cleansed'}/"


CATALOGS: dict[str, Callable[[pytest.FixtureRequest], CatalogCase]] = {
    "aws": _glue_catalog,
    "local": _local_catalog,
}


@pytest.fixture(params=sorted(CATALOGS))
def catalog_case(request: pytest.FixtureRequest) -> CatalogCase:
    return CATALOGS[request.param](request)


@pytest.fixture
def catalog(catalog_case: CatalogCase) -> Catalog:
    return catalog_case[0]


@pytest.fixture
def table_root(catalog_case: CatalogCase) -> str:
    """Where the catalog's tables live: ``s3://bucket/`` or a local folder, ending in ``/``."""
    return catalog_case[1]
