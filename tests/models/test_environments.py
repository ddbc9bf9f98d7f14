"""Changing a model safely: build it in test against prod's data, diff it, promote it."""

from __future__ import annotations

import json

import pytest

from strata_dev.cli.main import main
from tests.models.test_cli import lake_with_orders

OLD_REVENUE = "case when status in ('cancelled', 'returned') then 0 else amount end"
NEW_REVENUE = "case when status = 'cancelled' then 0 else amount end"


def cli(project_dir, *args: str) -> int:
    return main(["--project-dir", str(project_dir), "models", *args])


def warehouse(project_dir):
    import duckdb

    return duckdb.connect(str(project_dir / "lake" / "warehouse.duckdb"))


def orders_lake(project_dir) -> None:
    """Four orders: one of them returned, whose revenue the change below counts."""
    lake_with_orders(project_dir)
    with warehouse(project_dir) as connection:
        connection.execute(
            "INSERT INTO cleansed.orders SELECT order_id + n, customer_id, ordered_at, "
            "CASE n WHEN 1 THEN 'returned' ELSE status END, channel, amount + n, currency, "
            "_source_file, _ingested_at, _row_number FROM cleansed.orders, range(1, 4) AS r(n)"
        )
        connection.execute(
            "CREATE TABLE cleansed.customers AS SELECT 'C1' AS customer_id, 'Ada' AS name, "
            "'Paris' AS city, 'FR' AS country, DATE '2026-01-01' AS signup_date, "
            "'ada@example.com' AS email, '' AS _source_file, now()::TIMESTAMP AS _ingested_at, "
            "1 AS _row_number"
        )


def table_digest(project_dir, relation: str) -> list[tuple]:
    with warehouse(project_dir) as connection:
        return connection.execute(f"SELECT * FROM {relation} ORDER BY ALL").fetchall()


def built_models(capsys) -> list[str]:
    out = capsys.readouterr().out
    return sorted(
        line.split("model     ")[1].split(":")[0] for line in out.splitlines() if "model  " in line
    )


def change_fct_orders(project_dir, old: str = OLD_REVENUE, new: str = NEW_REVENUE) -> None:
    path = project_dir / "warehouse" / "models" / "analytics" / "fct_orders.sql"
    path.write_text(path.read_text().replace(old, new))


def test_a_change_is_built_in_test_against_prod_diffed_and_promoted(project_dir, capsys):
    orders_lake(project_dir)
    assert cli(project_dir, "build", "--target", "prod") == 0
    capsys.readouterr()
    prod_before = table_digest(project_dir, "analytics.fct_orders")
    untouched = table_digest(project_dir, "analytics.customer_lifetime_value")

    change_fct_orders(project_dir)
    assert cli(project_dir, "ls", "-s", "state:modified", "--state", "prod") == 0
    listed = capsys.readouterr().out
    assert "fct_orders" in listed and "stg_orders" not in listed

    # Only the changed model (and its children) is built in test, reading prod's stage.
    assert (
        cli(
            project_dir,
            *("build", "--target", "test", "--select", "state:modified+"),
            *("--defer", "--state", "prod"),
        )
        == 0
    )
    built = built_models(capsys)
    assert "fct_orders" in built and "stg_orders" not in built
    with warehouse(project_dir) as connection:
        tables = {
            f"{schema}.{name}"
            for schema, name in connection.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
            ).fetchall()
        }
    assert "test_analytics.fct_orders" in tables and "test_stage.stg_orders" not in tables
    runs = sorted((project_dir / "lake" / "artifacts" / "runs").glob("*/warehouse"))
    manifest = json.loads((runs[-1] / "manifest.json").read_text())
    fct = manifest["nodes"]["model.strata.fct_orders"]
    assert "from stage.stg_orders" in fct["compiled_code"]
    assert manifest["metadata"]["deferred"]["stg_orders"] == "stage.stg_orders"

    # The diff matches rows on the tested key and shows the one returned order's revenue.
    diff = ("diff", "--target", "test", "--against", "prod", "--format", "json")
    assert cli(project_dir, *diff) == 0
    report = json.loads(capsys.readouterr().out)
    fct_diff = next(m for m in report["models"] if m["model"] == "fct_orders")
    assert fct_diff["key"] == ["order_id"]
    assert (fct_diff["rows_before"], fct_diff["rows_after"]) == (4, 4)
    assert (fct_diff["added"], fct_diff["removed"], fct_diff["changed"]) == (0, 0, 1)
    sample = fct_diff["sample"][0]
    assert sample["order_id"] == 100002 and sample["change"] == "changed"
    assert set(sample["columns"]) == {"revenue"}
    assert table_digest(project_dir, "analytics.fct_orders") == prod_before  # diff only reads

    assert cli(project_dir, "diff", "--format", "markdown") == 0
    row = "| `fct_orders` | 4 | 4 | 0 | 0 | 1 | `order_id` | `revenue` changed in 1 |"
    assert row in capsys.readouterr().out

    # Promotion builds in prod what changed, and nothing else.
    assert cli(project_dir, "promote") == 0
    promoted = built_models(capsys)
    assert "fct_orders" in promoted and "stg_orders" not in promoted
    revenue = dict(
        (order_id, float(value))
        for order_id, value in warehouse(project_dir)
        .execute("SELECT order_id, revenue FROM analytics.fct_orders")
        .fetchall()
    )
    assert revenue[100002] == 13.5  # the returned order now counts
    if "customer_lifetime_value" not in promoted:
        assert table_digest(project_dir, "analytics.customer_lifetime_value") == untouched
    assert cli(project_dir, "promote") == 0
    assert "prod is up to date" in capsys.readouterr().out


def test_promote_refuses_a_failed_or_stale_test_build(project_dir, capsys):
    orders_lake(project_dir)
    assert cli(project_dir, "build", "--target", "prod") == 0
    change_fct_orders(project_dir)
    assert cli(project_dir, "promote") == 1
    assert "no build of environment 'test' is recorded" in capsys.readouterr().err

    failing = project_dir / "warehouse" / "tests" / "no_returned_revenue.sql"
    failing.write_text(
        "select * from {{ ref('fct_orders') }} where status = 'returned' and revenue > 0"
    )
    command = ("build", "-t", "test", "-s", "state:modified+", "--defer", "--state", "prod")
    assert cli(project_dir, *command) == 1
    capsys.readouterr()
    assert cli(project_dir, "promote") == 1
    assert "the last test build" in capsys.readouterr().err

    failing.unlink()
    assert cli(project_dir, *command) == 0
    change_fct_orders(project_dir, NEW_REVENUE, "amount")
    capsys.readouterr()
    assert cli(project_dir, "promote") == 1
    assert "warehouse/ changed since the last test build" in capsys.readouterr().err


def test_state_and_defer_without_a_recorded_environment_are_clear_errors(project_dir, capsys):
    assert cli(project_dir, "ls", "-s", "state:modified") == 1
    assert "needs the environment to compare with: add --state prod" in capsys.readouterr().err
    assert cli(project_dir, "build", "-s", "fct_orders", "--defer") == 1
    assert "--defer needs --state <environment>" in capsys.readouterr().err
    assert cli(project_dir, "ls", "-s", "fct_orders", "--state", "prod", "--defer") == 1
    err = capsys.readouterr().err
    assert "no build of environment 'prod' is recorded" in err
    assert "strata models build --target prod" in err


@pytest.mark.parametrize("target", ["test", "dev_alice"])
def test_other_targets_build_their_own_schemas_in_the_local_file(project_dir, target, capsys):
    profiles = project_dir / "warehouse" / "profiles.yml"
    profiles.write_text(
        profiles.read_text().replace(
            "    prod:\n",
            "    dev_alice:\n      type: duckdb\n      path: ../lake/warehouse.duckdb\n"
            "      schema: public\n    prod:\n",
        )
    )
    assert cli(project_dir, "compile", "-s", "fct_orders", "-t", target) == 0
    out = capsys.readouterr().out
    assert f"-- {target}_analytics.fct_orders" in out and f"from {target}_stage.stg_orders" in out
    assert cli(project_dir, "compile", "-s", "fct_orders", "-t", "prod") == 0
    assert "from stage.stg_orders" in capsys.readouterr().out
