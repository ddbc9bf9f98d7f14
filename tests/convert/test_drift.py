"""Schema drift against the contract and the catalog, under each policy; files quarantined
whole still account for their rows."""

from __future__ import annotations

import json

import pytest
import yaml
from convert_helpers import BASE, accounting, contract, convert_bytes, rows

from strata.catalog.base import CatalogColumn, TableDef
from strata.convert import convert_object

DRIFTED = b"ID,Name,Promo Code\n1,a,SUMMER\n2,b,\n"  # amount missing, promo code new


def test_strict_quarantines_the_file_and_counts_its_rows(tmp_path):
    result = convert_bytes(tmp_path, DRIFTED, contract(schema_change="strict"))
    assert result.file_rejected_reason is not None
    assert "schema_change: strict" in result.file_rejected_reason
    assert result.drift == ["missing column 'amount'", "unexpected column 'Promo Code'"]
    assert accounting(result) == (2, 0, 2)


def test_evolve_keeps_new_columns_as_strings_and_reads_missing_ones_as_empty(tmp_path):
    result = convert_bytes(tmp_path, DRIFTED, contract(schema_change="evolve"))
    assert accounting(result) == (2, 2, 0)
    assert result.new_columns == ["promo_code"] and result.extra_columns == ["promo_code"]
    assert rows(result, "id, amount, promo_code") == [(1, None, "SUMMER"), (2, None, None)]
    assert result.drift == ["missing column 'amount'", "unexpected column 'Promo Code'"]


def test_evolve_writes_columns_evolved_earlier_even_when_a_file_lacks_them(tmp_path):
    known = TableDef(
        "things",
        (CatalogColumn("id", "bigint"), CatalogColumn("channel", "string")),
        (),
        "",
    )
    data = b"id,name,amount\n1,a,1\n"
    result = convert_bytes(tmp_path, data, contract(schema_change="evolve"), known_table=known)
    assert result.extra_columns == ["channel"] and result.new_columns == []
    assert rows(result, "id, channel") == [(1, None)]


def test_ignore_drops_new_columns(tmp_path):
    result = convert_bytes(tmp_path, DRIFTED, contract(schema_change="ignore"))
    assert accounting(result) == (2, 2, 0)
    assert "promo_code" not in [column for column, *_ in _columns(result)]
    assert result.drift == ["missing column 'amount'", "unexpected column 'Promo Code'"]


def _columns(result) -> list[tuple]:
    import duckdb

    return duckdb.sql(f"DESCRIBE SELECT * FROM '{result.files[0]}'").fetchall()


def test_a_contract_type_change_against_the_catalog_is_reported_not_quarantined(tmp_path):
    known = TableDef("things", (CatalogColumn("amount", "double"),), (), "")
    data = b"id,name,amount\n1,a,1\n"
    result = convert_bytes(tmp_path, data, contract(), known_table=known)
    assert result.file_rejected_reason is None
    assert result.drift == [
        "retyped column 'amount': the catalog has double, the contract decimal(8,2) "
        "(the catalog follows the contract; replay older files)"
    ]


def test_duplicate_header_feeding_a_column_quarantines_the_file(tmp_path):
    result = convert_bytes(tmp_path, b"id,name,Name,amount\n1,a,b,1\n", contract())
    assert result.file_rejected_reason == (
        "duplicate columns 'name', 'Name' in the file, for 'name'"
    )
    # Not converted (which column to trust is unknown), but its records count: all quarantined.
    assert accounting(result) == (1, 0, 1)


def test_a_trailing_delimiter_names_no_column(tmp_path):
    result = convert_bytes(tmp_path, b"id,name,amount,\n1,a,1,\n2,b,2,\n", contract())
    assert accounting(result) == (2, 2, 0) and result.drift == []


# --- through the service: catalog evolution, quarantine objects ------------------------------


@pytest.fixture
def things(project_dir):
    def write(**changes):
        body = {**BASE, **changes, "s3_drop": {"prefix": "things/"}}
        (project_dir / "sources" / "things.yaml").write_text(yaml.safe_dump(body))

    return write


def land(ctx, name: str, data: bytes) -> str:
    key = f"things/ingest_date=2026-11-24/run_id=20261124T060000Z-00000001/{name}"
    ctx.ports.raw.put_bytes(key, data, {"strata-received-at": "2026-11-24T06:00:00+00:00"})
    return key


def test_evolve_adds_the_new_column_to_the_catalog_table(things, ctx):
    things(schema_change="evolve")
    key = land(ctx, "a.csv", DRIFTED)
    result = convert_object(ctx, "run-1", "things", key)
    assert (result.status, result.new_columns) == ("converted", ["promo_code"])
    table = ctx.ports.catalog.get_table("things")
    assert table is not None and table.columns[-1].name == "promo_code"
    assert table.columns[-1].type == "string"

    later = land(ctx, "b.csv", b"id,name,amount\n3,c,3\n")  # no promo code this time
    result = convert_object(ctx, "run-2", "things", later)
    assert result.status == "converted" and result.new_columns == []
    table = ctx.ports.catalog.get_table("things")
    assert table is not None and [c.name for c in table.columns].count("promo_code") == 1


def test_a_strict_drift_quarantines_the_file_with_a_reason_document(things, ctx):
    things(schema_change="strict")
    key = land(ctx, "a.csv", DRIFTED)
    result = convert_object(ctx, "run-1", "things", key)
    assert (result.status, result.rows_in, result.rows_quarantined) == ("quarantined", 2, 2)
    reason_key = next(k for k in result.quarantine if k.endswith("reason.json"))
    reason = json.loads(ctx.ports.quarantine.get_bytes(reason_key))
    assert reason["drift"] == ["missing column 'amount'", "unexpected column 'Promo Code'"]
    assert reason["members"][0]["rows_in"] == 2
    assert ctx.ports.catalog.get_table("things") is None


def test_rejected_rows_reach_quarantine_with_file_row_column_reason_and_raw(things, ctx):
    things()
    key = land(ctx, "a.csv", b"id,name,amount\n1,a,1\n2,b,lots\n")
    result = convert_object(ctx, "run-1", "things", key)
    assert (result.rows_in, result.rows_out, result.rows_quarantined) == (2, 1, 1)
    [rows_key] = result.quarantine
    [entry] = [json.loads(line) for line in ctx.ports.quarantine.get_bytes(rows_key).splitlines()]
    assert entry == {
        "source_file": key,
        "row": 2,
        "line": 3,
        "column": "amount",
        "reason": "amount: cannot read lots as decimal(8,2)",
        "raw": '{"id":"2","name":"b","amount":"lots"}',
    }
