"""Names made snake_case and safe in SQL; types, formats and the guesses a sample cannot
decide, each on a small CSV."""

from __future__ import annotations

import pytest
import yaml
from infer_helpers import write

from strata_dev.sources.names import column_names, snake_case
from strata_dev.sources.staging import sql_name


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("Order ID", "order_id"),
        ("OrderDate", "order_date"),
        ("HTTPStatus", "http_status"),
        ("customer.address.city", "customer_address_city"),
        ("Montant (€)", "montant"),
        ("Créé le", "cree_le"),
        ("2nd line", "c_2nd_line"),
        ("___", "column"),
    ],
)
def test_snake_case(field, name):
    assert snake_case(field) == name


def test_clashing_names_get_a_number_and_partition_names_are_left_free():
    assert column_names(["Id", "ID", "event date"], frozenset({"event_date"})) == [
        "id",
        "id_2",
        "event_date_2",
    ]


def test_keywords_are_quoted_in_the_staging_sql():
    assert [sql_name(n) for n in ("order", "user", "from", "amount")] == [
        '"order"',
        '"user"',
        '"from"',
        "amount",
    ]


def schema_of(written) -> dict[str, dict]:
    body = yaml.safe_load(written.contract.read_text(encoding="utf-8"))
    return {column["name"]: column for column in body["schema"]}


def test_formats_leading_zeros_and_an_undecidable_day_order(infer, tmp_path):
    lines = ["code;when;day;qty"]
    for i in range(30):
        lines.append(
            f"0{i:03d};{1 + i % 28:02d}/11/2026 08:{i:02d};0{1 + i % 9}/0{1 + i % 9}/2026;{i}"
        )
    sample = write(tmp_path / "moves.csv", ("\n".join(lines) + "\n").encode())
    written = infer("moves", "s3_drop", sample)
    schema = schema_of(written)
    assert schema["code"]["type"] == "string"  # leading zeros would be lost as a number
    assert (schema["when"]["type"], schema["when"]["format"]) == ("timestamp", "%d/%m/%Y %H:%M")
    assert (schema["day"]["type"], schema["day"]["format"]) == ("date", "%d/%m/%Y")
    flagged = [text for _, text in written.flagged]
    assert any(text.startswith("day: day-first (%d/%m/%Y) assumed") for text in flagged)
    assert not any(text.startswith("when: day-first") for text in flagged)  # days > 12 decide


def test_a_csv_without_header_names_columns_by_position_for_review(infer, tmp_path):
    rows = "".join(f"{i},item {i},{i * 2}.5\n" for i in range(1, 40))
    written = infer("headless", "s3_drop", write(tmp_path / "h.csv", rows.encode()))
    assert list(schema_of(written)) == ["column_1", "column_2", "column_3"]
    assert any("no header found" in text for _, text in written.flagged)


def test_ragged_lines_the_sniffer_skips_are_flagged(infer, tmp_path):
    rows = "id,amount\n" + "".join(f"{i},{i}.50\n" for i in range(30)) + "31,12,50\n"
    written = infer("ragged", "s3_drop", write(tmp_path / "r.csv", rows.encode()))
    flagged = [text for _, text in written.flagged]
    assert any(text.startswith("the lines keep one shape only from line 32") for text in flagged)


def test_a_column_mostly_of_one_type_falls_to_string_with_the_values_that_stop_it(infer, tmp_path):
    rows = "".join(
        f"{i},{'tbc' if i % 10 == 0 else f'2026-11-{1 + i % 28:02d}'}\n" for i in range(1, 41)
    )
    sample = write(tmp_path / "d.csv", ("id,due\n" + rows).encode())
    written = infer("dues", "s3_drop", sample)
    assert schema_of(written)["due"]["type"] == "string"
    assert "due: 4 of 40 values are not date, so it is typed string: line 11 'tbc', " in " ".join(
        text for _, text in written.flagged
    )
