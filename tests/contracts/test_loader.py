"""Loading contracts: every kind of mistake names the file, the 1-based line, the dotted
field and what is allowed there."""

from __future__ import annotations

from pathlib import Path

import pytest

from strata.contracts.loader import load_contract, load_contracts, parse_contract
from strata.contracts.model import SourceContract
from strata.errors import ContractError

REPO = Path(__file__).resolve().parents[2]
FILE = "sources/orders.yaml"

VALID = """\
name: orders
description: Orders exported by the shop.
owner: data-team@example.com
kind: s3_drop
format:
  type: csv
  delimiter: ";"
schema:
  - name: order_id
    type: bigint
    nullable: false
  - name: ordered_at
    type: timestamp
    format: "%Y-%m-%d %H:%M:%S"
  - name: amount
    type: decimal(12,2)
  - name: status
    type: string
primary_key: [order_id]
partitioning:
  by: event_date
  column: ordered_at
timezone: Europe/Paris
quality:
  - rule: accepted_values
    column: status
    values: [new, paid, shipped]
  - rule: regex
    column: status
    pattern: "^[a-z]+$"
s3_drop:
  prefix: orders/
"""


def edited(old: str, new: str, text: str = VALID) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once in the contract"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """The 1-based line holding `needle`, which must occur on exactly one line."""
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


def error_for(text: str, file: str = FILE) -> ContractError:
    with pytest.raises(ContractError) as caught:
        parse_contract(text, file)
    return caught.value


def test_a_valid_contract_parses():
    contract = parse_contract(VALID, FILE)

    assert isinstance(contract, SourceContract)
    assert contract.name == "orders"
    assert contract.partition_key == "event_date"


def test_an_unknown_top_level_field_names_its_line_and_the_allowed_fields():
    text = edited("owner:", "colour: red\nowner:")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'colour')}"
    assert error.field == "colour"
    assert "unknown field" in str(error)
    assert "allowed here: name, description, owner, kind, schedule, format, schema," in str(error)


def test_an_unknown_field_inside_format_lists_the_fields_of_that_format():
    text = edited('  delimiter: ";"', '  delimiter: ";"\n  sep: ","')

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'sep:')}"
    assert error.field == "format.sep"
    assert "allowed here: type, delimiter, quote, escape, header, skip_rows" in str(error)


def test_an_unknown_field_inside_a_json_format_lists_the_json_fields_not_the_csv_ones():
    text = edited("  type: csv", "  type: json")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'delimiter')}"
    assert error.field == "format.delimiter"
    assert str(error).endswith(
        "allowed here: type, records_path, flatten_depth, encoding, compression, members"
    )


def test_an_unknown_field_in_a_column_names_the_column_index():
    text = edited("    nullable: false", "    nullable: false\n    unit: eur")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'unit: eur')}"
    assert error.field == "schema.0.unit"
    assert "allowed here: name, type, nullable, description, source_name, format" in str(error)


def test_a_bad_kind_lists_the_allowed_kinds():
    text = edited("kind: s3_drop", "kind: ftp")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'kind: ftp')}"
    assert error.field == "kind"
    assert "'api', 'sftp', 's3_drop' or 'manual'" in str(error)
    assert "(got 'ftp')" in str(error)


def test_a_bad_literal_inside_format_drops_the_union_tag_from_the_field():
    text = edited('  delimiter: ";"', "  encoding: ascii")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'encoding')}"
    assert error.field == "format.encoding"
    assert "'utf-8', 'utf-8-sig', 'latin-1', 'cp1252' or 'utf-16'" in str(error)


def test_an_unknown_format_type_lists_the_formats():
    text = edited("  type: csv", "  type: avro")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'type: avro')}"
    assert error.field == "format.type"
    allowed = "allowed: csv, json, ndjson, xlsx, parquet, fixed_width, xml"
    assert f"'avro' is not allowed; {allowed}" in str(error)


def test_a_format_without_type_lists_the_formats():
    text = edited("  type: csv\n", "")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'delimiter') - 1}"
    assert error.field == "format.type"
    assert "missing; allowed: csv, json, ndjson, xlsx, parquet, fixed_width, xml" in str(error)


def test_a_bad_column_type_lists_the_types():
    text = edited("type: bigint", "type: integer")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'type: integer')}"
    assert error.field == "schema.0.type"
    assert "'integer' is not allowed: string, int, bigint, decimal(p,s)" in str(error)


def test_a_column_name_that_is_not_snake_case_says_what_is_allowed():
    text = edited("name: amount", "name: Amount")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'name: Amount')}"
    assert error.field == "schema.2.name"
    assert "'Amount' is not allowed: snake_case" in str(error)


def test_a_duplicate_column_points_at_its_second_occurrence():
    text = edited("  - name: status", "  - name: amount").replace(
        "column: status", "column: amount"
    )
    text = edited("values: [new, paid, shipped]", "values: [1, 2]", text)

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'type: string') - 1}"
    assert error.field == "schema.3.name"
    assert "duplicate column names: amount" in str(error)


def test_a_primary_key_naming_an_unknown_column_points_at_that_key():
    text = edited("primary_key: [order_id]", "primary_key:\n  - order_id\n  - line_no")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, '- line_no')}"
    assert error.field == "primary_key.1"
    assert "primary_key names unknown columns: line_no" in str(error)


def test_a_quality_rule_naming_an_unknown_column_points_at_its_column():
    text = edited("    column: status\n    pattern", "    column: state\n    pattern")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'column: state')}"
    assert error.field == "quality.1.column"
    assert "unknown columns: state" in str(error)


def test_event_date_partitioning_on_a_non_date_column_points_at_partitioning_column():
    text = edited("  column: ordered_at", "  column: amount")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, '  column: amount')}"
    assert error.field == "partitioning.column"
    assert "must be a date or timestamp column" in str(error)


def test_a_column_named_like_the_partition_column_points_at_that_column():
    text = edited("name: amount", "name: event_date").replace("type: decimal(12,2)", "type: string")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'name: event_date')}"
    assert error.field == "schema.2.name"
    assert "clashes with the partition column" in str(error)


def test_a_missing_kind_block_names_the_block_at_the_kind_line():
    text = edited("s3_drop:\n  prefix: orders/\n", "")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'kind:')}"
    assert error.field == "s3_drop"
    assert "kind 's3_drop' needs a `s3_drop:` block" in str(error)


def test_an_invalid_timezone_asks_for_an_iana_name():
    text = edited("Europe/Paris", "Mars/Olympus")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'timezone')}"
    assert error.field == "timezone"
    assert "unknown timezone 'Mars/Olympus' (use an IANA name)" in str(error)


def test_an_invalid_regex_points_at_the_rule_pattern():
    text = edited('pattern: "^[a-z]+$"', 'pattern: "^[a-z+$"')

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'pattern:')}"
    assert error.field == "quality.1.pattern"
    assert "invalid pattern" in str(error)


def test_a_rule_missing_its_argument_names_the_argument():
    text = edited("    values: [new, paid, shipped]\n", "")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'rule: accepted_values')}"
    assert error.field == "quality.0.values"
    assert "needs `values`" in str(error)


def test_a_value_of_no_accepted_type_lists_the_accepted_types():
    text = edited("values: [new, paid, shipped]", "values:\n      - new\n      - {a: 1}")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, '{a: 1}')}"
    assert error.field == "quality.0.values.1"
    assert "expected one of: str, int, float, bool" in str(error)
    assert "more problem" not in str(error)


def test_a_missing_required_field_is_named():
    text = edited("owner: data-team@example.com\n", "")

    error = error_for(text)

    assert error.field == "owner"
    assert "required field is missing" in str(error)


def test_several_problems_are_all_reported_each_at_its_line():
    text = edited("kind: s3_drop", "kind: ftp")
    text = edited("type: bigint", "type: integer", text)

    error = error_for(text)

    assert error.field == "kind"
    first, second = str(error).splitlines()
    assert first.startswith(f"{FILE}:{line_of(text, 'kind: ftp')}: kind: ")
    assert second.startswith(f"  {FILE}:{line_of(text, 'type: integer')}: schema.0.type: ")


def test_a_yaml_syntax_error_names_its_line():
    text = edited("owner: data-team", "owner: : [data-team")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'owner')}"
    assert "not valid YAML: mapping values are not allowed here" in str(error)


def test_an_unclosed_flow_sequence_names_the_line_where_yaml_gave_up():
    text = edited("primary_key: [order_id]", "primary_key: [order_id")

    error = error_for(text)

    assert error.file is not None and error.file.startswith(f"{FILE}:")
    line = int(error.file.rsplit(":", 1)[1])
    assert line >= line_of(text, "primary_key")
    assert "not valid YAML" in str(error)


def test_two_yaml_documents_in_one_file_are_refused():
    error = error_for(VALID + "---\nname: other\n")

    assert "expected a single document" in str(error)
    assert error.file == f"{FILE}:{len(VALID.splitlines()) + 1}"


def test_a_key_given_twice_is_refused_at_its_second_line():
    text = edited('  delimiter: ";"', '  delimiter: ";"\n  delimiter: ","')

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'delimiter: ' + chr(34) + ',')}"
    assert error.field == "format.delimiter"
    assert "appears twice (first on line 7)" in str(error)


def test_the_name_must_match_the_file_stem():
    error = error_for(VALID, file="sources/order.yaml")

    assert error.file == "sources/order.yaml:1"
    assert error.field == "name"
    assert "name 'orders' must match the file name 'order'" in str(error)


def test_an_empty_file_is_refused_with_the_required_fields():
    error = error_for("", file=FILE)

    assert error.file == FILE
    assert "the file is empty" in str(error)
    assert "required fields: name, description, owner, kind, format, schema" in str(error)


def test_a_comment_only_file_counts_as_empty():
    assert "the file is empty" in str(error_for("# nothing yet\n"))


@pytest.mark.parametrize(
    ("text", "found"), [("- a\n- b\n", "found a list"), ("just text\n", "found a str")]
)
def test_a_document_that_is_not_a_mapping_is_refused(text, found):
    error = error_for(text)

    assert error.file == f"{FILE}:1"
    assert found in str(error)
    assert "a contract is a YAML mapping of fields" in str(error)


def test_load_contract_reads_a_file(tmp_path):
    path = tmp_path / "orders.yaml"
    path.write_text(VALID, encoding="utf-8")

    assert load_contract(path).name == "orders"


def test_load_contract_names_the_real_path_in_errors(tmp_path):
    path = tmp_path / "orders.yaml"
    path.write_text(edited("kind: s3_drop", "kind: ftp"), encoding="utf-8")

    with pytest.raises(ContractError) as caught:
        load_contract(path)

    assert caught.value.file == f"{path}:4"


def test_a_file_that_is_not_utf8_cannot_be_read(tmp_path):
    path = tmp_path / "orders.yaml"
    path.write_bytes(b"name: \xff\xfe\n")

    with pytest.raises(ContractError, match="cannot read"):
        load_contract(path)


def test_load_contracts_reads_every_yaml_file_of_a_folder(tmp_path):
    (tmp_path / "orders.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "refunds.yml").write_text(
        VALID.replace("name: orders", "name: refunds"), encoding="utf-8"
    )
    (tmp_path / "README.md").write_text("not a contract", encoding="utf-8")

    assert sorted(load_contracts(tmp_path)) == ["orders", "refunds"]


def test_load_contracts_refuses_one_source_defined_twice(tmp_path):
    (tmp_path / "orders.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "orders.yml").write_text(VALID, encoding="utf-8")

    with pytest.raises(ContractError, match="already defined"):
        load_contracts(tmp_path)


def test_load_contracts_needs_a_folder(tmp_path):
    with pytest.raises(ContractError, match="no sources folder"):
        load_contracts(tmp_path / "missing")


@pytest.mark.skipif(not (REPO / "sources").is_dir(), reason="no sources folder")
def test_every_contract_of_the_project_is_valid():
    assert load_contracts(REPO / "sources")


@pytest.mark.parametrize("precision", ["decimal(40,2)", "decimal(39, 0)", "decimal(0,0)"])
def test_a_decimal_wider_than_redshift_allows_names_its_line(precision):
    text = edited("type: decimal(12,2)", f"type: {precision}")

    error = error_for(text)

    assert str(error).startswith(f"{FILE}:{line_of(text, precision)}: schema.2.type: ")
    assert "precision must be 1 to 38" in str(error)


def test_a_decimal_scale_above_its_precision_is_refused():
    text = edited("type: decimal(12,2)", "type: decimal(4,6)")

    error = error_for(text)

    assert error.file == f"{FILE}:{line_of(text, 'decimal(4,6)')}"
    assert "scale must not exceed the precision" in str(error)


@pytest.mark.parametrize(
    "prefix",
    ['"../../x/"', "orders/../other/", "./orders/", "orders//daily/", '"/abs/"', '"a\\\\b/"'],
)
def test_an_unsafe_s3_drop_prefix_is_refused_at_its_line(prefix):
    text = edited("prefix: orders/", f"prefix: {prefix}")

    error = error_for(text)

    assert str(error).startswith(f"{FILE}:{line_of(text, 'prefix:')}: s3_drop.prefix: ")
