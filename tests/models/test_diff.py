"""`strata.models.diff` on small tables in a real local warehouse."""

from __future__ import annotations

import pytest

from strata.errors import ModelError
from strata.models import diff
from strata.models.state import EnvironmentState
from strata.runtime import build_context
from strata.settings import Settings

PROD = "CREATE TABLE analytics.m AS SELECT * FROM (VALUES {}) AS t({})"
TEST = "CREATE TABLE test_analytics.m AS SELECT * FROM (VALUES {}) AS t({})"


def lake(project_dir, tmp_path, prod: tuple[str, str], test: tuple[str, str]):
    import duckdb

    (tmp_path / "lake").mkdir()
    with duckdb.connect(str(tmp_path / "lake" / "warehouse.duckdb")) as connection:
        connection.execute("CREATE SCHEMA analytics")
        connection.execute("CREATE SCHEMA test_analytics")
        connection.execute(PROD.format(*prod))
        connection.execute(TEST.format(*test))
    return build_context(Settings(project_dir=project_dir, lake_dir=tmp_path / "lake"))


def states(key: list[str], prod_key: list[str] | None = None):
    entry = {"status": "success", "checksum": "c", "path": "models/analytics/m.sql"}
    test = EnvironmentState("test", {"m": {**entry, "relation": "test_analytics.m", "key": key}})
    prod_entry = {**entry, "checksum": "p", "relation": "analytics.m"}
    prod = EnvironmentState(
        "prod", {"m": {**prod_entry, "key": key if prod_key is None else prod_key}}
    )
    return test, prod


def test_rows_are_matched_on_the_key_and_columns_compared(project_dir, tmp_path):
    ctx = lake(
        project_dir,
        tmp_path,
        ("(1, 'a', 10), (2, 'b', 20), (3, 'c', NULL)", "id, name, amount"),
        ("(1, 'a', 10), (2, 'B', 20), (3, 'c', 30), (4, 'd', 40)", "id, name, amount"),
    )
    test, prod = states(["id"])
    assert diff.changed_models(test, prod) == (["m"], {})
    (result,) = diff.diff_environments(ctx.ports.warehouse, test, prod, ["m"])
    assert (result.rows_before, result.rows_after) == (3, 4)
    assert (result.added, result.removed, result.changed) == (1, 0, 2)
    assert result.changed_columns == {"name": 1, "amount": 1}  # NULL → 30 counts as a change
    assert result.sample[0] == {
        "id": 2,
        "change": "changed",
        "columns": {"name": {"before": "b", "after": "B"}},
    }
    assert [row["change"] for row in result.sample] == ["changed", "changed", "added"]
    markdown = diff.markdown(diff.DiffReport("test", "prod", [result], {}))
    assert "| `m` | 3 | 4 | 1 | 0 | 2 | `id` |" in markdown


def test_columns_added_removed_and_retyped_and_rows_without_a_key(project_dir, tmp_path):
    ctx = lake(
        project_dir,
        tmp_path,
        ("(1, 'x', 1), (1, 'x', 1), (2, 'y', 2)", "id, old, n"),
        ("(1, 1.5, 'x'), (1, 1.5, 'x'), (3, 1.5, 'z')", "id, n, new"),
    )
    test, prod = states([])
    (result,) = diff.diff_environments(ctx.ports.warehouse, test, prod, ["m"])
    changes = {(c.column, c.change) for c in result.columns}
    assert changes == {("new", "added"), ("old", "removed"), ("n", "retyped")}
    # Whole rows over the shared columns (id, n): n was retyped, so every row differs.
    assert (result.rows_before, result.rows_after, result.added, result.removed) == (3, 3, 3, 3)
    assert result.key == [] and result.changed == 0


def test_a_diff_between_models_with_different_keys_names_the_declaration(project_dir, tmp_path):
    ctx = lake(project_dir, tmp_path, ("(1, 2)", "id, code"), ("(1, 2)", "id, code"))
    test, prod = states(["id"], prod_key=["code"])
    places = {"m": ("warehouse/models/analytics/schema.yml", 7)}
    with pytest.raises(ModelError, match=r"schema.yml:7: cannot diff m: its key is id here but"):
        diff.diff_environments(ctx.ports.warehouse, test, prod, ["m"], places)
    test, prod = states(["ghost"])
    missing = r"key column 'ghost' is not a column of test_analytics\.m"
    with pytest.raises(ModelError, match=missing):
        diff.diff_environments(ctx.ports.warehouse, test, prod, ["m"])


def test_a_model_new_to_prod_is_all_added(project_dir, tmp_path):
    ctx = lake(project_dir, tmp_path, ("(1)", "id"), ("(1), (2)", "id"))
    test, prod = states(["id"])
    prod.models["m"]["relation"] = "analytics.not_built_yet"
    (result,) = diff.diff_environments(ctx.ports.warehouse, test, prod, ["m"])
    assert result.rows_before is None and result.added == 2


def test_a_diff_only_ever_reads():
    assert diff.read_only("  with x as (select 1) select * from x")
    for statement in ("DROP TABLE analytics.m", "insert into t values (1)", ""):
        with pytest.raises(ModelError, match="a diff only reads"):
            diff.read_only(statement)


def test_key_places_point_at_the_key_declaration():
    files = {
        "models/analytics/schema.yml": "models:\n  - name: other\n    columns:\n"
        "      - name: id\n  - name: m\n    columns:\n      - name: id\n",
        "models/analytics/m.sql": "select 1 as id",
    }
    places = diff.key_places(files, {"m": ["id"]})
    assert places["m"] == ("warehouse/models/analytics/schema.yml", 7)


def test_the_models_compared_are_the_changed_ones_and_the_last_build_s():
    def entry(checksum: str, status: str = "success") -> dict:
        return {"checksum": checksum, "status": status, "relation": "s.m"}

    mine = EnvironmentState(
        "test",
        {
            "same": entry("1"),
            "changed": entry("2"),
            "child": entry("3"),
            "broken": entry("4", "error"),
        },
        last_build={"models": ["changed", "child", "broken"]},
    )
    theirs = EnvironmentState(
        "prod", {"same": entry("1"), "changed": entry("0"), "child": entry("3")}
    )
    compared, skipped = diff.changed_models(mine, theirs)
    assert compared == ["changed", "child"] and skipped == {"broken": "not built in test"}
    compared, skipped = diff.changed_models(mine, theirs, ["same", "ghost"])
    assert compared == ["same"] and skipped == {"ghost": "not built in test"}
