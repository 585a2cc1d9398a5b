"""DynamoDB's single-item operations through boto3's client and resource API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr

from tests.services.dynamodb.conftest import NewTable, error_of

KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}


def test_put_get_delete_with_return_values(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    assert "Attributes" not in ddb.put_item(TableName=name, Item={**KEY, "v": {"S": "1"}},
                                            ReturnValues="ALL_OLD")
    old = ddb.put_item(TableName=name, Item={**KEY, "v": {"S": "2"}}, ReturnValues="ALL_OLD")
    assert old["Attributes"]["v"] == {"S": "1"}
    got = ddb.get_item(TableName=name, Key=KEY, ConsistentRead=True,
                       ProjectionExpression="#v", ExpressionAttributeNames={"#v": "v"})
    assert got["Item"] == {"v": {"S": "2"}}
    assert ddb.get_item(TableName=name, Key=KEY, AttributesToGet=["pk"])["Item"] == {
        "pk": {"S": "a"}}
    deleted = ddb.delete_item(TableName=name, Key=KEY, ReturnValues="ALL_OLD")
    assert deleted["Attributes"]["v"] == {"S": "2"}
    assert "Item" not in ddb.get_item(TableName=name, Key=KEY)
    assert error_of(lambda: ddb.put_item(TableName=name, Item=KEY, ReturnValues="ALL_NEW")) == (
        "ValidationException", "ReturnValues can only be ALL_OLD or NONE")


def test_conditions_and_failure_items(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    ddb.put_item(TableName=name, Item={**KEY, "n": {"N": "5"}})
    failed = error_of(lambda: ddb.put_item(
        TableName=name, Item=KEY, ConditionExpression="attribute_not_exists(pk)"))
    assert failed == ("ConditionalCheckFailedException", "The conditional request failed")
    try:
        ddb.delete_item(TableName=name, Key=KEY, ConditionExpression="n > :x",
                        ExpressionAttributeValues={":x": {"N": "10"}},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
        raise AssertionError("not refused")
    except ddb.exceptions.ConditionalCheckFailedException as error:
        assert error.response["Item"] == {**KEY, "n": {"N": "5"}}
    ddb.delete_item(TableName=name, Key=KEY, ConditionExpression="n < :x",
                    ExpressionAttributeValues={":x": {"N": "10"}})
    assert "Item" not in ddb.get_item(TableName=name, Key=KEY)


def test_update_item_return_values(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    created = ddb.update_item(TableName=name, Key=KEY, UpdateExpression="SET a = :a, b = :b",
                              ExpressionAttributeValues={":a": {"N": "1"}, ":b": {"S": "x"}},
                              ReturnValues="ALL_NEW")
    assert created["Attributes"] == {**KEY, "a": {"N": "1"}, "b": {"S": "x"}}
    old = ddb.update_item(TableName=name, Key=KEY, UpdateExpression="SET a = a + :one",
                          ExpressionAttributeValues={":one": {"N": "1"}},
                          ReturnValues="UPDATED_OLD")
    assert old["Attributes"] == {"a": {"N": "1"}}
    new = ddb.update_item(TableName=name, Key=KEY, UpdateExpression="REMOVE b ADD c :s",
                          ExpressionAttributeValues={":s": {"SS": ["p", "q"]}},
                          ReturnValues="UPDATED_NEW")
    assert new["Attributes"] == {"c": {"SS": ["p", "q"]}}
    everything = ddb.update_item(TableName=name, Key=KEY, UpdateExpression="DELETE c :s",
                                 ExpressionAttributeValues={":s": {"SS": ["p"]}},
                                 ReturnValues="ALL_OLD")
    assert everything["Attributes"]["a"] == {"N": "2"}
    assert error_of(lambda: ddb.update_item(
        TableName=name, Key=KEY, UpdateExpression="SET pk = :v",
        ExpressionAttributeValues={":v": {"S": "z"}})) == (
        "ValidationException", "One or more parameter values were invalid: Cannot update "
        "attribute pk. This attribute is part of the key")
    assert error_of(lambda: ddb.update_item(
        TableName=name, Key=KEY, UpdateExpression="SET a = :v",
        ConditionExpression="a = :w", ExpressionAttributeValues={
            ":v": {"N": "0"}, ":w": {"N": "99"}}))[0] == "ConditionalCheckFailedException"


def test_keys_must_match_the_schema(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    message = "The provided key element does not match the schema"
    for key in ({"pk": {"S": "a"}}, {"pk": {"S": "a"}, "sk": {"S": "1"}},
                {**KEY, "extra": {"S": "x"}}):
        def get(key: dict[str, Any] = key) -> object:
            return ddb.get_item(TableName=name, Key=key)

        assert error_of(get) == ("ValidationException", message)
    assert error_of(lambda: ddb.get_item(TableName="t-missing", Key=KEY)) == (
        "ResourceNotFoundException", "Requested resource not found")


def test_numbers_sets_and_empty_strings(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    big = "12345678901234567890123456789012345678"
    item = {**KEY, "big": {"N": big}, "small": {"N": "-0.000000000000000000000000000000000001"},
            "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"\x00", b"\x01"]},
            "empty": {"S": ""}, "nested": {"M": {"l": {"L": [{"NULL": True},
                                                             {"BOOL": False}]}}}}
    ddb.put_item(TableName=name, Item=item)
    got = ddb.get_item(TableName=name, Key=KEY)["Item"]
    assert got["big"] == {"N": big}
    assert got["small"] == item["small"]
    assert sorted(got["ns"]["NS"]) == ["1", "2.5"]
    assert got["bs"] == item["bs"] and got["empty"] == {"S": ""}
    assert got["nested"] == item["nested"]
    assert error_of(lambda: ddb.put_item(TableName=name, Item={**KEY, "n": {
        "N": "1" * 39}})) == ("ValidationException",
                              "Attempting to store more than 38 significant digits in a Number")
    code, message = error_of(lambda: ddb.put_item(TableName=name, Item={**KEY, "s": {
        "SS": ["x", "x"]}}))
    assert code == "ValidationException" and "duplicates" in message
    code, message = error_of(lambda: ddb.put_item(TableName=name, Item={
        "pk": {"S": ""}, "sk": {"N": "1"}}))
    assert code == "ValidationException" and "empty string value" in message


def test_item_size_limit(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    fits = 400 * 1024 - len("pk") - 1 - len("sk") - 2 - len("blob")
    ddb.put_item(TableName=name, Item={**KEY, "blob": {"S": "x" * fits}})
    assert error_of(lambda: ddb.put_item(TableName=name, Item={
        **KEY, "blob": {"S": "x" * (fits + 1)}})) == (
        "ValidationException", "Item size has exceeded the maximum allowed size")


def test_consumed_capacity(ddb: Any, new_table: NewTable) -> None:
    name = new_table(extra_definitions=(("g", "S"),), GlobalSecondaryIndexes=[{
        "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}])
    put = ddb.put_item(TableName=name, Item={**KEY, "g": {"S": "x"}, "blob": {"S": "x" * 2000}},
                       ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert put["Table"]["CapacityUnits"] == 2.0
    assert put["GlobalSecondaryIndexes"]["by_g"]["CapacityUnits"] == 2.0
    assert put["CapacityUnits"] == 4.0
    eventual = ddb.get_item(TableName=name, Key=KEY, ReturnConsumedCapacity="TOTAL")
    assert eventual["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 0.5,
                                            "ReadCapacityUnits": 0.5}
    strong = ddb.get_item(TableName=name, Key=KEY, ConsistentRead=True,
                          ReturnConsumedCapacity="TOTAL")
    assert strong["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_url_shortener(ddb_resource: Any, new_table: NewTable) -> None:
    table = ddb_resource.Table(new_table(pk="code", sk=None, sk_type=None))
    assert "Item" not in table.get_item(Key={"code": "abc123"})
    table.put_item(Item={"code": "abc123", "url": "https://example.com", "hits": 0},
                   ConditionExpression=Attr("code").not_exists())
    with pytest.raises(table.meta.client.exceptions.ConditionalCheckFailedException):
        table.put_item(Item={"code": "abc123", "url": "https://other.example"},
                       ConditionExpression="attribute_not_exists(code)")
    table.update_item(Key={"code": "abc123"}, UpdateExpression="ADD hits :one",
                      ExpressionAttributeValues={":one": 1})
    item = table.get_item(Key={"code": "abc123"})["Item"]
    assert item == {"code": "abc123", "url": "https://example.com", "hits": Decimal(1)}


def test_resource_api_round_trips_python_values(ddb_resource: Any, new_table: NewTable) -> None:
    table = ddb_resource.Table(new_table())
    item = {"pk": "a", "sk": Decimal("1"), "price": Decimal("19.99"), "tags": {"x", "y"},
            "doc": {"list": [1, "two", None, True]}, "raw": b"\x00\xff"}
    table.put_item(Item=item)
    got = table.get_item(Key={"pk": "a", "sk": 1})["Item"]
    assert got["price"] == Decimal("19.99") and got["tags"] == {"x", "y"}
    assert got["doc"] == {"list": [Decimal(1), "two", None, True]}
    assert got["raw"].value == b"\x00\xff"
