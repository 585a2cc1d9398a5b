"""TransactWriteItems and TransactGetItems through boto3."""

from __future__ import annotations

import uuid
from typing import Any

from tests.services.dynamodb.conftest import NewTable, error_of


def key(name: str) -> dict[str, Any]:
    return {"pk": {"S": name}, "sk": {"N": "1"}}


def test_all_or_nothing_with_cancellation_reasons(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    ddb.put_item(TableName=name, Item={**key("a"), "n": {"N": "1"}})
    actions = [
        {"ConditionCheck": {"TableName": name, "Key": key("a"),
                            "ConditionExpression": "n = :two",
                            "ExpressionAttributeValues": {":two": {"N": "2"}},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Put": {"TableName": name, "Item": key("b")}},
    ]
    try:
        ddb.transact_write_items(TransactItems=actions)
        raise AssertionError("not cancelled")
    except ddb.exceptions.TransactionCanceledException as error:
        assert error.response["Error"]["Message"] == (
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            "[ConditionalCheckFailed, None]")
        reasons = error.response["CancellationReasons"]
        assert reasons[0]["Code"] == "ConditionalCheckFailed"
        assert reasons[0]["Item"] == {**key("a"), "n": {"N": "1"}}
        assert reasons[1] == {"Code": "None"}
    assert "Item" not in ddb.get_item(TableName=name, Key=key("b"))
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": name, "Key": key("a"), "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Put": {"TableName": name, "Item": key("b")}},
        {"Delete": {"TableName": name, "Key": key("c")}},
    ])
    got = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": name, "Key": key("a"), "ProjectionExpression": "n"}},
        {"Get": {"TableName": name, "Key": key("b")}},
        {"Get": {"TableName": name, "Key": key("zz")}}])
    assert got["Responses"] == [{"Item": {"n": {"N": "2"}}}, {"Item": key("b")}, {}]


def test_one_item_at_most_once_and_100_actions(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    assert error_of(lambda: ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": key("a")}},
        {"Delete": {"TableName": name, "Key": key("a")}}])) == (
        "ValidationException",
        "Transaction request cannot include multiple operations on one item")
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": key(f"k{n}")}} for n in range(100)])
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 100


def test_client_request_token_is_idempotent(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    token = uuid.uuid4().hex
    update = [{"Update": {"TableName": name, "Key": key("a"),
                          "UpdateExpression": "ADD n :one",
                          "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
    ddb.transact_write_items(TransactItems=update, ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=update, ClientRequestToken=token)
    assert ddb.get_item(TableName=name, Key=key("a"))["Item"]["n"] == {"N": "1"}
    code, _ = error_of(lambda: ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": key("b")}}], ClientRequestToken=token))
    assert code == "IdempotentParameterMismatchException"


def test_transaction_capacity_is_doubled(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    written = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": key("a")}}], ReturnConsumedCapacity="TOTAL")
    assert written["ConsumedCapacity"][0]["CapacityUnits"] == 2.0
    read = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": name, "Key": key("a")}}],
                                  ReturnConsumedCapacity="TOTAL")
    assert read["ConsumedCapacity"][0]["CapacityUnits"] == 2.0
