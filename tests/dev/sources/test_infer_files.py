"""GIVEN a sample of each format WHEN a contract is inferred from it THEN the contract
validates, says what it guessed, and converts the sample with no edit; values that contradict
a guess are shown in the contract and quarantined by the run, at the same lines."""

from __future__ import annotations

import json

import infer_samples
import yaml
from infer_helpers import convert, write


def contract_of(written) -> dict:
    return yaml.safe_load(written.contract.read_text(encoding="utf-8"))


def columns_of(written) -> dict[str, dict]:
    return {column["name"]: column for column in contract_of(written)["schema"]}


def test_csv_sample_gives_names_types_key_and_partition_and_converts_whole(infer, tmp_path):
    sample = write(tmp_path / "orders_2026-11.csv", infer_samples.orders_csv())
    written = infer("shop_orders", "s3_drop", sample, timezone="Europe/Paris")
    body = contract_of(written)
    columns = columns_of(written)
    assert body["format"] == {
        "type": "csv",
        "delimiter": ",",
        "quote": '"',
        "escape": '"',
        "header": True,
        "skip_rows": 0,
        "encoding": "utf-8",
    }
    assert columns["order_id"] == {
        "name": "order_id",
        "type": "int",
        "nullable": False,
        "source_name": "Order ID",
    }
    assert columns["order_date"]["type"] == "timestamp"
    assert columns["amount"]["type"] == "decimal(12,2)"
    assert columns["gift_wrap"]["type"] == "boolean"
    assert columns["customer"]["type"] == "string"
    assert body["primary_key"] == ["order_id"]
    assert body["partitioning"] == {
        "by": "event_date",
        "column": "order_date",
        "granularity": "day",
    }
    assert body["timezone"] == "Europe/Paris"
    assert body["s3_drop"] == {"prefix": "shop_orders/", "include": "*.csv"}
    # Only the two fields a sample cannot know are left for review.
    assert [text for _, text in written.flagged] == [
        "say what the source holds",
        "who to ask (--owner)",
    ]
    result = convert(written, sample, tmp_path / "out")
    assert (result.rows_in, result.rows_out, result.rows_quarantined) == (200, 200, 0)


def test_contradicting_values_are_flagged_with_their_lines_and_quarantined_there(infer, tmp_path):
    bad = {40: '"12,50"', 97: "n/a", 150: "1.005"}
    sample = write(tmp_path / "orders.csv", infer_samples.orders_csv(bad_amounts=bad))
    written = infer("shop_orders", "s3_drop", sample)
    assert columns_of(written)["amount"]["type"] == "decimal(12,2)"
    flagged = [text for _, text in written.flagged if text.startswith("amount")]
    assert flagged == [
        "amount: 2 of 199 values are not decimal(12,2): line 42 '12,50', line 152 '1.005'"
    ]
    assert contract_of(written)["format"]["null_values"] == ["", "n/a"]
    text = written.contract.read_text(encoding="utf-8")
    line, _ = next(item for item in written.flagged if item[1].startswith("amount"))
    assert text.splitlines()[line].strip() == "- name: amount"  # the comment sits above it
    result = convert(written, sample, tmp_path / "out")
    assert (result.rows_in, result.rows_out, result.rows_quarantined) == (200, 198, 2)
    rejects = [json.loads(row) for row in result.rejects_file.read_text().splitlines()]
    assert [reject["line"] for reject in rejects] == [42, 152]
    assert all(reject["reason"].startswith("amount: ") for reject in rejects)


def test_gzip_european_csv_gives_preamble_encoding_day_first_dates_and_flags_decimal_commas(
    infer, tmp_path
):
    sample = write(tmp_path / "clients.csv.gz", infer_samples.european_csv_gz())
    written = infer("legacy_clients", "sftp", sample, owner="finance@example.com")
    body = contract_of(written)
    assert body["format"]["delimiter"] == ";"
    assert body["format"]["skip_rows"] == 2
    assert body["format"]["encoding"] == "cp1252"
    assert body["sftp"]["include"] == ["*.csv.gz"]
    columns = columns_of(written)
    assert columns["n_client"]["source_name"] == "N° client"
    assert columns["cree_le"] == {
        "name": "cree_le",
        "type": "date",
        "format": "%d/%m/%Y",
        "nullable": False,
        "source_name": "Créé le",
    }
    assert columns["solde"]["type"] == "string"
    flagged = " | ".join(text for _, text in written.flagged)
    assert "solde: 120 of 120 values are numbers with a decimal comma (line 4 '0,00')" in flagged
    assert "host_keys" in flagged
    result = convert(written, sample, tmp_path / "out")
    assert (result.rows_in, result.rows_out, result.rows_quarantined) == (120, 120, 0)


def test_ndjson_sample_flattens_nested_objects_and_reads_offsets_as_timestamptz(infer, tmp_path):
    sample = write(tmp_path / "events.ndjson", infer_samples.events_ndjson())
    written = infer("web_events", "s3_drop", sample)
    body = contract_of(written)
    assert body["format"] == {"type": "ndjson", "encoding": "utf-8", "flatten_depth": 1}
    columns = columns_of(written)
    assert columns["user_id"] == {"name": "user_id", "type": "int", "source_name": "user.id"}
    assert columns["occurred_at"]["type"] == "timestamptz"
    assert columns["tags"]["type"] == "json"
    assert columns["value"]["type"] == "decimal(12,2)"
    assert body["primary_key"] == ["event_id"]
    assert body["partitioning"]["column"] == "occurred_at"
    assert "timezone" not in " ".join(text for _, text in written.flagged)
    result = convert(written, sample, tmp_path / "out")
    assert (result.rows_in, result.rows_out, result.rows_quarantined) == (150, 150, 0)


def test_json_document_finds_the_records_under_data_beside_meta(infer, tmp_path):
    sample = write(tmp_path / "catalogue.json", infer_samples.catalogue_json())
    written = infer("catalogue", "manual", sample)
    body = contract_of(written)
    assert body["format"]["records_path"] == "data"
    columns = columns_of(written)
    assert columns["price"]["type"] == "decimal(12,2)"
    assert columns["in_stock"]["type"] == "boolean"
    assert columns["listed_on"]["type"] == "date"
    assert body["primary_key"] == ["sku"]
    result = convert(written, sample, tmp_path / "out")
    assert (result.rows_in, result.rows_out, result.rows_quarantined) == (80, 80, 0)


def test_excel_sample_finds_the_sheet_and_the_header_under_a_title(infer, tmp_path):
    sample = infer_samples.budget_xlsx(tmp_path / "budget_2026.xlsx")
    written = infer("budgets", "manual", sample)
    body = contract_of(written)
    assert body["format"] == {"type": "xlsx", "sheet": "Budget", "header_row": 3}
    columns = columns_of(written)
    assert columns["month"]["type"] == "date"
    assert columns["budget_eur"]["source_name"] == "Budget (EUR)"
    assert columns["headcount"]["type"] == "int"
    assert body["primary_key"] == ["cost_centre", "month"]
    assert body["partitioning"] == {"by": "event_date", "column": "month", "granularity": "month"}
    flagged = " | ".join(text for _, text in written.flagged)
    assert "no column is unique; this pair is" in flagged
    result = convert(written, sample, tmp_path / "out")
    assert (result.rows_in, result.rows_out, result.rows_quarantined) == (60, 60, 0)


def test_parquet_sample_keeps_what_its_values_need(infer, tmp_path):
    import duckdb

    sample = tmp_path / "stock.parquet"
    duckdb.sql(
        f"""COPY (SELECT 'W-' || i AS warehouse_code, i * 3 AS quantity,
                  CAST(i * 1.25 AS DECIMAL(18, 2)) AS unit_cost,
                  TIMESTAMPTZ '2026-11-01 00:00:00+00' + INTERVAL (i) HOUR AS counted_at
              FROM range(50) AS t(i)) TO '{sample}' (FORMAT parquet)"""
    )
    written = infer("stock", "sftp", sample)
    body = contract_of(written)
    assert body["format"] == {"type": "parquet"}
    assert body["sftp"]["include"] == ["*.parquet"]
    assert {name: column["type"] for name, column in columns_of(written).items()} == {
        "warehouse_code": "string",
        "quantity": "int",
        "unit_cost": "decimal(12,2)",
        "counted_at": "timestamptz",
    }
    result = convert(written, sample, tmp_path / "out")
    assert (result.rows_in, result.rows_out, result.rows_quarantined) == (50, 50, 0)
