"""Each warehouse adapter's typed configuration, and what the planner needs to know of it.

:mod:`strata.runtime` builds these from the settings (the environment is read in
:mod:`strata.settings` alone); the adapters take them whole instead of loose strings. Nothing
here imports a driver, so the planner can read a configuration without connecting anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from strata.settings import DEFAULT_DUCKDB_STORAGE_VERSION


@dataclass(frozen=True)
class Capabilities:
    """What differs between warehouses, declared by each adapter as a class constant."""

    # Each target builds its own schemas (``dev_stage``) so targets can share one warehouse;
    # a private one (a laptop's file) keeps the plain names a SQL client expects.
    isolates_schemas: bool
    # How often the state machine polls a statement (0: finished before the submit answers).
    poll_seconds: int
    # Whether ``COMMENT ON COLUMN`` works on a view's columns (Redshift's late-binding views
    # take a comment on the view, not on their columns).
    comments_on_view_columns: bool
    # The Data API target the state machine names when none is configured (``None``: one is
    # required).
    default_data_api_target: str | None = None


@dataclass(frozen=True)
class RedshiftDataConfig:
    """How the Redshift Data API is reached: a Serverless workgroup or a provisioned cluster,
    IAM authentication unless a Secrets Manager secret is named (a cluster with IAM needs a
    database user). :mod:`strata.runtime` checks the fields a target needs are there."""

    database: str = "dev"
    target: Literal["serverless", "cluster"] = "serverless"
    workgroup: str | None = None
    cluster: str | None = None
    db_user: str | None = None
    secret_arn: str | None = None
    # The role Spectrum's external schema reads the Glue catalog and S3 with (None: default).
    iam_role: str | None = None

    @property
    def mode(self) -> str:
        """The state machine's task variant (ASL cannot omit a parameter conditionally)."""
        return f"{self.target}-{'secret' if self.secret_arn else 'iam'}"

    def connection(self) -> dict[str, str]:
        """The connection a run's manifest hands the state machine: mode and its fields."""
        result = {"mode": self.mode, "database": self.database}
        if self.target == "serverless":
            result["workgroup"] = self.workgroup or ""
        else:
            result["cluster"] = self.cluster or ""
            if not self.secret_arn:
                result["db_user"] = self.db_user or ""
        if self.secret_arn:
            result["secret_arn"] = self.secret_arn
        return result

    def request(self) -> dict[str, str]:
        """The same connection as the Data API's request parameters."""
        names = {
            "workgroup": "WorkgroupName",
            "cluster": "ClusterIdentifier",
            "database": "Database",
            "db_user": "DbUser",
            "secret_arn": "SecretArn",
        }
        connection = self.connection()
        return {names[key]: value for key, value in connection.items() if key in names}


@dataclass(frozen=True)
class DuckDBConfig:
    """The local warehouse: one DuckDB file, written in a format SQL clients can open."""

    path: Path | str  # ":memory:" for a database that lives only in the process
    # DuckDB 2 writes a format 1.x clients refuse ("version number 999"); see the setting.
    storage_version: str = DEFAULT_DUCKDB_STORAGE_VERSION


@dataclass(frozen=True)
class WarehouseProfile:
    """What the planner knows of the run's warehouse: what it can do and how the state
    machine reaches it (locally, the Data API the twin serves from DuckDB)."""

    capabilities: Capabilities
    data_api: RedshiftDataConfig
