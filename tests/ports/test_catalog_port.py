"""Behaviour every Catalog shares (Glue via moto for now; the local catalog joins via the
``CATALOGS`` table in conftest), then Glue specifics."""

from __future__ import annotations

from dataclasses import replace

import pytest
from botocore.stub import Stubber

from strata.catalog.base import CatalogColumn, TableDef
from strata.catalog.glue import GlueCatalog, GlueConfig
from strata.errors import CatalogError

ORDERS = TableDef(
    name="orders",
    columns=(
        CatalogColumn("order_id", "bigint", "Order number from the shop."),
        CatalogColumn("amount", "decimal(12,2)", "Total, tax included."),
        CatalogColumn("note", "string"),
    ),
    partition_keys=(CatalogColumn("ingest_date", "date", "Day the file landed."),),
    location="s3://strata-cleansed/orders/",  # the Glue-only tests use it as is
    description="Orders from the web shop.",
    parameters={"strata_owner": "sales"},
)


@pytest.fixture
def orders(table_root):
    """The orders table, under the catalog's own kind of location."""
    return replace(ORDERS, location=f"{table_root}orders/")


def test_ensure_table_creates_the_table_as_defined(catalog, orders):
    catalog.ensure_table(orders)

    table = catalog.get_table("orders")

    assert table is not None
    assert table.columns == orders.columns
    assert table.partition_keys == orders.partition_keys
    assert table.location == orders.location
    assert table.description == orders.description
    assert table.parameters["strata_owner"] == "sales"
    assert catalog.list_tables() == ["orders"]


def test_get_table_of_an_unknown_table_is_none(catalog):
    assert catalog.get_table("nope") is None


def test_ensure_table_twice_changes_nothing(catalog, orders):
    catalog.ensure_table(orders)
    catalog.add_partitions("orders", [{"ingest_date": "2024-01-01"}])
    first = catalog.get_table("orders")

    catalog.ensure_table(orders)

    assert catalog.get_table("orders") == first
    assert catalog.list_partitions("orders") == [{"ingest_date": "2024-01-01"}]


def test_ensure_table_updates_columns_and_description_and_keeps_partitions(catalog, orders):
    catalog.ensure_table(orders)
    catalog.add_partitions("orders", [{"ingest_date": "2024-01-01"}])
    evolved = replace(
        orders,
        columns=(*orders.columns, CatalogColumn("channel", "string", "web or app")),
        description="Orders from the web shop and the app.",
    )

    catalog.ensure_table(evolved)

    table = catalog.get_table("orders")
    assert table.columns == evolved.columns
    assert table.description == "Orders from the web shop and the app."
    assert catalog.list_partitions("orders") == [{"ingest_date": "2024-01-01"}]


def test_ensure_table_updates_a_changed_column_comment(catalog, orders):
    catalog.ensure_table(orders)
    renamed = replace(orders, columns=(CatalogColumn("order_id", "bigint", "New words."),))

    catalog.ensure_table(renamed)

    assert catalog.get_table("orders").columns == renamed.columns


def test_add_partitions_is_idempotent_and_keeps_existing_ones(catalog, orders):
    catalog.ensure_table(orders)

    catalog.add_partitions("orders", [{"ingest_date": "2024-01-02"}, {"ingest_date": "2024-01-01"}])
    catalog.add_partitions("orders", [{"ingest_date": "2024-01-02"}, {"ingest_date": "2024-01-03"}])
    catalog.add_partitions("orders", [])

    assert catalog.list_partitions("orders") == [
        {"ingest_date": "2024-01-01"},
        {"ingest_date": "2024-01-02"},
        {"ingest_date": "2024-01-03"},
    ]


def test_add_partitions_registers_more_than_one_batch(catalog, orders):
    catalog.ensure_table(orders)
    days = [
        {"ingest_date": f"2024-{month:02d}-{day:02d}"}
        for month in (1, 2, 3, 4, 5, 6, 7, 8)
        for day in range(1, 29)
    ]  # 224 partitions: three BatchCreatePartition calls

    catalog.add_partitions("orders", days[:150])
    catalog.add_partitions("orders", days)

    assert catalog.list_partitions("orders") == days


def test_list_partitions_of_a_table_without_partitions_is_empty(catalog, orders):
    catalog.ensure_table(orders)

    assert catalog.list_partitions("orders") == []


def test_list_tables_is_sorted(catalog, orders, table_root):
    for name in ["shipments", "customers", "orders"]:
        catalog.ensure_table(replace(orders, name=name, location=f"{table_root}{name}/"))

    assert catalog.list_tables() == ["customers", "orders", "shipments"]


# -- Glue only -------------------------------------------------------------------------------


@pytest.fixture
def glue(aws):
    client = aws.client("glue")
    client.create_database(DatabaseInput={"Name": "strata_test"})
    return client


def test_glue_table_is_an_external_parquet_table_spectrum_can_read(glue):
    GlueCatalog(GlueConfig("strata_test"), glue).ensure_table(ORDERS)

    table = glue.get_table(DatabaseName="strata_test", Name="orders")["Table"]

    descriptor = table["StorageDescriptor"]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"]["classification"] == "parquet"
    assert table["Parameters"]["EXTERNAL"] == "TRUE"
    assert descriptor["Location"] == "s3://strata-cleansed/orders/"
    assert descriptor["InputFormat"].endswith("MapredParquetInputFormat")
    assert descriptor["OutputFormat"].endswith("MapredParquetOutputFormat")
    assert descriptor["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert descriptor["Columns"][1] == {
        "Name": "amount",
        "Type": "decimal(12,2)",
        "Comment": "Total, tax included.",
    }
    assert table["PartitionKeys"] == [
        {"Name": "ingest_date", "Type": "date", "Comment": "Day the file landed."}
    ]


def test_glue_location_without_trailing_slash_is_stored_as_a_folder(glue):
    GlueCatalog(GlueConfig("strata_test"), glue).ensure_table(
        replace(ORDERS, location="s3://b/orders")
    )

    table = glue.get_table(DatabaseName="strata_test", Name="orders")["Table"]
    assert table["StorageDescriptor"]["Location"] == "s3://b/orders/"


def test_glue_ensure_table_does_not_call_update_when_nothing_changed(glue):
    updates: list[dict] = []
    glue.meta.events.register(
        "provide-client-params.glue.UpdateTable", lambda params, **_: updates.append(params)
    )
    catalog = GlueCatalog(GlueConfig("strata_test"), glue)

    catalog.ensure_table(ORDERS)
    catalog.ensure_table(ORDERS)
    assert updates == []

    catalog.ensure_table(replace(ORDERS, description="changed"))
    assert len(updates) == 1


def test_glue_partition_location_is_the_table_folder_plus_key_equals_value(glue):
    two_keys = replace(
        ORDERS,
        partition_keys=(CatalogColumn("year", "string"), CatalogColumn("month", "string")),
    )
    catalog = GlueCatalog(GlueConfig("strata_test"), glue)
    catalog.ensure_table(two_keys)

    catalog.add_partitions("orders", [{"month": "01", "year": "2024"}])

    partition = glue.get_partition(
        DatabaseName="strata_test", TableName="orders", PartitionValues=["2024", "01"]
    )["Partition"]
    descriptor = partition["StorageDescriptor"]
    assert descriptor["Location"] == "s3://strata-cleansed/orders/year=2024/month=01/"
    assert descriptor["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert catalog.list_partitions("orders") == [{"year": "2024", "month": "01"}]


def test_glue_add_partitions_to_a_missing_table_raises_catalog_error(glue):
    with pytest.raises(CatalogError) as raised:
        GlueCatalog(GlueConfig("strata_test"), glue).add_partitions(
            "ghost", [{"ingest_date": "2024-01-01"}]
        )

    assert raised.value.table == "ghost"


def test_glue_add_partitions_with_wrong_keys_raises_catalog_error(glue):
    catalog = GlueCatalog(GlueConfig("strata_test"), glue)
    catalog.ensure_table(ORDERS)

    with pytest.raises(CatalogError, match="does not match"):
        catalog.add_partitions("orders", [{"day": "2024-01-01"}])
    assert catalog.list_partitions("orders") == []


def test_glue_add_partitions_raises_on_errors_other_than_already_exists(aws):
    client = aws.client("glue")
    glue_table = {
        "Name": "orders",
        "PartitionKeys": [{"Name": "ingest_date", "Type": "date"}],
        "StorageDescriptor": {"Columns": [], "Location": "s3://b/orders/"},
    }
    with Stubber(client) as stub:
        stub.add_response("get_table", {"Table": glue_table})
        stub.add_response(
            "batch_create_partition",
            {
                "Errors": [
                    {
                        "PartitionValues": ["2024-01-01"],
                        "ErrorDetail": {"ErrorCode": "AlreadyExistsException"},
                    },
                    {
                        "PartitionValues": ["2024-01-02"],
                        "ErrorDetail": {
                            "ErrorCode": "InternalServiceException",
                            "ErrorMessage": "try again",
                        },
                    },
                ]
            },
        )
        with pytest.raises(CatalogError, match="1 partitions refused") as raised:
            GlueCatalog(GlueConfig("db"), client).add_partitions(
                "orders", [{"ingest_date": "2024-01-01"}, {"ingest_date": "2024-01-02"}]
            )
        stub.assert_no_pending_responses()

    assert "2024-01-02" in str(raised.value)
    assert "2024-01-01" not in str(raised.value)


def test_glue_truncates_comments_longer_than_glue_accepts(glue):
    long = replace(ORDERS, columns=(CatalogColumn("note", "string", "x" * 400),))

    GlueCatalog(GlueConfig("strata_test"), glue).ensure_table(long)

    table = glue.get_table(DatabaseName="strata_test", Name="orders")["Table"]
    assert table["StorageDescriptor"]["Columns"][0]["Comment"] == "x" * 255


def test_a_partition_starts_in_its_hive_folder_and_moves_in_one_call(catalog, orders):
    """Compaction's swap: the partition's location changes, its values and the others' stay."""
    catalog.ensure_table(orders)
    first, second = {"ingest_date": "2024-01-01"}, {"ingest_date": "2024-01-02"}
    catalog.add_partitions("orders", [first, second])
    hive = f"{orders.location}ingest_date="
    assert catalog.partition_location("orders", first) == f"{hive}2024-01-01/"
    assert catalog.partition_location("orders", {"ingest_date": "1999-01-01"}) is None

    moved = f"{orders.location}_compacted/ingest_date=2024-01-01/v1/"
    catalog.set_partition_location("orders", first, moved)

    assert catalog.partition_location("orders", first) == moved
    assert catalog.partition_location("orders", second) == f"{hive}2024-01-02/"
    assert catalog.list_partitions("orders") == [
        {"ingest_date": "2024-01-01"},
        {"ingest_date": "2024-01-02"},
    ]
    catalog.ensure_table(replace(orders, description="changed"))  # a schema update keeps it
    assert catalog.partition_location("orders", first) == moved


def test_moving_a_partition_that_is_not_registered_fails_by_name(catalog, orders):
    catalog.ensure_table(orders)
    with pytest.raises(CatalogError, match="2024-01-01"):
        catalog.set_partition_location("orders", {"ingest_date": "2024-01-01"}, "s3://x/")
