"""The legacy (pre-expression) parameters, which old code still sends."""

from __future__ import annotations

from typing import Any

from tests.services.dynamodb.conftest import NewTable, error_of

KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}


def test_expected_and_attribute_updates(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    ddb.put_item(TableName=name, Item=KEY, Expected={"pk": {"Exists": False}})
    assert error_of(lambda: ddb.put_item(TableName=name, Item=KEY, Expected={
        "pk": {"Exists": False}}))[0] == "ConditionalCheckFailedException"
    updated = ddb.update_item(TableName=name, Key=KEY, AttributeUpdates={
        "n": {"Action": "ADD", "Value": {"N": "5"}},
        "s": {"Action": "PUT", "Value": {"SS": ["x", "y"]}}}, ReturnValues="UPDATED_NEW")
    assert updated["Attributes"] == {"n": {"N": "5"}, "s": {"SS": ["x", "y"]}}
    ddb.update_item(TableName=name, Key=KEY, AttributeUpdates={
        "s": {"Action": "DELETE", "Value": {"SS": ["x"]}}, "n": {"Action": "DELETE"}},
        Expected={"n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "5"}]},
                  "s": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "y"}]}})
    assert ddb.get_item(TableName=name, Key=KEY)["Item"] == {**KEY, "s": {"SS": ["y"]}}
    assert error_of(lambda: ddb.delete_item(
        TableName=name, Key=KEY, ConditionalOperator="OR", Expected={
            "s": {"ComparisonOperator": "NULL"},
            "pk": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "a"}]}}))[0] == \
        "ConditionalCheckFailedException"
    code, message = error_of(lambda: ddb.put_item(
        TableName=name, Item=KEY, Expected={"pk": {"Exists": False}},
        ConditionExpression="attribute_not_exists(pk)"))
    assert code == "ValidationException"
    assert message.startswith("Can not use both expression and non-expression parameters")


def test_key_conditions_query_filter_and_attributes_to_get(ddb: Any, new_table: NewTable
                                                          ) -> None:
    name = new_table()
    for n in range(1, 6):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(n)},
                                           "tag": {"S": "even" if n % 2 == 0 else "odd"}})
    found = ddb.query(TableName=name, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "2"}, {"N": "5"}]}},
        QueryFilter={"tag": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "odd"}]}},
        AttributesToGet=["sk"])
    assert found["Items"] == [{"sk": {"N": "3"}}, {"sk": {"N": "5"}}]
    assert found["ScannedCount"] == 4
    scanned = ddb.scan(TableName=name, ScanFilter={
        "sk": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "4"}]}})
    assert scanned["Count"] == 2
    prefixed = ddb.query(TableName=name, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
        "sk": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "3"}]}},
        ScanIndexForward=False)
    assert [item["sk"]["N"] for item in prefixed["Items"]] == ["5", "4"]
