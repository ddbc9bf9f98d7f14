"""Every environment variable Strata reads, in one place, with local defaults.

The one setting that picks the runtime is ``STRATA_RUNTIME`` (``local`` or ``aws``); nothing
else branches on it: :mod:`strata.runtime` builds the ports from it and hands them out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from strata.errors import ConfigError

# Environment variable names: the template, the tests and the docs use these constants.
RUNTIME = "STRATA_RUNTIME"
ENVIRONMENT = "STRATA_ENV"
PROJECT_DIR = "STRATA_PROJECT_DIR"
LAKE_DIR = "STRATA_LAKE_DIR"
PROJECT_URI = "STRATA_PROJECT_URI"
RAW_BUCKET = "STRATA_RAW_BUCKET"
CLEANSED_BUCKET = "STRATA_CLEANSED_BUCKET"
QUARANTINE_BUCKET = "STRATA_QUARANTINE_BUCKET"
ARTIFACTS_BUCKET = "STRATA_ARTIFACTS_BUCKET"
LANDING_BUCKET = "STRATA_LANDING_BUCKET"
# The private bucket the site (dashboards, data docs) is published to; lake/site locally.
SITE_BUCKET = "STRATA_SITE_BUCKET"
STATE_TABLE = "STRATA_STATE_TABLE"
GLUE_DATABASE = "STRATA_GLUE_DATABASE"
EXTERNAL_SCHEMA = "STRATA_EXTERNAL_SCHEMA"
REDSHIFT_WORKGROUP = "STRATA_REDSHIFT_WORKGROUP"
REDSHIFT_DATABASE = "STRATA_REDSHIFT_DATABASE"
# The Data API target: a Serverless workgroup or a provisioned cluster; IAM auth unless a
# Secrets Manager secret is named (cluster + IAM needs a database user).
REDSHIFT_TARGET = "STRATA_REDSHIFT_TARGET"
REDSHIFT_CLUSTER = "STRATA_REDSHIFT_CLUSTER"
REDSHIFT_DB_USER = "STRATA_REDSHIFT_DB_USER"
REDSHIFT_SECRET_ARN = "STRATA_REDSHIFT_SECRET_ARN"
REDSHIFT_IAM_ROLE = "STRATA_REDSHIFT_IAM_ROLE"
SECRETS_PREFIX = "STRATA_SECRETS_PREFIX"
WAREHOUSE_PATH = "STRATA_WAREHOUSE_PATH"
# The DuckDB storage format the local warehouse file is written in (SQL clients' oldest).
DUCKDB_STORAGE_VERSION = "STRATA_DUCKDB_STORAGE_VERSION"
# Per-source ingestion functions: the one source the function ingests.
SOURCE = "STRATA_SOURCE"
# The SNS topic the daily freshness check alerts when a source is late.
ALERT_TOPIC_ARN = "STRATA_ALERT_TOPIC_ARN"
AWS_REGION = "AWS_REGION"

Runtime = Literal["local", "aws"]
# DuckDB 1.4 (the long-term support line DBeaver, Evidence and many notebooks bundle) and
# every later DuckDB open a file written as v1.4.0; DuckDB 2's own format is closed to 1.x.
DEFAULT_DUCKDB_STORAGE_VERSION = "v1.4.0"


class Settings(BaseModel):
    """Resolved settings. Build with :meth:`from_env`; tests build them directly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    runtime: Runtime = "local"
    environment: str = Field("dev", pattern=r"^[a-z][a-z0-9-]{0,19}$")
    project_dir: Path = Path(".")
    lake_dir: Path = Path("lake")
    # AWS runtime: where contracts and warehouse models are published (s3://bucket/prefix/).
    project_uri: str | None = None
    raw_bucket: str = "raw"
    cleansed_bucket: str = "cleansed"
    quarantine_bucket: str = "quarantine"
    artifacts_bucket: str = "artifacts"
    landing_bucket: str = "landing"
    site_bucket: str = "site"
    state_table: str = "strata-state"
    glue_database: str = "strata_dev"
    external_schema: str = "cleansed"
    redshift_workgroup: str | None = None
    redshift_database: str = "dev"
    redshift_target: Literal["serverless", "cluster"] = "serverless"
    redshift_cluster: str | None = None
    redshift_db_user: str | None = None
    redshift_secret_arn: str | None = None
    redshift_iam_role: str | None = None
    secrets_prefix: str = "strata/dev/"
    warehouse_path: Path | None = None
    duckdb_storage_version: str = Field(DEFAULT_DUCKDB_STORAGE_VERSION, pattern=r"^v\d+\.\d+\.\d+$")
    region: str = "us-east-1"
    source: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    alert_topic_arn: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        names = {
            "runtime": RUNTIME,
            "environment": ENVIRONMENT,
            "project_dir": PROJECT_DIR,
            "lake_dir": LAKE_DIR,
            "project_uri": PROJECT_URI,
            "raw_bucket": RAW_BUCKET,
            "cleansed_bucket": CLEANSED_BUCKET,
            "quarantine_bucket": QUARANTINE_BUCKET,
            "artifacts_bucket": ARTIFACTS_BUCKET,
            "landing_bucket": LANDING_BUCKET,
            "site_bucket": SITE_BUCKET,
            "state_table": STATE_TABLE,
            "glue_database": GLUE_DATABASE,
            "external_schema": EXTERNAL_SCHEMA,
            "redshift_workgroup": REDSHIFT_WORKGROUP,
            "redshift_database": REDSHIFT_DATABASE,
            "redshift_target": REDSHIFT_TARGET,
            "redshift_cluster": REDSHIFT_CLUSTER,
            "redshift_db_user": REDSHIFT_DB_USER,
            "redshift_secret_arn": REDSHIFT_SECRET_ARN,
            "redshift_iam_role": REDSHIFT_IAM_ROLE,
            "secrets_prefix": SECRETS_PREFIX,
            "warehouse_path": WAREHOUSE_PATH,
            "duckdb_storage_version": DUCKDB_STORAGE_VERSION,
            "region": AWS_REGION,
            "source": SOURCE,
            "alert_topic_arn": ALERT_TOPIC_ARN,
        }
        values = {field: env[name] for field, name in names.items() if env.get(name)}
        try:
            return cls(**values)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else ""
            raise ConfigError(
                first["msg"], file="environment", field=names.get(field, field)
            ) from exc

    @property
    def local_warehouse_path(self) -> Path:
        """The DuckDB file standing in for Redshift."""
        return self.warehouse_path or self.lake_dir / "warehouse.duckdb"

    @property
    def state_path(self) -> Path:
        return self.lake_dir / "state.sqlite"
