"""Builds the ports for the runtime named by ``STRATA_RUNTIME``; the only place that knows
there are two runtimes. Handlers ask for :func:`current` and never branch on the runtime.

Each adapter takes its own typed configuration (:class:`RedshiftDataConfig`, ``GlueConfig``,
:class:`DuckDBConfig`), built here from the one flat :class:`Settings`; what differs between
the warehouses (schemas per target, polling, comments) the adapters declare themselves, and
:func:`warehouse_profile` hands it to the planner.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from strata import settings as names
from strata.catalog.base import Catalog
from strata.errors import ConfigError
from strata.liveness.base import Liveness
from strata.project import Project, load_project
from strata.secrets.base import SecretStore
from strata.settings import Settings
from strata.state.base import StateStore
from strata.storage.base import ObjectStore
from strata.warehouse.base import Warehouse
from strata.warehouse.config import DuckDBConfig, RedshiftDataConfig, WarehouseProfile


@dataclass
class Ports:
    landing: ObjectStore
    raw: ObjectStore
    cleansed: ObjectStore
    quarantine: ObjectStore
    artifacts: ObjectStore
    site: ObjectStore  # the published site: dashboards and data docs
    state: StateStore
    catalog: Catalog
    warehouse: Warehouse
    secrets: SecretStore
    project_store: ObjectStore
    liveness: Liveness
    project_prefix: str = ""


@dataclass
class Context:
    """What a handler needs: settings, ports, and the project (loaded on first use)."""

    settings: Settings
    ports: Ports
    _project: Project | None = field(default=None, repr=False)

    @property
    def project(self) -> Project:
        if self._project is None:
            self._project = load_project(self.ports.project_store, self.ports.project_prefix)
        return self._project


def local_ports(settings: Settings) -> Ports:
    from strata.catalog.local import LocalCatalog
    from strata.liveness.process import ProcessLiveness
    from strata.secrets.local import LocalSecretStore
    from strata.state.sqlite import SQLiteStateStore
    from strata.storage.local import LocalObjectStore
    from strata.warehouse.duckdb import DuckDBWarehouse

    lake = settings.lake_dir.resolve()
    warehouse = DuckDBWarehouse(duckdb_config(settings))

    def bucket(name: str) -> LocalObjectStore:
        return LocalObjectStore(lake / name, name)

    cleansed = bucket("cleansed")
    return Ports(
        landing=bucket("landing"),
        raw=bucket("raw"),
        cleansed=cleansed,
        quarantine=bucket("quarantine"),
        artifacts=bucket("artifacts"),
        site=bucket("site"),
        state=SQLiteStateStore(lake / "state.sqlite"),
        catalog=LocalCatalog(lake / "catalog", warehouse, settings.external_schema),
        warehouse=warehouse,
        secrets=LocalSecretStore(file=settings.project_dir / ".secrets.json"),
        project_store=LocalObjectStore(settings.project_dir.resolve(), "project"),
        liveness=ProcessLiveness(),
    )


def aws_ports(settings: Settings) -> Ports:
    from strata.catalog.glue import GlueCatalog, GlueConfig
    from strata.liveness.stepfunctions import ExecutionLiveness
    from strata.secrets.secretsmanager import SecretsManagerStore
    from strata.state.dynamodb import DynamoDBStateStore
    from strata.storage.s3 import S3ObjectStore
    from strata.warehouse.redshift_data import RedshiftDataWarehouse

    if not settings.project_uri or not settings.project_uri.startswith("s3://"):
        raise ConfigError("must be s3://bucket/prefix/ in AWS", field="STRATA_PROJECT_URI")
    project_bucket, _, project_prefix = settings.project_uri.removeprefix("s3://").partition("/")
    warehouse = RedshiftDataWarehouse(redshift_data_config(settings))
    return Ports(
        landing=S3ObjectStore(settings.landing_bucket),
        raw=S3ObjectStore(settings.raw_bucket),
        cleansed=S3ObjectStore(settings.cleansed_bucket),
        quarantine=S3ObjectStore(settings.quarantine_bucket),
        artifacts=S3ObjectStore(settings.artifacts_bucket),
        site=S3ObjectStore(settings.site_bucket),
        state=DynamoDBStateStore(settings.state_table),
        catalog=GlueCatalog(GlueConfig(settings.glue_database)),
        warehouse=warehouse,
        secrets=SecretsManagerStore(settings.secrets_prefix),
        project_store=S3ObjectStore(project_bucket),
        liveness=ExecutionLiveness(),
        project_prefix=project_prefix,
    )


def duckdb_config(settings: Settings) -> DuckDBConfig:
    return DuckDBConfig(
        path=settings.local_warehouse_path.resolve(),
        storage_version=settings.duckdb_storage_version,
    )


def redshift_data_config(
    settings: Settings, default_target: str | None = None
) -> RedshiftDataConfig:
    """The Data API connection the settings name, checked: each target's required fields are
    there (``default_target`` stands in for a missing workgroup or cluster)."""
    serverless = settings.redshift_target == "serverless"
    given = settings.redshift_workgroup if serverless else settings.redshift_cluster
    target = given or default_target
    if not target:
        variable, needed = (
            (names.REDSHIFT_WORKGROUP, "a workgroup")
            if serverless
            else (names.REDSHIFT_CLUSTER, "a cluster identifier")
        )
        raise ConfigError(
            f"the {settings.redshift_target} target needs {needed}",
            file="environment",
            field=variable,
        )
    if not serverless and not settings.redshift_secret_arn and not settings.redshift_db_user:
        raise ConfigError(
            "IAM authentication on a cluster needs a database user (or set a secret ARN)",
            file="environment",
            field=names.REDSHIFT_DB_USER,
        )
    return RedshiftDataConfig(
        database=settings.redshift_database,
        target=settings.redshift_target,
        workgroup=target if serverless else None,
        cluster=None if serverless else target,
        db_user=settings.redshift_db_user,
        secret_arn=settings.redshift_secret_arn,
        iam_role=settings.redshift_iam_role,
    )


def warehouse_kind(settings: Settings) -> type[Warehouse]:
    """The warehouse adapter's class for the runtime, imported but not connected."""
    if settings.runtime == "local":
        from strata.warehouse.duckdb import DuckDBWarehouse

        return DuckDBWarehouse
    from strata.warehouse.redshift_data import RedshiftDataWarehouse

    return RedshiftDataWarehouse


def warehouse_profile(settings: Settings) -> WarehouseProfile:
    """What the planner needs of the run's warehouse: its capabilities and the Data API
    connection the state machine uses (locally, the one the twin serves from DuckDB)."""
    capabilities = warehouse_kind(settings).capabilities
    return WarehouseProfile(
        capabilities, redshift_data_config(settings, capabilities.default_data_api_target)
    )


PORT_FACTORIES: dict[str, Callable[[Settings], Ports]] = {"local": local_ports, "aws": aws_ports}

_current: Context | None = None
_lock = threading.Lock()


def build_context(settings: Settings) -> Context:
    return Context(settings=settings, ports=PORT_FACTORIES[settings.runtime](settings))


def current() -> Context:
    """The process-wide context, built from the environment on first use (a Lambda cold start)."""
    global _current
    with _lock:
        if _current is None:
            _current = build_context(Settings.from_env())
        return _current


def use(context: Context | None) -> None:
    """Install a context (the local runner, tests); ``None`` forgets it."""
    global _current
    with _lock:
        _current = context


def close_current() -> None:
    """Release the current context's connections (the local DuckDB file) and forget it."""
    global _current
    with _lock:
        context, _current = _current, None
    close = getattr(context.ports.warehouse, "close", None) if context else None
    if close is not None:
        close()


def cleansed_location(ports: Ports, source: str) -> str:
    return ports.cleansed.uri(f"{source}/")
