"""The wave scheduler alone: what is ready, what is skipped, how outcomes are read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from strata.lake.payloads import StatementOutcome, StatementResult
from strata.models import RunOptions, build_manifest
from strata.models.scheduler import WarehouseRun, read_result, relations_from

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


@pytest.fixture
def manifest(ctx):
    return build_manifest(ctx.project, ctx.settings, "run-1")


def finished(item: dict, columns=(), rows=()) -> dict:
    """An outcome as the state machine's item processor returns it (SDK field casing)."""
    result = {
        "columns": [{"Name": name} for name in columns],
        "records": [[_field(value) for value in row] for row in rows],
    }
    return {
        "id": item["id"],
        "kind": item["kind"],
        "status": "FINISHED",
        "statement_id": "s-" + item["id"],
        "result": result if item["fetch"] else None,
        "started_at": "2026-11-24T06:00:00+00:00",
        "finished_at": "2026-11-24T06:00:02.500000+00:00",
    }


def _field(value):
    if value is None:
        return {"IsNull": True}
    return {"LongValue": value} if isinstance(value, int) else {"StringValue": str(value)}


def wave_of(run: WarehouseRun) -> list[dict]:
    """The next wave as the state machine receives it (JSON)."""
    return [item.dump() for item in run.next_wave()]


def record(run: WarehouseRun, outcomes: list[dict]) -> None:
    """Outcomes as the state machine returns them, parsed as the planner's handler does."""
    run.record([StatementOutcome.model_validate(outcome) for outcome in outcomes])


def answer(run: WarehouseRun, wave: list[dict], failing: dict[str, str] | None = None) -> None:
    outcomes = []
    for item in wave:
        if failing and item["id"] in failing:
            outcomes.append(
                {
                    "id": item["id"],
                    "kind": item["kind"],
                    "status": failing[item["id"]],
                    "error": "boom",
                    "started_at": "2026-11-24T06:00:00+00:00",
                    "finished_at": "2026-11-24T06:00:01+00:00",
                }
            )
        elif item["id"].endswith(".relations"):
            outcomes.append(finished(item, ("table_schema",), []))
        elif item["kind"] == "model":
            outcomes.append(finished(item, ("strata_rows",), [(7,)] if item["fetch"] else []))
        elif item["kind"] == "freshness":
            outcomes.append(finished(item, ("max_loaded_at",), [("2026-11-23 06:00:00",)]))
        else:
            outcomes.append(finished(item, ("strata_failures",), []))
    record(run, outcomes)


def run_to_end(run: WarehouseRun, failing: dict[str, str] | None = None) -> list[list[str]]:
    waves = []
    while True:
        wave = wave_of(run)
        if not wave:
            assert run.done
            return waves
        waves.append([item["id"] for item in wave])
        answer(run, wave, failing)


def test_waves_follow_the_dag_and_independent_nodes_share_a_wave(manifest):
    run = WarehouseRun(manifest, clock=lambda: NOW)
    waves = run_to_end(run)
    assert waves[0] == [
        "operation.strata.external_schema",
        "operation.strata.schemas",
        "operation.strata.relations",
    ]
    assert sorted(waves[1]) == [
        "freshness.strata.lake.customers",
        "freshness.strata.lake.marketing_spend",
        "freshness.strata.lake.orders",
        "freshness.strata.lake.shipments",
        "model.strata.stg_customers",
        "model.strata.stg_marketing_spend",
        "model.strata.stg_orders",
        "model.strata.stg_shipments",
    ]
    assert "model.strata.daily_revenue" in waves[3] and "model.strata.fct_orders" in waves[3]
    assert run.status == "success"
    results = run.run_results()
    assert results["status"] == "success"
    fct = next(r for r in results["results"] if r["unique_id"] == "model.strata.fct_orders")
    assert fct["rows_affected"] == 7 and fct["execution_time"] == 2.5


def test_a_failure_skips_descendants_only_and_fails_the_run(manifest):
    run = WarehouseRun(manifest, clock=lambda: NOW)
    run_to_end(run, failing={"model.strata.fct_orders": "FAILED"})
    status = {uid.split(".")[-1]: result["status"] for uid, result in run.results.items()}
    assert status["fct_orders"] == "error"
    assert status["customer_lifetime_value"] == "skipped"
    assert status["orders_by_status"] == "skipped"
    assert status["relationships_fct_orders_customer_id"] == "skipped"
    assert (
        status["daily_revenue"] == "success" and status["not_null_daily_revenue_revenue"] == "pass"
    )
    assert run.results["model.strata.orders_by_status"]["message"] == (
        "upstream model.strata.fct_orders failed"
    )
    assert run.results["model.strata.fct_orders"]["message"] == (
        "warehouse/models/analytics/fct_orders.sql: statement failed: boom"
    )
    assert run.status == "error"


def test_an_aborted_setup_statement_skips_every_model(manifest):
    run = WarehouseRun(manifest, clock=lambda: NOW)
    run_to_end(run, failing={"operation.strata.schemas": "ABORTED"})
    assert "cancelled (ABORTED)" in run.results["operation.strata.schemas"]["message"]
    models = [r for uid, r in run.results.items() if uid.startswith("model.")]
    assert models and all(r["status"] == "skipped" for r in models)
    assert run.results["freshness.strata.lake.orders"]["status"] == "pass"


@pytest.mark.parametrize(
    ("severity", "status", "blocks"), [("error", "fail", True), ("warn", "warn", False)]
)
def test_a_failing_test_reports_count_and_sample_and_blocks_only_at_error_severity(
    manifest, severity, status, blocks
):
    uid = "test.strata.unique_stg_orders_order_id"
    manifest["nodes"][uid]["severity"] = severity
    run = WarehouseRun(manifest, clock=lambda: NOW)
    while not run.done:
        wave = wave_of(run)
        failing = [item for item in wave if item["id"] == uid]
        answer(run, [item for item in wave if item["id"] != uid])
        record(
            run,
            [
                finished(item, ("unique_field", "n_records", "strata_failures"), [(7, 2, 3)])
                for item in failing
            ],
        )
    result = run.results[uid]
    assert result["status"] == status and result["failures"] == 3
    assert result["sample"] == [{"unique_field": 7, "n_records": 2}]
    assert (run.results["model.strata.fct_orders"]["status"] == "skipped") is blocks
    assert run.status == ("error" if blocks else "success")


@pytest.mark.parametrize(
    ("latest", "status"),
    [
        (NOW - timedelta(hours=3), "pass"),
        (NOW - timedelta(days=3), "warn"),
        (NOW - timedelta(days=8), "fail"),
        (None, "warn"),
    ],
)
def test_source_freshness_is_measured_on_ingested_at_against_the_thresholds(
    manifest, latest, status
):
    run = WarehouseRun(manifest, clock=lambda: NOW)
    uid = "freshness.strata.lake.orders"
    value = latest.replace(tzinfo=None).isoformat(sep=" ") if latest else None
    item = {"id": uid, "kind": "freshness", "fetch": True}
    record(run, [finished(item, ("max_loaded_at",), [(value,)])])
    assert run.results[uid]["status"] == status
    assert "_ingested_at" in run._statements(uid)[0][0]


def test_items_carry_what_the_state_machine_needs(manifest):
    run = WarehouseRun(manifest, clock=lambda: NOW)
    first = {item["id"]: item for item in wave_of(run)}
    external = first["operation.strata.external_schema"]
    assert external["single"] is True and external["fetch"] is False
    assert external["poll"] == {"count": 0} and external["max_polls"] == 720
    relations = first["operation.strata.relations"]
    assert relations["fetch"] is True and relations["fetch_suffix"] == ""
    answer(run, list(first.values()))
    again = WarehouseRun(manifest, clock=lambda: NOW)
    assert [i["client_token"] for i in wave_of(again)] == [
        i["client_token"] for i in first.values()
    ]


def test_a_table_batch_fetches_its_row_count_from_the_last_sub_statement(manifest):
    run = WarehouseRun(manifest, clock=lambda: NOW)
    answer(run, wave_of(run))
    answer(run, wave_of(run))  # stg_orders, freshness
    answer(run, wave_of(run))  # stg_orders' tests
    wave = {item["id"]: item for item in wave_of(run)}
    table = wave["model.strata.daily_revenue"]
    assert table["single"] is False and table["fetch_suffix"] == f":{len(table['sqls'])}"


def test_an_incremental_model_merges_when_the_probe_found_its_table(manifest):
    columns = ("table_schema", "table_name", "table_type", "column_name", "ordinal_position")
    relations = relations_from(
        list(columns),
        [
            ["analytics", "fct_orders", "BASE TABLE", "order_id", 1],
            ["analytics", "fct_orders", "BASE TABLE", "updated_at", 2],
            ["stage", "stg_orders", "VIEW", None, None],
        ],
    )
    assert relations == {
        "analytics.fct_orders": {"kind": "table", "columns": ["order_id", "updated_at"]},
        "stage.stg_orders": {"kind": "view", "columns": []},
    }
    run = WarehouseRun(manifest, relations=relations, clock=lambda: NOW)
    sqls, _ = run._statements("model.strata.fct_orders")
    assert sqls[1].startswith("MERGE INTO analytics.fct_orders")
    manifest["metadata"]["full_refresh"] = True
    sqls, _ = WarehouseRun(manifest, relations=relations)._statements("model.strata.fct_orders")
    assert sqls[1].startswith("CREATE TABLE analytics.fct_orders__strata_new")


def test_outcomes_delivered_twice_are_recorded_once_and_oversized_sql_is_an_error(manifest):
    run = WarehouseRun(manifest, clock=lambda: NOW)
    wave = wave_of(run)
    answer(run, wave)
    answer(run, wave, failing={wave[0]["id"]: "FAILED"})
    assert run.results[wave[0]["id"]]["status"] == "success"
    manifest["nodes"]["model.strata.stg_orders"]["compiled_code"] = "select 1 -- " + "x" * 100_000
    big = WarehouseRun(manifest, clock=lambda: NOW)
    answer(big, wave_of(big))
    wave_of(big)
    assert "100 KB" in big.results["model.strata.stg_orders"]["message"]


def test_results_are_read_whatever_the_field_casing(ctx):
    columns, rows = read_result(
        StatementResult.model_validate(
            {
                "columns": [{"name": "a"}, {"Name": "B"}],
                "records": [
                    [{"longValue": 1}, {"isNull": True}],
                    [{"LongValue": 2}, {"StringValue": "x"}],
                ],
            }
        )
    )
    assert columns == ["a", "b"] and rows == [[1, None], [2, "x"]]


def test_the_run_options_select_what_is_planned(ctx):
    manifest = build_manifest(ctx.project, ctx.settings, "r", RunOptions(select=["daily_revenue"]))
    run = WarehouseRun(manifest, clock=lambda: NOW)
    waves = run_to_end(run)
    assert [uid for wave in waves for uid in wave if uid.startswith("model.")] == [
        "model.strata.daily_revenue"
    ]


def test_a_wave_stays_within_the_state_size_budget(manifest, monkeypatch):
    import strata.models.scheduler as scheduler

    monkeypatch.setattr(scheduler, "MAX_WAVE_ITEMS", 2)
    run = WarehouseRun(manifest, clock=lambda: NOW)
    waves = run_to_end(run)
    assert max(len(wave) for wave in waves) == 2
    assert waves[0] == ["operation.strata.external_schema", "operation.strata.schemas"]
    assert run.status == "success" and run.done
