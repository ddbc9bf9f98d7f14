"""The warehouse plan of a run: ordered batches of Redshift SQL that the state machine runs
through the Data API. Each batch is one model (a transaction) or one statement that must run
outside a transaction (CREATE EXTERNAL SCHEMA)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from strata.errors import ModelError
from strata.models.compiler import compile_project
from strata.models.project import Model, ModelTest, load_warehouse_project
from strata.project import Project
from strata.settings import Settings

MAX_BATCH = 40  # BatchExecuteStatement's limit
MAX_STATEMENT_BYTES = 100_000


@dataclass(frozen=True)
class Batch:
    name: str
    kind: str  # setup | model | tests
    sqls: list[str]
    client_token: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "single": len(self.sqls) == 1}


def plan_run(project: Project, settings: Settings, run_id: str, target: str = "dev") -> list[Batch]:
    warehouse = load_warehouse_project(project.warehouse_files)
    external = settings.external_schema

    def resolve_source(source_name: str, table: str) -> str:
        if table not in project.contracts:
            raise ModelError(f"source({source_name!r}, {table!r}) names no source contract")
        return f"{external}.{table}"

    models = compile_project(warehouse, resolve_source, target=target)
    schemas = sorted({model.schema for model in models})
    batches = [_batch(run_id, "external schema", "setup", [_external_schema_sql(settings)])]
    batches.append(
        _batch(run_id, "schemas", "setup", [f"CREATE SCHEMA IF NOT EXISTS {s}" for s in schemas])
    )
    batches += [_batch(run_id, model.name, "model", materialize(model)) for model in models]
    tests = [test_sql(model, test) for model in models for test in model.tests]
    if tests:
        batches.append(_batch(run_id, "tests", "tests", [" UNION ALL ".join(tests)]))
    return batches


def _external_schema_sql(settings: Settings) -> str:
    role = (
        f" IAM_ROLE '{settings.redshift_iam_role}'"
        if settings.redshift_iam_role
        else " IAM_ROLE default"
    )
    return (
        f"CREATE EXTERNAL SCHEMA IF NOT EXISTS {settings.external_schema} FROM DATA CATALOG "
        f"DATABASE '{settings.glue_database}'{role}"
    )


def materialize(model: Model) -> list[str]:
    relation = f"{model.schema}.{model.name}"
    if model.materialized == "view":
        binding = " WITH NO SCHEMA BINDING" if model.sources else ""
        return [f"CREATE OR REPLACE VIEW {relation} AS\n{model.compiled_sql}{binding}"]
    staging = f"{model.name}__strata_new"
    # Built beside the live table, then swapped in within the batch's transaction: readers see
    # the old table or the new one, never a half-built one.
    return [
        f"DROP TABLE IF EXISTS {model.schema}.{staging}",
        f"CREATE TABLE {model.schema}.{staging} AS\n{model.compiled_sql}",
        f"DROP TABLE IF EXISTS {relation}",
        f"ALTER TABLE {model.schema}.{staging} RENAME TO {model.name}",
    ]


def test_sql(model: Model, test: ModelTest) -> str:
    relation, column = f"{model.schema}.{model.name}", test.column
    label = f"'{model.name}.{test.name}' AS test, '{test.severity}' AS severity"
    if test.kind == "not_null":
        failing = f"SELECT 1 FROM {relation} WHERE {column} IS NULL"
    elif test.kind == "unique":
        failing = (
            f"SELECT {column} FROM {relation} WHERE {column} IS NOT NULL "
            f"GROUP BY {column} HAVING count(*) > 1"
        )
    elif test.kind == "accepted_values":
        values = ", ".join("'" + str(v).replace("'", "''") + "'" for v in test.arguments["values"])
        failing = f"SELECT 1 FROM {relation} WHERE {column} NOT IN ({values})"
    else:
        raise ModelError(f"test {test.kind!r} is not supported yet", model=model.name)
    return f"SELECT {label}, count(*) AS failures FROM ({failing}) AS failing"


def _batch(run_id: str, name: str, kind: str, sqls: list[str]) -> Batch:
    if len(sqls) > MAX_BATCH:
        raise ModelError(f"{len(sqls)} statements exceed the Data API batch limit", model=name)
    for sql in sqls:
        if len(sql.encode()) > MAX_STATEMENT_BYTES:
            raise ModelError("statement exceeds the Data API's 100 KB limit", model=name)
    token = hashlib.sha256(f"{run_id}/{name}".encode()).hexdigest()[:32]
    return Batch(name=name, kind=kind, sqls=sqls, client_token=token)
