"""`strata models build|test|compile|ls` on the local warehouse."""

from __future__ import annotations

import json

from strata_dev.cli.main import main


def cli(project_dir, *args: str) -> int:
    return main(["--project-dir", str(project_dir), "models", *args])


def lake_with_orders(project_dir) -> None:
    import duckdb

    path = project_dir / "lake" / "warehouse.duckdb"
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE SCHEMA cleansed")
        connection.execute(
            "CREATE TABLE cleansed.orders AS SELECT 100001 AS order_id, 'C1' AS customer_id, "
            "TIMESTAMP '2026-11-01 08:00:00' AS ordered_at, 'placed' AS status, "
            "'email' AS channel, 12.5::DECIMAL(12,2) AS amount, 'EUR' AS currency, "
            "'f.csv' AS _source_file, now()::TIMESTAMP AS _ingested_at, 1 AS _row_number"
        )
        lineage = "'' AS _source_file, now()::TIMESTAMP AS _ingested_at, 1 AS _row_number"
        connection.execute(  # the other sources the orders' descendants read: present, empty
            "CREATE TABLE cleansed.shipments AS SELECT '' AS shipment_id, 0 AS order_id, "
            "'' AS carrier, now()::TIMESTAMP AS shipped_at, current_date AS promised_date, "
            f"now()::TIMESTAMP AS delivered_at, '' AS status, {lineage} LIMIT 0"
        )
        connection.execute(
            "CREATE TABLE cleansed.marketing_spend AS SELECT current_date AS spend_date, "
            "'' AS channel, '' AS campaign, 0::DECIMAL(12,2) AS spend, '' AS currency, "
            f"{lineage} LIMIT 0"
        )


def test_ls_and_compile_show_the_selected_models(project_dir, capsys):
    assert cli(project_dir, "ls", "--select", "+fct_orders") == 0
    listed = capsys.readouterr().out
    assert "stg_orders" in listed and "fct_orders" in listed and "daily_revenue" not in listed
    assert cli(project_dir, "compile", "-s", "fct_orders", "--vars", "{x: 1}") == 0
    compiled = capsys.readouterr().out
    assert "-- analytics.fct_orders (incremental)" in compiled
    assert "(select max(updated_at) from analytics.fct_orders)" in compiled


def test_build_then_test_write_artifacts_and_exit_by_outcome(project_dir, capsys):
    lake_with_orders(project_dir)
    # the relationships test of stg_shipments reads stg_orders too, so it is selected: build both
    assert (
        cli(project_dir, "build", "--select", "stg_orders+ stg_shipments stg_marketing_spend") == 0
    )
    out = capsys.readouterr().out
    assert "OK    model     fct_orders: table built: 1 rows" in out
    runs = sorted((project_dir / "lake" / "artifacts" / "runs").glob("*/warehouse"))
    results = json.loads((runs[0] / "run_results.json").read_text())
    assert results["status"] == "success" and (runs[0] / "manifest.json").exists()

    assert cli(project_dir, "build", "-s", "fct_orders", "--full-refresh") == 0
    assert "table rebuilt (full refresh): 1 rows" in capsys.readouterr().out

    bad = project_dir / "warehouse" / "tests" / "no_orders_at_all.sql"
    bad.write_text("select * from {{ ref('fct_orders') }}")
    assert cli(project_dir, "test", "-s", "fct_orders") == 1
    out = capsys.readouterr().out
    assert "FAIL  test      no_orders_at_all: 1 failing rows" in out
    assert '"order_id": 100001' in out

    # The sample's unit test of stg_orders runs with its data tests, and fails the command
    # with a diff once its expectation is wrong.
    bad.unlink()
    assert cli(project_dir, "test", "-s", "stg_orders") == 0
    out = capsys.readouterr().out
    assert "PASS  unit test stg_orders_keeps_the_latest_version_of_each_order: 3 row(s)" in out
    schema = project_dir / "warehouse" / "models" / "stage" / "schema.yml"
    text = schema.read_text()
    expected = "{order_id: 3, status: placed, updated_at"
    schema.write_text(text.replace(expected, expected.replace("placed", "lost")))
    assert cli(project_dir, "test", "-s", "stg_orders") == 1
    out = capsys.readouterr().out
    assert "FAIL  unit test stg_orders_keeps_the_latest_version_of_each_order: " in out
    assert "order_id=3: status expected 'lost', got 'placed'" in out


def test_usage_errors_name_the_problem(project_dir, capsys):
    assert cli(project_dir, "ls", "--select", "ghost") == 1
    assert "selector 'ghost' matches no model or test" in capsys.readouterr().err


def test_a_build_that_fails_before_it_starts_leaves_the_warehouse_lock_free(project_dir, capsys):
    from strata.lake import state_keys
    from strata.runtime import build_context
    from strata.settings import Settings

    lake_with_orders(project_dir)
    assert cli(project_dir, "build", "--select", "nosuch") == 1
    assert "selector 'nosuch' matches no model" in capsys.readouterr().err
    settings = Settings(project_dir=project_dir, lake_dir=project_dir / "lake")
    assert build_context(settings).ports.state.get(*state_keys.WAREHOUSE_LOCK) is None
    cli(project_dir, "build", "--select", "stg_orders")  # built, not deferred behind a lock
    out = capsys.readouterr().out
    assert "deferred" not in out and "stg_orders: view created" in out
