"""BatchGetItem and BatchWriteItem through boto3: limits, duplicates, unprocessed."""

from __future__ import annotations

from typing import Any

from tests.services.dynamodb.conftest import NewTable, error_of


def key(n: int) -> dict[str, Any]:
    return {"pk": {"S": f"p{n}"}, "sk": {"N": "1"}}


def test_batch_write_then_get(ddb: Any, new_table: NewTable) -> None:
    one, two = new_table(), new_table()
    written = ddb.batch_write_item(RequestItems={
        one: [{"PutRequest": {"Item": {**key(n), "v": {"N": str(n)}}}} for n in range(20)],
        two: [{"PutRequest": {"Item": key(0)}}]}, ReturnConsumedCapacity="TOTAL")
    assert written["UnprocessedItems"] == {}
    assert {c["TableName"]: c["CapacityUnits"] for c in written["ConsumedCapacity"]} == {
        one: 20.0, two: 1.0}
    got = ddb.batch_get_item(RequestItems={
        one: {"Keys": [key(n) for n in range(0, 20, 2)] + [key(99)],
              "ProjectionExpression": "v"},
        two: {"Keys": [key(0)], "ConsistentRead": True}})
    assert sorted(int(item["v"]["N"]) for item in got["Responses"][one]) == list(
        range(0, 20, 2))
    assert got["Responses"][two] == [key(0)]
    assert got["UnprocessedKeys"] == {}
    ddb.batch_write_item(RequestItems={one: [{"DeleteRequest": {"Key": key(n)}}
                                             for n in range(10)]})
    assert ddb.scan(TableName=one)["Count"] == 10


def test_batch_limits_and_duplicates(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    code, _ = error_of(lambda: ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": key(n)}} for n in range(26)]}))
    assert code == "ValidationException"
    assert error_of(lambda: ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": key(1)}}, {"DeleteRequest": {"Key": key(1)}}]})) == (
        "ValidationException", "Provided list of item keys contains duplicates")
    assert error_of(lambda: ddb.batch_get_item(RequestItems={name: {
        "Keys": [key(1), key(1)]}})) == (
        "ValidationException", "Provided list of item keys contains duplicates")
    assert error_of(lambda: ddb.batch_get_item(RequestItems={name: {
        "Keys": [key(n) for n in range(101)]}})) == (
        "ValidationException", "Too many items requested for the BatchGetItem call")
    assert error_of(lambda: ddb.batch_get_item(RequestItems={"t-missing": {
        "Keys": [key(1)]}}))[0] == "ResourceNotFoundException"


def test_batch_get_returns_unprocessed_keys_past_16_mb(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    blob = "x" * 390_000
    for n in range(0, 50, 25):
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {**key(i), "blob": {"S": blob}}}} for i in range(n, n + 25)]})
    got = ddb.batch_get_item(RequestItems={name: {"Keys": [key(n) for n in range(50)]}})
    returned = len(got["Responses"][name])
    assert 40 <= returned < 50
    assert len(got["UnprocessedKeys"][name]["Keys"]) == 50 - returned
