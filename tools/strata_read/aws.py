"""The read API on AWS, with awswrangler, as the reader role.

- stage, analytics and adhoc: ``wr.data_api.redshift.read_sql_query`` through the Redshift Data
  API. On Redshift Serverless the call names only the workgroup and the database: the Data API
  signs in as the caller's IAM role (``redshift-serverless:GetCredentials``), and the role's
  ``RedshiftDbRoles`` tag gives it the database role ``bi_reader`` (USAGE and SELECT only, see
  ``strata_dev.deploy.warehouse_bootstrap``). On a provisioned cluster it signs in as the
  reader database user (``STRATA_REDSHIFT_DB_USER``).
- cleansed: ``wr.s3.read_parquet_table`` over the Glue table, with a partition filter, so only
  the partitions asked for are listed and read.
- ``write_adhoc``: the frame as Parquet under ``s3://<artifacts>/adhoc/<name>/``, then one
  Data API batch (one transaction): drop, create, ``COPY ... FORMAT AS PARQUET``. It needs an
  identity allowed to write that prefix and create in ``adhoc``, which the read-only
  DataScienceRole is not: an analyst's own role.

Unverified without AWS: the SQL's results (moto's Data API never runs SQL), the reader role's
sign-in, and COPY. The tests check every request's shape against moto.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from strata.models.targets import PRODUCTION
from strata.settings import Settings
from strata_read.base import ADHOC, Backend
from strata_read.errors import ReadError
from strata_read.partitions import keeps
from strata_read.tables import CLEANSED, TableInfo, quote

WAREHOUSE_LAYERS = ("stage", "analytics", ADHOC)
STATEMENT_NAME = "strata-read-write-adhoc"
POLL_SECONDS = 1.0
MAX_POLLS = 600
# pandas dtypes (by kind) → Redshift column types, for the table a COPY fills.
REDSHIFT_TYPES = {
    "b": "BOOLEAN",
    "i": "BIGINT",
    "u": "BIGINT",
    "f": "DOUBLE PRECISION",
    "M": "TIMESTAMP",
}


class AwsBackend(Backend):
    name = "aws"

    def __init__(self, settings: Settings, session: Any = None) -> None:
        if not settings.redshift_workgroup and not settings.redshift_cluster:
            raise ReadError(
                "STRATA_REDSHIFT_WORKGROUP (or STRATA_REDSHIFT_CLUSTER) must name the warehouse"
            )
        self.settings = settings
        self.session = session
        prefix = "" if settings.environment == PRODUCTION else f"{settings.environment}_"
        # Logical layer → schema in Redshift (dev_analytics in dev, analytics in prod).
        self.schemas = {layer: f"{prefix}{layer}" for layer in WAREHOUSE_LAYERS}
        self.schemas[CLEANSED] = settings.external_schema

    def _boto3_session(self) -> Any:
        import boto3

        if self.session is None:
            self.session = boto3.Session(region_name=self.settings.region)
        return self.session

    def connection(self) -> Any:
        """A Data API connection as the reader: workgroup + IAM, or cluster + reader user."""
        import awswrangler as wr

        settings = self.settings
        target: dict[str, str] = (
            {"workgroup_name": settings.redshift_workgroup or ""}
            if settings.redshift_target == "serverless"
            else {
                "cluster_id": settings.redshift_cluster or "",
                "db_user": settings.redshift_db_user or "",
            }
        )
        return wr.data_api.redshift.connect(
            database=settings.redshift_database, boto3_session=self._boto3_session(), **target
        )

    def query(self, sql: str, *, as_arrow: bool) -> Any:
        import awswrangler as wr

        try:
            frame = wr.data_api.redshift.read_sql_query(sql, con=self.connection())
        except Exception as exc:  # awswrangler's and botocore's errors alike: named, no secret
            raise ReadError(f"{type(exc).__name__}: {exc}") from exc
        return _arrow(frame) if as_arrow else frame

    def tables(self) -> list[TableInfo]:
        import awswrangler as wr

        layers = {schema: layer for layer, schema in self.schemas.items() if layer != CLEANSED}
        listed = ", ".join(f"'{schema}'" for schema in layers)
        frame = self.query(
            "SELECT schema_name, table_name, table_type, remarks FROM svv_all_tables "
            f"WHERE database_name = current_database() AND schema_name IN ({listed})",
            as_arrow=False,
        )
        found = [
            TableInfo(
                layers[row.schema_name],
                row.table_name,
                "view" if "VIEW" in str(row.table_type).upper() else "table",
                row.remarks or "",
            )
            for row in frame.itertuples(index=False)
            if row.schema_name in layers
        ]
        glue = wr.catalog.tables(
            database=self.settings.glue_database, boto3_session=self._boto3_session(), limit=None
        )
        found += [
            TableInfo(CLEANSED, row["Table"], "table", row.get("Description") or "")
            for _, row in glue.iterrows()
        ]
        return found

    def relation(self, info: TableInfo) -> str:
        return f"{quote(self.schemas[info.layer])}.{quote(info.name)}"

    def read_cleansed(
        self,
        table: str,
        start: str | None,
        end: str | None,
        columns: list[str] | None,
        *,
        as_arrow: bool,
    ) -> Any:
        import awswrangler as wr

        def wanted(partition: dict[str, str]) -> bool:
            return all(keeps(value, start, end) for value in partition.values())

        frame = wr.s3.read_parquet_table(
            table=table,
            database=self.settings.glue_database,
            partition_filter=wanted,
            columns=columns,
            boto3_session=self._boto3_session(),
        )
        return _arrow(frame) if as_arrow else frame

    def write_adhoc(self, name: str, frame: Any) -> str:
        import awswrangler as wr

        settings = self.settings
        if not settings.redshift_iam_role:
            raise ReadError(
                "write_adhoc on AWS needs STRATA_REDSHIFT_IAM_ROLE: the role Redshift's COPY "
                "reads the staged Parquet with"
            )
        path = f"s3://{settings.artifacts_bucket}/adhoc/{name}/{uuid.uuid4().hex}.parquet"
        wr.s3.to_parquet(frame, path=path, index=False, boto3_session=self._boto3_session())
        relation = f"{quote(self.schemas[ADHOC])}.{quote(name)}"
        sqls = [
            f"CREATE SCHEMA IF NOT EXISTS {quote(self.schemas[ADHOC])}",
            f"DROP TABLE IF EXISTS {relation}",
            f"CREATE TABLE {relation} ({_columns_ddl(frame)})",
            f"COPY {relation} FROM '{path}' IAM_ROLE '{settings.redshift_iam_role}' "
            "FORMAT AS PARQUET",
        ]
        client = self._boto3_session().client("redshift-data")
        target = (
            {"WorkgroupName": settings.redshift_workgroup}
            if settings.redshift_target == "serverless"
            else {
                "ClusterIdentifier": settings.redshift_cluster,
                "DbUser": settings.redshift_db_user,
            }
        )
        started = client.batch_execute_statement(
            Sqls=sqls, Database=settings.redshift_database, StatementName=STATEMENT_NAME, **target
        )
        _wait(client, started["Id"])
        return f"{ADHOC}.{name}"


def _columns_ddl(frame: Any) -> str:
    return ", ".join(
        f"{quote(str(column))} {REDSHIFT_TYPES.get(dtype.kind, 'VARCHAR(65535)')}"
        for column, dtype in frame.dtypes.items()
    )


def _arrow(frame: Any) -> Any:
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


def _wait(client: Any, statement_id: str) -> None:
    for _ in range(MAX_POLLS):
        described = client.describe_statement(Id=statement_id)
        if described["Status"] == "FINISHED":
            return
        if described["Status"] in ("FAILED", "ABORTED"):
            raise ReadError(
                f"write_adhoc: statement {statement_id} {described['Status'].lower()}: "
                f"{described.get('Error', 'no error message')}"
            )
        time.sleep(POLL_SECONDS)
    raise ReadError(f"write_adhoc: statement {statement_id} still runs after {MAX_POLLS} polls")
