"""What the data docs say, as plain typed records: gathered once (:mod:`.gather`), then rendered
as pages (:mod:`.pages`) and as the lineage graph (:mod:`.lineage`). Nothing here is written by
hand: every field comes from a contract, a model file, the catalog, the state or a run report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    type: str = ""  # empty when no layer says (a model never built)
    description: str = ""
    nullable: bool | None = None
    source_name: str | None = None  # the field's name in the source file, when it differs
    described_in: str | None = None  # the upstream node the description was taken from


@dataclass(frozen=True)
class CheckResult:
    """A test's or a freshness check's outcome in one run."""

    status: str  # pass | warn | fail | error | skipped
    run_id: str
    failures: int | None = None
    severity: str = "error"


@dataclass(frozen=True)
class Freshness:
    """How old the source's last delivery is, against the project's freshness settings."""

    status: str  # fresh | warn | error | never | unchecked (no threshold set)
    age_seconds: float | None = None
    warn_after: str | None = None  # "2 days"
    error_after: str | None = None
    last_check: CheckResult | None = None  # the pipeline's own freshness check, last run


@dataclass
class SourceDoc:
    name: str
    file: str
    description: str
    owner: str
    kind: str
    schedule: str | None
    origin: str  # where deliveries come from: a landing prefix, a URL, an SFTP path
    format: str
    timezone: str
    columns: list[ColumnDoc]
    primary_key: list[str]
    partitioning: str
    rules: list[str]
    schema_change: str
    reject_threshold: float
    last_delivery: datetime | None = None
    last_raw_key: str | None = None
    last_attempt: dict[str, object] | None = None  # api/sftp: the last ingestion attempt
    freshness: Freshness = field(default_factory=lambda: Freshness("unchecked"))


@dataclass
class TableDoc:
    """A cleansed table: what the catalog declares and what the conversions wrote."""

    name: str
    relation: str  # as models and SQL clients name it: <external schema>.<name>
    location: str
    description: str
    columns: list[ColumnDoc]
    partition_keys: list[ColumnDoc]
    partitions: int = 0
    first_partition: str | None = None
    last_partition: str | None = None
    files: int = 0
    files_quarantined: int = 0
    rows_in: int = 0
    rows_out: int = 0
    rows_quarantined: int = 0
    in_catalog: bool = True

    @property
    def quarantine_rate(self) -> float | None:
        return self.rows_quarantined / self.rows_in if self.rows_in else None


@dataclass
class TestDoc:
    name: str
    kind: str  # not_null | unique | accepted_values | relationships | singular
    path: str
    severity: str
    column: str | None = None
    sql: str = ""
    last: CheckResult | None = None


@dataclass
class ModelDoc:
    name: str
    layer: str  # stage | analytics | adhoc | model: the configured schema, when one of those
    relation: str
    path: str
    description: str
    materialized: str
    tags: list[str]
    raw_sql: str
    compiled_sql: str
    incremental_sql: str | None
    columns: list[ColumnDoc]
    tests: list[TestDoc]
    refs: list[str]
    sources: list[str]  # the contracts (cleansed tables) it reads


@dataclass
class QueryDoc:
    name: str
    line: int
    sql: str
    tables: list[str]  # the relations it reads, as written (schema.table or table)
    error: str | None = None  # why its tables could not be read, when they could not


@dataclass
class DashboardDoc:
    name: str
    path: str
    title: str
    queries: list[QueryDoc]
    models: list[str] = field(default_factory=list)  # the models its queries read
    tables: list[str] = field(default_factory=list)  # the cleansed tables they read directly
    other: list[str] = field(default_factory=list)  # relations that are neither


@dataclass(frozen=True)
class RunDoc:
    run_id: str
    status: str
    finished_at: str | None


@dataclass
class Docs:
    project: str
    target: str
    generated_at: datetime
    sources: dict[str, SourceDoc]
    tables: dict[str, TableDoc]
    models: dict[str, ModelDoc]
    dashboards: dict[str, DashboardDoc]
    last_run: RunDoc | None = None
    problems: list[str] = field(default_factory=list)  # what could not be documented, and why
