"""The SourceContract model on its own: defaults, derived values and cross-field checks."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from strata.contracts.model import CsvFormat, JsonFormat, SourceContract

VALID: dict[str, Any] = {
    "name": "orders",
    "description": "Orders exported by the shop.",
    "owner": "data-team@example.com",
    "kind": "s3_drop",
    "s3_drop": {"prefix": "orders/"},
    "format": {"type": "csv", "delimiter": ";"},
    "schema": [
        {"name": "order_id", "type": "bigint", "nullable": False},
        {"name": "ordered_at", "type": "timestamp", "source_name": "Order Date"},
        {"name": "amount", "type": "decimal(12, 2)"},
        {"name": "status", "type": "string"},
    ],
    "primary_key": ["order_id"],
    "partitioning": {"by": "event_date", "column": "ordered_at", "granularity": "month"},
    "timezone": "Europe/Paris",
    "quality": [{"rule": "accepted_values", "column": "status", "values": ["new", "paid"]}],
}


def contract(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    data.update(changes)
    return data


def validation_message(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        SourceContract.model_validate(data)
    return str(caught.value)


def test_a_valid_contract_parses_with_its_nested_models():
    parsed = SourceContract.model_validate(VALID)

    assert isinstance(parsed.format, CsvFormat)
    assert parsed.format.delimiter == ";"
    assert [column.name for column in parsed.columns] == [
        "order_id",
        "ordered_at",
        "amount",
        "status",
    ]
    assert parsed.s3_drop is not None and parsed.s3_drop.include == "*"


def test_defaults_are_filled_in_for_optional_fields():
    minimal = contract()
    for optional in ("primary_key", "partitioning", "timezone", "quality"):
        del minimal[optional]

    parsed = SourceContract.model_validate(minimal)

    assert parsed.primary_key == []
    assert parsed.partitioning.by == "ingest_date"
    assert parsed.partitioning.granularity == "day"
    assert parsed.timezone == "UTC"
    assert parsed.schema_change == "strict"
    assert parsed.reject_threshold == 0.05
    assert parsed.partition_key == "ingest_date"


def test_the_format_union_is_chosen_by_its_type():
    parsed = SourceContract.model_validate(
        contract(format={"type": "json", "records_path": "data.items"})
    )

    assert isinstance(parsed.format, JsonFormat)
    assert parsed.format.records_path == "data.items"


def test_decimal_types_are_normalised_without_spaces():
    parsed = SourceContract.model_validate(VALID)

    assert parsed.column("amount").type == "decimal(12,2)"


def test_source_field_falls_back_to_the_column_name():
    parsed = SourceContract.model_validate(VALID)

    assert parsed.column("ordered_at").source_field == "Order Date"
    assert parsed.column("order_id").source_field == "order_id"


def test_columns_can_be_given_by_their_python_name_too():
    data = contract()
    data["columns"] = data.pop("schema")

    assert len(SourceContract.model_validate(data).columns) == 4


def test_a_contract_is_immutable():
    parsed = SourceContract.model_validate(VALID)

    with pytest.raises(ValidationError):
        parsed.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("by", "granularity", "key"),
    [
        ("event_date", "day", "event_date"),
        ("event_date", "month", "event_month"),
        ("event_date", "year", "event_year"),
        ("ingest_date", "day", "ingest_date"),
        ("ingest_date", "month", "ingest_month"),
        ("ingest_date", "year", "ingest_year"),
    ],
)
def test_the_partition_key_follows_by_and_granularity(by, granularity, key):
    partitioning = {"by": by, "granularity": granularity}
    if by == "event_date":
        partitioning["column"] = "ordered_at"

    parsed = SourceContract.model_validate(contract(partitioning=partitioning))

    assert parsed.partition_key == key


def test_a_column_named_like_the_partition_column_is_refused():
    data = contract()
    data["schema"].append({"name": "event_month", "type": "string"})

    assert "clashes with the partition column" in validation_message(data)


def test_event_date_partitioning_needs_a_column():
    data = contract(partitioning={"by": "event_date"})

    assert "partitioning.column must name a date or timestamp column" in validation_message(data)


def test_event_date_partitioning_accepts_date_and_timestamptz_columns():
    data = contract()
    data["schema"].append({"name": "shipped_on", "type": "date"})
    data["partitioning"] = {"by": "event_date", "column": "shipped_on"}

    assert SourceContract.model_validate(data).partition_key == "event_date"


def test_manual_sources_use_the_s3_drop_block():
    assert SourceContract.model_validate(contract(kind="manual")).kind == "manual"


@pytest.mark.parametrize("prefix", ["orders/", "partner-a/orders.v2/", "exports_2026"])
def test_a_landing_prefix_is_plain_path_characters(prefix):
    parsed = SourceContract.model_validate(contract(s3_drop={"prefix": prefix}))
    assert parsed.s3_drop is not None and parsed.s3_drop.prefix == prefix


# The source's event rule matches the key as S3 events carry it (URL-encoded) and its IAM grant
# reads * and ? as wildcards: such prefixes (and none, or a leading /) are refused.
@pytest.mark.parametrize("prefix", ["", "/orders/", "my orders/", "orders*/", "a?/", "ß/", "${x}/"])
def test_a_landing_prefix_that_an_event_rule_or_iam_would_misread_is_refused(prefix):
    assert "prefix" in validation_message(contract(s3_drop={"prefix": prefix}))


@pytest.mark.parametrize(
    ("kind", "block"), [("api", "api"), ("sftp", "sftp"), ("manual", "s3_drop")]
)
def test_each_kind_needs_its_settings_block(kind, block):
    data = contract(kind=kind)
    del data["s3_drop"]

    assert f"needs a `{block}:` block" in validation_message(data)


def test_an_api_source_with_its_block_is_valid():
    data = contract(kind="api", api={"url": "https://api.example.com/orders"})
    del data["s3_drop"]

    assert SourceContract.model_validate(data).api is not None


@pytest.mark.parametrize(
    ("rule", "needed"),
    [
        ({"rule": "accepted_values", "column": "status"}, "needs `values`"),
        ({"rule": "regex", "column": "status"}, "needs `pattern`"),
        ({"rule": "range", "column": "amount"}, "needs `min`, `max` or both"),
        ({"rule": "regex", "column": "status", "pattern": "("}, "invalid pattern"),
    ],
)
def test_quality_rules_need_valid_arguments(rule, needed):
    assert needed in validation_message(contract(quality=[rule]))


def test_quality_rules_must_name_known_columns():
    data = contract(quality=[{"rule": "not_null", "column": "missing"}])

    assert "quality names unknown columns: missing" in validation_message(data)


@pytest.mark.parametrize("threshold", [-0.1, 1.5])
def test_the_reject_threshold_is_a_fraction(threshold):
    validation_message(contract(reject_threshold=threshold))


@pytest.mark.parametrize("schedule", ["rate(1 hour)", "cron(0 6 * * ? *)"])
def test_schedules_are_eventbridge_expressions(schedule):
    assert SourceContract.model_validate(contract(schedule=schedule)).schedule == schedule


def test_a_schedule_that_is_not_an_eventbridge_expression_is_refused():
    validation_message(contract(schedule="every hour"))


def test_a_source_name_is_at_most_40_characters():
    validation_message(contract(name="a" * 41))


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ({"name": "note", "type": "string", "rounding": "half_up"}, "`rounding` applies to int"),
        ({"name": "day", "type": "date", "ambiguous": "later"}, "`ambiguous` applies to timestamp"),
        (
            {"name": "at", "type": "timestamptz", "nonexistent": "shift_forward"},
            "`nonexistent` applies to timestamp",
        ),
    ],
)
def test_rounding_and_daylight_saving_rules_fit_only_their_types(column, message):
    data = contract()
    data["schema"] = [*data["schema"], column]

    assert message in validation_message(data)


def test_rounding_and_daylight_saving_rules_default_to_reject():
    parsed = SourceContract.model_validate(VALID)

    assert parsed.column("amount").rounding == "reject"
    assert parsed.column("ordered_at").ambiguous == "reject"
    assert parsed.column("ordered_at").nonexistent == "reject"
