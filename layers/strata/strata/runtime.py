"""Builds the ports for the runtime named by ``STRATA_RUNTIME``; the only place that knows
there are two runtimes. Handlers ask for :func:`current` and never branch on the runtime.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from strata.catalog.base import Catalog
from strata.errors import ConfigError
from strata.liveness.base import Liveness
from strata.project import Project, load_project
from strata.secrets.base import SecretStore
from strata.settings import Settings
from strata.state.base import StateStore
from strata.storage.base import ObjectStore
from strata.warehouse.base import Warehouse


@dataclass
class Ports:
    landing: ObjectStore
    raw: ObjectStore
    cleansed: ObjectStore
    quarantine: ObjectStore
    artifacts: ObjectStore
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
    warehouse = DuckDBWarehouse(settings.local_warehouse_path.resolve())

    def bucket(name: str) -> LocalObjectStore:
        return LocalObjectStore(lake / name, name)

    cleansed = bucket("cleansed")
    return Ports(
        landing=bucket("landing"),
        raw=bucket("raw"),
        cleansed=cleansed,
        quarantine=bucket("quarantine"),
        artifacts=bucket("artifacts"),
        state=SQLiteStateStore(lake / "state.sqlite"),
        catalog=LocalCatalog(lake / "catalog", warehouse, settings.external_schema),
        warehouse=warehouse,
        secrets=LocalSecretStore(file=settings.project_dir / ".secrets.json"),
        project_store=LocalObjectStore(settings.project_dir.resolve(), "project"),
        liveness=ProcessLiveness(),
    )


def aws_ports(settings: Settings) -> Ports:
    from strata.catalog.glue import GlueCatalog
    from strata.liveness.stepfunctions import ExecutionLiveness
    from strata.secrets.secretsmanager import SecretsManagerStore
    from strata.state.dynamodb import DynamoDBStateStore
    from strata.storage.s3 import S3ObjectStore
    from strata.warehouse.redshift_data import RedshiftDataWarehouse

    if not settings.project_uri or not settings.project_uri.startswith("s3://"):
        raise ConfigError("must be s3://bucket/prefix/ in AWS", field="STRATA_PROJECT_URI")
    project_bucket, _, project_prefix = settings.project_uri.removeprefix("s3://").partition("/")
    if not settings.redshift_workgroup:
        raise ConfigError("is required in AWS", field="STRATA_REDSHIFT_WORKGROUP")
    return Ports(
        landing=S3ObjectStore(settings.landing_bucket),
        raw=S3ObjectStore(settings.raw_bucket),
        cleansed=S3ObjectStore(settings.cleansed_bucket),
        quarantine=S3ObjectStore(settings.quarantine_bucket),
        artifacts=S3ObjectStore(settings.artifacts_bucket),
        state=DynamoDBStateStore(settings.state_table),
        catalog=GlueCatalog(settings.glue_database),
        warehouse=RedshiftDataWarehouse(settings.redshift_workgroup, settings.redshift_database),
        secrets=SecretsManagerStore(settings.secrets_prefix),
        project_store=S3ObjectStore(project_bucket),
        liveness=ExecutionLiveness(),
        project_prefix=project_prefix,
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
