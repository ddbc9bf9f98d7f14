"""The staging pass keeps the file's row order: a row's position there is its record number."""

from __future__ import annotations

from pathlib import Path

import duckdb
from convert_helpers import contract

from strata.convert import readers
from strata.convert.drift import map_columns
from strata.convert.inputs import prepare
from strata.convert.stage import stage_sql

RULES = [
    {"rule": "accepted_values", "column": "name", "values": ["a", "b", "c", "d", "e", "f"]},
    {"rule": "range", "column": "amount", "min": 0},
    {"rule": "regex", "column": "name", "pattern": "^[a-z]$"},
]


def test_the_staging_plan_has_no_join_that_could_reorder_rows(tmp_path):
    # DuckDB plans IN (...) and list_contains as hash joins, which do not keep row order.
    raw = tmp_path / "f.csv"
    raw.write_text("id,name,amount\n1,a,1\n")
    source = contract(quality=RULES, primary_key=["id"])
    con = duckdb.connect()
    [member] = prepare(source, raw, tmp_path / "work")
    text = readers.read(con, source, member, tmp_path / "work" / "m", 0)
    statement = stage_sql(source, text, map_columns(source, text), "f", "2026-11-24", Path("x"))
    query = statement[len("COPY (") : statement.rindex(") TO ")]
    plan = "\n".join(row[1] for row in con.execute(f"EXPLAIN {query}").fetchall())
    assert "Join" not in plan and "JOIN" not in plan
