"""State store on a DynamoDB table with string keys ``pk`` (partition) and ``sk`` (sort).

Reads are strongly consistent: the pipeline reads back claims and ledger entries it has just
written, and an eventually consistent read could miss them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from strata.aws_errors import raise_transient
from strata.errors import ConditionFailedError
from strata.state.base import Item, Match, StateStore, check_item

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _to_dynamodb(value: Any) -> Any:
    """DynamoDB numbers are Decimals; floats are refused by boto3, so pass them as text."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _to_dynamodb(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_to_dynamodb(inner) for inner in value]
    return value


def _from_dynamodb(value: Any) -> Any:
    """Back to JSON values: whole numbers become int, the rest float."""
    if isinstance(value, Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamodb(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_from_dynamodb(inner) for inner in value]
    return value


def serialise(pk: str, sk: str, item: Item) -> dict[str, Any]:
    attributes = {name: _serializer.serialize(_to_dynamodb(v)) for name, v in item.items()}
    return {**attributes, "pk": {"S": pk}, "sk": {"S": sk}}


def deserialise(attributes: dict[str, Any]) -> Item:
    return {
        name: _from_dynamodb(_deserializer.deserialize(value))
        for name, value in attributes.items()
        if name not in ("pk", "sk")
    }


class DynamoDBStateStore(StateStore):
    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self.client = raise_transient(client if client is not None else boto3.client("dynamodb"))

    def get(self, pk: str, sk: str) -> Item | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key={"pk": {"S": pk}, "sk": {"S": sk}},
            ConsistentRead=True,
        )
        return deserialise(response["Item"]) if "Item" in response else None

    def put(
        self, pk: str, sk: str, item: Item, *, if_absent: bool = False, if_match: Match = None
    ) -> None:
        check_item(item)
        request: dict[str, Any] = {"TableName": self.table_name, "Item": serialise(pk, sk, item)}
        if if_absent:
            request["ConditionExpression"] = "attribute_not_exists(pk)"
        request.update(_condition(if_match))
        try:
            self.client.put_item(**request)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConditionFailedError(f"item {pk!r}/{sk!r}: condition failed") from None
            raise

    def query(self, pk: str, sk_prefix: str = "") -> list[Item]:
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
        }
        if sk_prefix:
            request["KeyConditionExpression"] += " AND begins_with(sk, :prefix)"
            request["ExpressionAttributeValues"][":prefix"] = {"S": sk_prefix}
        paginator = self.client.get_paginator("query")
        return [
            deserialise(attributes)
            for page in paginator.paginate(**request)
            for attributes in page.get("Items", [])
        ]

    def delete(self, pk: str, sk: str, *, if_match: Match = None) -> None:
        key = {"pk": {"S": pk}, "sk": {"S": sk}}
        try:
            self.client.delete_item(TableName=self.table_name, Key=key, **_condition(if_match))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise


def _condition(if_match: Match) -> dict[str, Any]:
    """The request fields of "only while attribute = value" (names escaped: any may be reserved)."""
    if if_match is None:
        return {}
    attribute, value = if_match
    return {
        "ConditionExpression": "#match = :match",
        "ExpressionAttributeNames": {"#match": attribute},
        "ExpressionAttributeValues": {":match": {"S": value}},
    }
