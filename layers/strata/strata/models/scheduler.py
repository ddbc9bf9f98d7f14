"""Runs a manifest wave by wave: what is ready goes out as Data API statements, results come
back, and whatever waited on a failure is skipped while unrelated branches go on.

The scheduler never talks to the warehouse. In AWS the state machine runs each wave's
statements through the Data API (submit, poll, fetch) and hands the outcomes to the planner
Lambda, which calls :meth:`WarehouseRun.record` and :meth:`WarehouseRun.next_wave`; locally
:mod:`strata.models.executor` does the same with the warehouse port. A wave is a list of
:class:`~strata.lake.payloads.WaveItem`; an outcome, what the state machine's item processor
returns for one, a :class:`~strata.lake.payloads.StatementOutcome` (with ``result`` the Data
API's GetStatementResult, only when the item asked to fetch it).

The manifest and the results (dbt's ``run_results.json`` entries) are documents of the run's
artifacts, kept as JSON objects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import JsonValue

from strata.lake.payloads import (
    BuildSummary,
    CheckNode,
    ModelNode,
    NodeSummary,
    OperationNode,
    StatementOutcome,
    StatementResult,
    WaveItem,
)
from strata.lake.payloads.warehouse import PollCount
from strata.models import checks, materialize
from strata.models.config import PERIOD_SECONDS
from strata.models.plan import RELATIONS, freshness_sql
from strata.models.yamlfile import WAREHOUSE_DIR
from strata.warehouse.base import DATA_API_MAX_BATCH

MAX_STATEMENT_BYTES = 100_000  # the Data API's limit per statement
# A wave's statements and its outcomes (test samples included) travel in the execution's state,
# limited to 256 KB: a wave holds at most this many items and this much SQL.
MAX_WAVE_ITEMS = 40
MAX_WAVE_SQL_BYTES = 100_000
BLOCKING = frozenset({"error", "fail", "skipped"})
ABORTED_MESSAGE = "the statement was cancelled (ABORTED) before it finished"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class WarehouseRun:
    def __init__(
        self,
        manifest: dict[str, Any],
        results: dict[str, dict[str, Any]] | None = None,
        relations: dict[str, dict[str, Any]] | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.manifest = manifest
        self.results: dict[str, dict[str, Any]] = dict(results or {})
        self.relations: dict[str, dict[str, Any]] = dict(relations or {})
        self.clock = clock
        self.order = list(manifest["waits_for"])

    # ------------------------------------------------------------------ scheduling
    @property
    def done(self) -> bool:
        return all(uid in self.results for uid in self.order)

    def next_wave(self) -> list[WaveItem]:
        """Statements for every node whose predecessors are done; nodes downstream of a
        failure are marked skipped on the way."""
        while True:
            ready, skipped = [], False
            for uid in self.order:
                if uid in self.results:
                    continue
                waits = self.manifest["waits_for"][uid]
                if not all(other in self.results for other in waits):
                    continue
                blocker = next((w for w in waits if self.results[w]["status"] in BLOCKING), None)
                if blocker is not None:
                    self._skip(uid, blocker)
                    skipped = True
                else:
                    ready.append(uid)
            if not skipped:
                break
        wave: list[WaveItem] = []
        size = 0
        for uid in ready:
            try:
                item = self._item(uid)
            except ValueError as exc:
                self.results[uid] = self._result(uid, "error", message=str(exc))
                continue
            size += sum(len(sql.encode()) for sql in item.sqls)
            if wave and (len(wave) >= MAX_WAVE_ITEMS or size > MAX_WAVE_SQL_BYTES):
                break  # the rest is still ready: it goes out with the next wave
            wave.append(item)
        return wave if wave or self.done else self.next_wave()

    def _skip(self, uid: str, blocker: str) -> None:
        verb = {"error": "failed", "fail": "failed its test", "skipped": "was skipped"}
        status = self.results[blocker]["status"]
        self.results[uid] = self._result(
            uid, "skipped", message=f"upstream {blocker} {verb[status]}", blocked_by=blocker
        )

    def _item(self, uid: str) -> WaveItem:
        sqls, fetch = self._statements(uid)
        if len(sqls) > DATA_API_MAX_BATCH:
            raise ValueError(f"{len(sqls)} statements exceed the Data API batch limit")
        if any(len(sql.encode()) > MAX_STATEMENT_BYTES for sql in sqls):
            raise ValueError("a statement exceeds the Data API's 100 KB limit")
        metadata = self.manifest["metadata"]
        token = hashlib.sha256(f"{metadata['run_id']}/{uid}".encode()).hexdigest()[:32]
        single = len(sqls) == 1
        return WaveItem(
            id=uid,
            name=uid[:500],
            kind=uid.split(".")[0],  # type: ignore[arg-type]
            sqls=sqls,
            single=single,
            client_token=token,
            fetch=fetch,
            fetch_suffix="" if single else f":{len(sqls)}",
            poll_seconds=metadata["poll_seconds"],
            max_polls=metadata["max_polls"],
            poll=PollCount(count=0),
            connection=metadata["connection"],
        )

    def _statements(self, uid: str) -> tuple[list[str], bool]:
        kind = uid.split(".")[0]
        if kind == "operation":
            operation = self.manifest["operations"][uid]
            return list(operation["sqls"]), operation["name"] == RELATIONS
        if kind == "model":
            built = self._build(uid)
            return built.sqls, built.counts_rows
        if kind == "test":
            return [checks.test_query(self.manifest["nodes"][uid]["compiled_code"])], True
        source = self.manifest["sources"]["source." + uid.removeprefix("freshness.")]
        return [freshness_sql(source)], True

    def _build(self, uid: str) -> materialize.Build:
        node = self.manifest["nodes"][uid]
        existing = self.relations.get(node["relation"])
        found = (
            materialize.Existing(existing["kind"], tuple(existing["columns"])) if existing else None
        )
        # A node planned for a full refresh: an incremental model whose SQL changed since
        # the environment it is compared with (see strata.models.plan).
        refresh = self.manifest["metadata"]["full_refresh"] or node.get("full_refresh", False)
        return materialize.build(node, found, full_refresh=bool(refresh))

    # ------------------------------------------------------------------ outcomes
    def record(self, outcomes: list[StatementOutcome]) -> None:
        for outcome in outcomes:
            uid = outcome.id
            if uid in self.results:  # a retried delivery of the same wave
                continue
            self.results[uid] = self._interpret(uid, outcome)

    def _interpret(self, uid: str, outcome: StatementOutcome) -> dict[str, Any]:
        timing = _timing(outcome)
        status = outcome.status
        if status != "FINISHED":
            message = ABORTED_MESSAGE if status == "ABORTED" else "statement failed"
            error = outcome.error
            path = self.manifest["nodes"].get(uid, {}).get("path")
            where = f"{WAREHOUSE_DIR}{path}: " if path else ""  # the file to open first
            message = f"{where}{message}: {error}" if error else f"{where}{message}"
            return self._result(uid, "error", message=message, **timing)
        columns, rows = read_result(outcome.result)
        kind = uid.split(".")[0]
        if kind == "operation":
            if uid.endswith("." + RELATIONS):
                self.relations = relations_from(columns, rows)
            return self._result(uid, "success", message="done", **timing)
        if kind == "model":
            return self._model_result(uid, columns, rows, timing)
        if kind == "test":
            return self._test_result(uid, columns, rows, timing)
        return self._freshness_result(uid, rows, timing)

    def _model_result(
        self, uid: str, columns: list[str], rows: list[list[Any]], timing: dict[str, Any]
    ) -> dict[str, Any]:
        built = self._build(uid)
        count = int(rows[0][0]) if built.counts_rows and rows else None
        messages = {
            "view": "view created",
            "table": f"table built: {count} rows",
            "full-refresh": f"table rebuilt (full refresh): {count} rows",
            "incremental": f"{count} new or changed rows merged",
        }
        return self._result(
            uid,
            "success",
            message=messages[built.mode],
            rows_affected=count,
            mode=built.mode,
            **timing,
        )

    def _test_result(
        self, uid: str, columns: list[str], rows: list[list[Any]], timing: dict[str, Any]
    ) -> dict[str, Any]:
        node = self.manifest["nodes"][uid]
        failures = 0
        sample = []
        if rows:
            index = columns.index(checks.FAILURES_COLUMN)
            failures = int(rows[0][index])
            sample = [
                {
                    name: value
                    for name, value in zip(columns, row, strict=True)
                    if name != checks.FAILURES_COLUMN
                }
                for row in rows
            ]
        status = "fail" if failures else "pass"
        if failures and node["severity"] == "warn":
            status = "warn"
        message = f"{failures} failing rows" if failures else "passed"
        return self._result(
            uid,
            status,
            message=message,
            failures=failures,
            severity=node["severity"],
            sample=sample,
            **timing,
        )

    def _freshness_result(
        self, uid: str, rows: list[list[Any]], timing: dict[str, Any]
    ) -> dict[str, Any]:
        source = self.manifest["sources"]["source." + uid.removeprefix("freshness.")]
        latest = parse_timestamp(rows[0][0]) if rows and rows[0] else None
        now = self.clock()
        age = (now - latest).total_seconds() if latest else None
        limits = source["freshness"] or {}
        status = "pass"
        for name, verdict in (("warn_after", "warn"), ("error_after", "fail")):
            threshold = limits.get(name)
            if threshold and age is not None and age > _seconds(threshold):
                status = verdict
        if age is None:  # nothing delivered yet: worth a look, not a failed run
            status = "warn"
        message = (
            f"latest row ingested {int(age)} s ago" if age is not None else "no rows: never loaded"
        )
        return self._result(
            uid,
            status,
            message=message,
            max_loaded_at=latest.isoformat() if latest else None,
            snapshotted_at=now.isoformat(),
            age_seconds=age,
            severity="error" if status == "fail" else "warn",
            **timing,
        )

    def _result(self, uid: str, status: str, **details: Any) -> dict[str, Any]:
        return {"unique_id": uid, "status": status, **details}

    # ------------------------------------------------------------------ artifacts
    @property
    def status(self) -> str:
        return (
            "error"
            if any(r["status"] in ("error", "fail") for r in self.results.values())
            else "success"
        )

    def run_results(self) -> dict[str, Any]:
        metadata = self.manifest["metadata"]
        results = [self.results[uid] for uid in self.order if uid in self.results]
        return {
            "metadata": {
                "run_id": metadata["run_id"],
                "target": metadata["target"],
                "command": metadata["command"],
                "generated_at": self.clock().isoformat(timespec="seconds"),
            },
            "args": {key: metadata[key] for key in ("select", "exclude", "full_refresh", "target")},
            "status": self.status if self.done else "running",
            "results": results,
            "relations": self.relations,
        }

    def summary(self) -> BuildSummary:
        """What the Report step receives: every node's outcome, compact."""
        nodes = [
            _node_summary(uid, result)
            for uid in self.order
            if (result := self.results.get(uid)) is not None
        ]
        return BuildSummary(status=self.status, nodes=nodes)  # type: ignore[arg-type]


def _node_summary(uid: str, result: dict[str, Any]) -> NodeSummary:
    kind = uid.split(".")[0]
    name = uid.split(".")[-1]
    common = {"id": uid, "name": name, "status": result["status"], "message": result.get("message")}
    if kind == "model":
        return ModelNode(kind="model", rows=result.get("rows_affected"), **common)
    if kind in ("test", "freshness"):
        return CheckNode(
            kind=kind,  # type: ignore[arg-type]
            test=uid.split(".", 2)[-1] if kind == "freshness" else name,
            severity=result.get("severity", "error"),
            failures=result.get("failures"),
            sample=result.get("sample", []),
            **common,
        )
    return OperationNode(kind="operation", **common)


def _timing(outcome: StatementOutcome) -> dict[str, Any]:
    """dbt's run_results shape: timing, execution_time, adapter_response."""
    started = parse_timestamp(outcome.started_at)
    finished = parse_timestamp(outcome.finished_at)
    elapsed = (finished - started).total_seconds() if started and finished else None
    return {
        "timing": [
            {
                "name": "execute",
                "started_at": outcome.started_at,
                "completed_at": outcome.finished_at,
            }
        ],
        "execution_time": elapsed,
        "adapter_response": {"statement_id": outcome.statement_id},
    }


def read_result(result: StatementResult | None) -> tuple[list[str], list[list[JsonValue]]]:
    """A GetStatementResult page as column names and plain values. Field names' case differs
    between the Data API (``longValue``) and Step Functions' SDK integrations (``LongValue``)."""
    if not result:
        return [], []
    columns = [
        str(next(v for k, v in column.items() if k.lower() == "name")).lower()
        for column in result.columns
    ]
    rows = [[field_value(field) for field in record] for record in result.records]
    return columns, rows


def field_value(field: dict[str, JsonValue]) -> JsonValue:
    for key, value in field.items():
        if key.lower() == "isnull":
            if value:
                return None
            continue
        return value
    return None


def relations_from(columns: list[str], rows: list[list[Any]]) -> dict[str, dict[str, Any]]:
    relations: dict[str, dict[str, Any]] = {}
    for row in rows:
        record = dict(zip(columns, row, strict=True))
        relation = f"{record['table_schema']}.{record['table_name']}".lower()
        kind = "view" if "VIEW" in str(record["table_type"]).upper() else "table"
        entry = relations.setdefault(relation, {"kind": kind, "columns": []})
        if record.get("column_name"):
            entry["columns"].append(str(record["column_name"]).lower())
    return relations


def parse_timestamp(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _seconds(threshold: dict[str, Any]) -> int:
    return int(threshold["count"]) * PERIOD_SECONDS[threshold["period"]]
