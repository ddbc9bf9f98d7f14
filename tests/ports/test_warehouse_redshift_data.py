"""The Redshift Data API adapter: moto for execute/describe (it never runs SQL), botocore's
Stubber for what moto lacks (batches, finished and failed statements, paged typed results)."""

from __future__ import annotations

import pytest
from botocore.stub import ANY, Stubber

from strata.errors import WarehouseError
from strata.warehouse.base import QueryResult, StatementStatus
from strata.warehouse.config import RedshiftDataConfig
from strata.warehouse.redshift_data import RedshiftDataWarehouse, field_value

STATEMENT_ID = "d9b6c0c9-0747-4bf4-b142-e8883122f766"


@pytest.fixture
def client(aws):
    return aws.client("redshift-data")


def test_submit_one_statement_executes_it_on_the_workgroup(client):
    sent: list[dict] = []
    client.meta.events.register(
        "provide-client-params.redshift-data.ExecuteStatement",
        lambda params, **_: sent.append(params),
    )
    warehouse = RedshiftDataWarehouse(RedshiftDataConfig(workgroup="strata-dev"), client)

    statement_id = warehouse.submit(["select 1"], client_token="build-orders-1")

    assert sent == [
        {
            "Sql": "select 1",
            "WorkgroupName": "strata-dev",
            "Database": "dev",
            "WithEvent": False,
            "ClientToken": "build-orders-1",
        }
    ]
    status = warehouse.describe(statement_id)
    assert status == StatementStatus(id=statement_id, status="STARTED", has_result_set=False)


def test_a_provisioned_cluster_is_addressed_by_identifier_and_database_user(client):
    sent: list[dict] = []
    client.meta.events.register(
        "provide-client-params.redshift-data.ExecuteStatement",
        lambda params, **_: sent.append(params),
    )
    config = RedshiftDataConfig(database="dw", target="cluster", cluster="c1", db_user="etl")

    RedshiftDataWarehouse(config, client).submit(["select 1"])

    [params] = sent
    params.pop("ClientToken")  # botocore fills in an idempotency token when none is given
    assert params == {
        "Sql": "select 1",
        "ClusterIdentifier": "c1",
        "Database": "dw",
        "DbUser": "etl",
        "WithEvent": False,
    }


def test_result_reads_moto_canned_rows_with_typed_values(client):
    warehouse = RedshiftDataWarehouse(RedshiftDataConfig(workgroup="strata-wg"), client)
    statement_id = warehouse.submit(["select * from addresses"])

    result = warehouse.result(statement_id)

    assert result.columns == ["Number", "Street", "City"]
    assert result.rows[0] == (10, "Alpha st", "Vancouver")
    assert len(result.rows) == 3


def test_describe_of_an_unknown_statement_raises_warehouse_error(client):
    with pytest.raises(WarehouseError, match=STATEMENT_ID):
        RedshiftDataWarehouse(RedshiftDataConfig(workgroup="strata-wg"), client).describe(
            STATEMENT_ID
        )


def test_submit_several_statements_sends_one_batch(client):
    with Stubber(client) as stub:
        stub.add_response(
            "batch_execute_statement",
            {"Id": STATEMENT_ID},
            {
                "Sqls": ["begin_work()", "insert 1", "insert 2"],
                "WorkgroupName": "strata-wg",
                "Database": "dev",
                "WithEvent": False,
                "ClientToken": "tok",
            },
        )
        statement_id = RedshiftDataWarehouse(
            RedshiftDataConfig(workgroup="strata-wg"), client
        ).submit(["begin_work()", "insert 1", "insert 2"], client_token="tok")
        stub.assert_no_pending_responses()

    assert statement_id == STATEMENT_ID


def test_submit_of_nothing_is_refused(client):
    with pytest.raises(WarehouseError):
        RedshiftDataWarehouse(RedshiftDataConfig(workgroup="strata-wg"), client).submit([])


def test_a_refused_submission_raises_warehouse_error(client):
    with Stubber(client) as stub:
        stub.add_client_error(
            "execute_statement", "ActiveStatementsExceededException", "too many statements"
        )
        with pytest.raises(WarehouseError, match="too many statements"):
            RedshiftDataWarehouse(RedshiftDataConfig(workgroup="strata-wg"), client).submit(
                ["select 1"]
            )


@pytest.mark.parametrize(
    ("described", "expected"),
    [
        (
            {"Status": "FINISHED", "HasResultSet": True},
            StatementStatus(STATEMENT_ID, "FINISHED", None, True),
        ),
        (
            {"Status": "FAILED", "Error": 'ERROR: relation "x" does not exist'},
            StatementStatus(STATEMENT_ID, "FAILED", 'ERROR: relation "x" does not exist', False),
        ),
        ({"Status": "ABORTED"}, StatementStatus(STATEMENT_ID, "ABORTED", None, False)),
        ({"Status": "PICKED", "Error": ""}, StatementStatus(STATEMENT_ID, "PICKED", None, False)),
    ],
)
def test_describe_maps_status_error_and_result_flag(client, described, expected):
    with Stubber(client) as stub:
        stub.add_response("describe_statement", {"Id": STATEMENT_ID, **described})

        assert (
            RedshiftDataWarehouse(RedshiftDataConfig(workgroup="strata-wg"), client).describe(
                STATEMENT_ID
            )
            == expected
        )


def test_result_pages_through_records_and_converts_each_field_type(client):
    columns = [{"name": "id"}, {"name": "price"}, {"name": "name"}, {"name": "ok"}, {"name": "n"}]
    with Stubber(client) as stub:
        stub.add_response("describe_statement", {"Id": STATEMENT_ID, "Status": "FINISHED"})
        stub.add_response(
            "get_statement_result",
            {
                "ColumnMetadata": columns,
                "Records": [
                    [
                        {"longValue": 1},
                        {"doubleValue": 9.5},
                        {"stringValue": "a"},
                        {"booleanValue": True},
                        {"isNull": True},
                    ]
                ],
                "TotalNumRows": 2,
                "NextToken": "page-2",
            },
            {"Id": STATEMENT_ID},
        )
        stub.add_response(
            "get_statement_result",
            {
                "ColumnMetadata": columns,
                "Records": [
                    [
                        {"longValue": 2},
                        {"isNull": True},
                        {"stringValue": ""},
                        {"booleanValue": False},
                        {"stringValue": "12.50"},
                    ]
                ],
                "TotalNumRows": 2,
            },
            {"Id": STATEMENT_ID, "NextToken": "page-2"},
        )

        result = RedshiftDataWarehouse(RedshiftDataConfig(workgroup="strata-wg"), client).result(
            STATEMENT_ID
        )
        stub.assert_no_pending_responses()

    assert result == QueryResult(
        columns=["id", "price", "name", "ok", "n"],
        rows=[(1, 9.5, "a", True, None), (2, None, "", False, "12.50")],
    )


def test_result_of_a_batch_reads_its_last_sub_statement(client):
    with Stubber(client) as stub:
        stub.add_response(
            "describe_statement",
            {
                "Id": STATEMENT_ID,
                "Status": "FINISHED",
                "HasResultSet": True,
                "SubStatements": [
                    {"Id": f"{STATEMENT_ID}:1", "Status": "FINISHED"},
                    {"Id": f"{STATEMENT_ID}:2", "Status": "FINISHED"},
                ],
            },
        )
        stub.add_response(
            "get_statement_result",
            {"ColumnMetadata": [{"name": "n"}], "Records": [[{"longValue": 7}]], "TotalNumRows": 1},
            {"Id": f"{STATEMENT_ID}:2"},
        )

        result = RedshiftDataWarehouse(RedshiftDataConfig(workgroup="strata-wg"), client).result(
            STATEMENT_ID
        )

    assert result == QueryResult(columns=["n"], rows=[(7,)])


def test_result_of_an_empty_result_set_has_columns_and_no_rows(client):
    with Stubber(client) as stub:
        stub.add_response("describe_statement", {"Id": STATEMENT_ID, "Status": "FINISHED"})
        stub.add_response(
            "get_statement_result",
            {"ColumnMetadata": [{"name": "n"}], "Records": [], "TotalNumRows": 0},
            {"Id": ANY},
        )

        result = RedshiftDataWarehouse(RedshiftDataConfig(workgroup="strata-wg"), client).result(
            STATEMENT_ID
        )

    assert result == QueryResult(columns=["n"], rows=[])


def test_run_waits_for_the_statement_and_returns_its_rows(client):
    with Stubber(client) as stub:
        stub.add_response("execute_statement", {"Id": STATEMENT_ID})
        stub.add_response("describe_statement", {"Id": STATEMENT_ID, "Status": "STARTED"})
        for _ in range(2):  # run's poll, then result's look for sub-statements
            stub.add_response(
                "describe_statement",
                {"Id": STATEMENT_ID, "Status": "FINISHED", "HasResultSet": True},
            )
        stub.add_response(
            "get_statement_result",
            {"ColumnMetadata": [{"name": "one"}], "Records": [[{"longValue": 1}]]},
        )

        result = RedshiftDataWarehouse(RedshiftDataConfig(workgroup="strata-wg"), client).run(
            "select 1 as one", poll=0
        )
        stub.assert_no_pending_responses()

    assert result == QueryResult(columns=["one"], rows=[(1,)])


@pytest.mark.parametrize("status", ["FAILED", "ABORTED"])
def test_run_raises_when_the_statement_ends_badly(client, status):
    with Stubber(client) as stub:
        stub.add_response("execute_statement", {"Id": STATEMENT_ID})
        stub.add_response(
            "describe_statement", {"Id": STATEMENT_ID, "Status": status, "Error": "boom"}
        )

        with pytest.raises(WarehouseError, match=status):
            RedshiftDataWarehouse(RedshiftDataConfig(workgroup="strata-wg"), client).run(
                "select 1", poll=0
            )


def test_field_value_rejects_an_unknown_field_shape():
    assert field_value({"blobValue": b"\x00"}) == b"\x00"
    with pytest.raises(WarehouseError):
        field_value({"arrayValue": {}})
