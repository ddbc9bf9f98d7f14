"""The run reports as tables, for the data-quality dashboard: schema ``strata_meta``.

Data quality comes from the pipeline's own records, not from the warehouse: the state store's
run records name the runs, each run's ``report.json`` (artifacts) says what happened to every
file, model and test, and the quarantine store holds the rejected rows. They are loaded into an
in-memory DuckDB database built for one site build (nothing is written to the warehouse, which
the site only reads), and a dashboard query that reads ``strata_meta.<table>`` runs there, in
the same Redshift SQL as the other queries.

| table | one row per |
| --- | --- |
| ``strata_meta.runs`` | run (the latest ``RUN_HISTORY``): status, counts, tests |
| ``strata_meta.source_runs`` | run and source: rows in/out/quarantined, files rejected, drift |
| ``strata_meta.files`` | file converted: its fate, counts and reason |
| ``strata_meta.drift`` | schema-drift event (a file's column change) |
| ``strata_meta.tests`` | run and test: status, failures |
| ``strata_meta.ingestion`` | source's last ingestion attempt |
| ``strata_meta.quarantined_rows`` | rejected row (the latest ``QUARANTINE_SAMPLE``), with reason |
| ``strata_meta.sources`` | source: last run and delivery, red/amber/green status and why |
| ``strata_meta.freshness`` | source: last delivery against its freshness SLA, status and why |
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from strata.errors import ObjectNotFoundError, StrataError
from strata.lake import state_keys
from strata.lake.keys import RawKey, report_key
from strata.runtime import Context
from strata.warehouse.base import QueryResult

SCHEMA = "strata_meta"
RUN_HISTORY = 30
QUARANTINE_SAMPLE = 200

TABLES: dict[str, str] = {
    "runs": """run_id varchar, status varchar, passed boolean, started_at timestamp,
        finished_at timestamp, duration_seconds double, files integer, rows_in bigint,
        rows_out bigint, rows_quarantined bigint, files_rejected integer, models_built integer,
        models_failed integer, tests_passed integer, tests_failed integer, tests_warned integer,
        problems varchar""",
    "source_runs": """run_id varchar, started_at timestamp, source varchar, files integer,
        bytes bigint, rows_in bigint, rows_out bigint, rows_quarantined bigint,
        files_quarantined integer, files_failed integer, files_rejected integer,
        drift_events integer, quarantine_rate double""",
    "files": """run_id varchar, started_at timestamp, source varchar, file_name varchar,
        raw_key varchar, received_at timestamp, status varchar, rows_in bigint, rows_out bigint,
        rows_quarantined bigint, drift_events integer, reason varchar""",
    "drift": "run_id varchar, started_at timestamp, source varchar, file_name varchar, "
    "change varchar",
    "tests": "run_id varchar, started_at timestamp, test varchar, severity varchar, "
    "status varchar, failures bigint",
    "ingestion": "source varchar, status varchar, attempted_at timestamp, error varchar",
    "quarantined_rows": """run_id varchar, source varchar, file_name varchar, row_number bigint,
        line_number bigint, column_name varchar, reason varchar, raw varchar""",
    "sources": """source varchar, kind varchar, owner varchar, last_run_id varchar,
        last_run_at timestamp, last_delivery_at timestamp, rows_in bigint, rows_out bigint,
        rows_quarantined bigint, files_rejected integer, drift_events integer,
        ingestion_status varchar, status varchar, status_reason varchar""",
    "freshness": """source varchar, freshness varchar, status varchar,
        last_delivery_at timestamp, age_hours double, expected_every varchar,
        warn_after varchar, error_after varchar, reason varchar""",
}


@dataclass(frozen=True)
class RunReports:
    """The latest runs' reports, newest first, and the sources' last ingestion attempts."""

    reports: list[dict[str, Any]]
    ingestion: dict[str, dict[str, Any]]


def latest_reports(ctx: Context, limit: int = RUN_HISTORY) -> RunReports:
    """The reports of the latest finished runs (the state's run records name them)."""
    records = sorted(
        ctx.ports.state.query(state_keys.RUN), key=lambda r: str(r["run_id"]), reverse=True
    )
    reports = []
    for record in records:
        if len(reports) >= limit:
            break
        key = str(record.get("report_key") or report_key(str(record["run_id"])))
        try:
            reports.append(json.loads(ctx.ports.artifacts.get_bytes(key)))
        except ObjectNotFoundError:
            continue  # a run still going, or killed before its report
    from strata.ingest.ledger import last_attempts

    return RunReports(reports, last_attempts(ctx.ports.state, sorted(ctx.project.contracts)))


class MetaDatabase:
    """An in-memory DuckDB database holding the ``strata_meta`` tables."""

    def __init__(self) -> None:
        import duckdb

        self.connection = duckdb.connect(":memory:")
        self.connection.execute(f"create schema {SCHEMA}")
        for table, columns in TABLES.items():
            self.connection.execute(f"create table {SCHEMA}.{table} ({columns})")

    def insert(self, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
        rows = list(rows)
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            self.connection.executemany(f"insert into {SCHEMA}.{table} values ({marks})", rows)

    def run(self, sql: str) -> QueryResult:
        """Run one Redshift SQL query (transpiled like the local warehouse's)."""
        import duckdb

        from strata.warehouse.transpile import redshift_to_duckdb

        cursor = self.connection.cursor()
        try:
            statements = redshift_to_duckdb(sql)
            for statement in statements:
                cursor.execute(statement)
            columns = [column[0] for column in cursor.description or []]
            return QueryResult(columns=columns, rows=[tuple(row) for row in cursor.fetchall()])
        except duckdb.Error as exc:
            raise StrataError(str(exc).strip()) from exc
        finally:
            cursor.close()

    def close(self) -> None:
        self.connection.close()


def empty_database() -> MetaDatabase:
    """The tables with no rows: enough to check a query's tables and columns."""
    return MetaDatabase()


def load(ctx: Context, history: RunReports | None = None) -> MetaDatabase:
    history = history or latest_reports(ctx)
    database = MetaDatabase()
    for report in history.reports:
        _load_report(database, report)
    database.insert(
        "ingestion",
        (
            (source, item.get("status"), _time(item.get("at")), item.get("error"))
            for source, item in sorted(history.ingestion.items())
        ),
    )
    database.insert("quarantined_rows", _quarantined_rows(ctx, history.reports))
    database.insert("sources", source_statuses(ctx, history))
    database.insert("freshness", freshness_rows(ctx))
    return database


def _load_report(database: MetaDatabase, report: dict[str, Any]) -> None:
    run_id, started = report.get("run_id"), _time(report.get("started_at"))
    sources = report.get("sources") or {}
    files = report.get("files") or []
    tests = report.get("tests") or []
    totals = {
        name: sum(int(counts.get(name) or 0) for counts in sources.values())
        for name in ("files", "rows_in", "rows_out", "rows_quarantined")
    }
    database.insert(
        "runs",
        [
            (
                run_id,
                report.get("status"),
                bool(report.get("passed")),
                started,
                _time(report.get("finished_at")),
                report.get("duration_seconds"),
                totals["files"],
                totals["rows_in"],
                totals["rows_out"],
                totals["rows_quarantined"],
                sum(_rejected(counts) for counts in sources.values()),
                len(report.get("models") or []),
                len(report.get("models_failed") or []),
                sum(t.get("status") == "pass" for t in tests),
                sum(t.get("status") in ("fail", "error") for t in tests),
                sum(t.get("status") == "warn" for t in tests),
                "; ".join(report.get("problems") or []) or None,
            )
        ],
    )
    database.insert(
        "source_runs",
        (
            (
                run_id,
                started,
                source,
                counts.get("files", 0),
                counts.get("bytes", 0),
                counts.get("rows_in", 0),
                counts.get("rows_out", 0),
                counts.get("rows_quarantined", 0),
                counts.get("files_quarantined", 0),
                counts.get("files_failed", 0),
                _rejected(counts),
                len(counts.get("drift") or []),
                _rate(counts.get("rows_quarantined", 0), counts.get("rows_in", 0)),
            )
            for source, counts in sorted(sources.items())
        ),
    )
    database.insert("files", (_file_row(run_id, started, item) for item in files))
    database.insert(
        "drift",
        (
            (run_id, started, item.get("source"), _file_name(item), change)
            for item in files
            for change in item.get("drift") or []
        ),
    )
    database.insert(
        "tests",
        (
            (run_id, started, t.get("test"), t.get("severity"), t.get("status"), t.get("failures"))
            for t in tests
        ),
    )


def _file_row(run_id: Any, started: datetime | None, item: dict[str, Any]) -> tuple[Any, ...]:
    reason = item.get("reason") or item.get("error")
    if isinstance(reason, dict | list):
        reason = json.dumps(reason)
    return (
        run_id,
        started,
        item.get("source"),
        _file_name(item),
        item.get("raw_key"),
        received_at(str(item.get("raw_key") or "")),
        item.get("status"),
        item.get("rows_in"),
        item.get("rows_out"),
        item.get("rows_quarantined"),
        len(item.get("drift") or []),
        reason,
    )


def _quarantined_rows(ctx: Context, reports: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The latest rejected rows, newest run first, up to ``QUARANTINE_SAMPLE``."""
    rows: list[tuple[Any, ...]] = []
    for report in reports:
        for item in report.get("files") or []:
            for key in item.get("quarantine") or []:
                if not key.endswith(".ndjson"):
                    continue
                try:
                    text = ctx.ports.quarantine.get_bytes(key).decode("utf-8")
                except ObjectNotFoundError:
                    continue  # replaced by a later conversion of the same raw object
                for line in text.splitlines():
                    if len(rows) >= QUARANTINE_SAMPLE:
                        return rows
                    row = json.loads(line)
                    rows.append(
                        (
                            report.get("run_id"),
                            item.get("source"),
                            _file_name(item),
                            row.get("row"),
                            row.get("line"),
                            row.get("column"),
                            row.get("reason"),
                            row.get("raw"),
                        )
                    )
    return rows


GREEN, AMBER, RED = "green", "amber", "red"


def source_statuses(ctx: Context, history: RunReports) -> list[tuple[Any, ...]]:
    """Each source's red/amber/green status from its latest run and ingestion attempt:

    - red: its last ingestion attempt failed, or a file of its latest run failed or was
      rejected whole;
    - amber: rows were quarantined or the schema drifted in its latest run;
    - green otherwise (also a source no run has seen yet, which says so).
    """
    rows = []
    for name, contract in sorted(ctx.project.contracts.items()):
        latest = next((r for r in history.reports if name in (r.get("sources") or {})), None)
        counts = (latest or {}).get("sources", {}).get(name, {})
        attempt = history.ingestion.get(name) or {}
        status, reason = _status(counts, attempt, latest is not None)
        rows.append(
            (
                name,
                contract.kind,
                contract.owner,
                latest and latest.get("run_id"),
                latest and _time(latest.get("started_at")),
                _last_delivery(name, history.reports),
                counts.get("rows_in"),
                counts.get("rows_out"),
                counts.get("rows_quarantined"),
                _rejected(counts) if counts else None,
                len(counts.get("drift") or []) if counts else None,
                attempt.get("status"),
                status,
                reason,
            )
        )
    return rows


def _status(counts: dict[str, Any], attempt: dict[str, Any], seen: bool) -> tuple[str, str]:
    if attempt.get("status") == "failed":
        return RED, f"ingestion failed: {attempt.get('error')}"
    if counts.get("files_failed"):
        return RED, f"{counts['files_failed']} file(s) failed to convert"
    if counts.get("files_quarantined"):
        return RED, f"{counts['files_quarantined']} file(s) rejected whole"
    if counts.get("rows_quarantined"):
        rate = _rate(counts["rows_quarantined"], counts.get("rows_in", 0)) or 0
        return AMBER, f"{counts['rows_quarantined']} row(s) quarantined ({rate:.1%})"
    if counts.get("drift"):
        return AMBER, f"{len(counts['drift'])} schema drift event(s)"
    if not seen:
        return GREEN, "no delivery converted yet"
    return GREEN, "all rows accepted"


# A freshness status as the page's red/amber/green (a source without SLA gets none).
FRESHNESS_COLORS = {"ok": GREEN, "warn": AMBER, "error": RED}


def freshness_rows(ctx: Context) -> list[tuple[Any, ...]]:
    """Each source's freshness now, against its contract's SLA."""
    from strata.orchestration.freshness import check_freshness

    return [
        (
            name,
            row["status"],
            FRESHNESS_COLORS.get(row["status"]),
            _time(row["last_delivery"]),
            row["age_hours"],
            row["expected_every"],
            row["warn_after"],
            row["error_after"],
            row["reason"],
        )
        for name, row in check_freshness(ctx).items()
    ]


def _last_delivery(source: str, reports: list[dict[str, Any]]) -> datetime | None:
    times = [
        received_at(str(item.get("raw_key") or ""))
        for report in reports
        for item in report.get("files") or []
        if item.get("source") == source
    ]
    known = [moment for moment in times if moment is not None]
    return max(known) if known else None


def received_at(raw_key: str) -> datetime | None:
    """When a raw object was received: its ingest run id starts with the UTC time."""
    try:
        run_id = RawKey.parse(raw_key.split("!", 1)[0]).run_id
    except ValueError:
        return None
    return datetime.strptime(run_id[:16], "%Y%m%dT%H%M%SZ")


def _rejected(counts: dict[str, Any]) -> int:
    return int(counts.get("files_quarantined") or 0) + int(counts.get("files_failed") or 0)


def _rate(part: Any, whole: Any) -> float | None:
    return round(int(part) / int(whole), 6) if whole else None


def _file_name(item: dict[str, Any]) -> str:
    return PurePosixPath(str(item.get("raw_key") or "")).name


def _time(value: Any) -> datetime | None:
    """An ISO time from a report, as naive UTC (DuckDB's ``timestamp``)."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
