"""Query and Scan through boto3: key conditions both ways, indexes, paging, filters,
Select, segments."""

from __future__ import annotations

from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key

from tests.services.dynamodb.conftest import NewTable, error_of

INDEXED = {
    "extra_definitions": (("g", "S"), ("l", "S")),
    "GlobalSecondaryIndexes": [{
        "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                           {"AttributeName": "sk", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    "LocalSecondaryIndexes": [{
        "IndexName": "by_l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                           {"AttributeName": "l", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["odd"]}}],
}


@pytest.fixture
def loaded(ddb_resource: Any, new_table: NewTable) -> Any:
    """A table with pk "p" holding sk 1..10 (g "all", l "l01".."l10", odd for odd sk)."""
    table = ddb_resource.Table(new_table(**INDEXED))
    with table.batch_writer() as batch:
        for n in range(1, 11):
            item = {"pk": "p", "sk": n, "g": "all", "l": f"l{n:02d}", "body": "x" * 10}
            if n % 2:
                item["odd"] = True
            batch.put_item(Item=item)
        batch.put_item(Item={"pk": "other", "sk": 1, "g": "all", "l": "l01"})
    return table


@pytest.mark.parametrize(("condition", "expected"), [
    (Key("sk").eq(3), [3]),
    (Key("sk").lt(3), [1, 2]),
    (Key("sk").lte(3), [1, 2, 3]),
    (Key("sk").gt(8), [9, 10]),
    (Key("sk").gte(8), [8, 9, 10]),
    (Key("sk").between(4, 6), [4, 5, 6]),
])
def test_sort_key_conditions_both_ways(loaded: Any, condition: Any, expected: list[int]
                                       ) -> None:
    forward = loaded.query(KeyConditionExpression=Key("pk").eq("p") & condition)
    assert [int(item["sk"]) for item in forward["Items"]] == expected
    backward = loaded.query(KeyConditionExpression=Key("pk").eq("p") & condition,
                            ScanIndexForward=False)
    assert [int(item["sk"]) for item in backward["Items"]] == expected[::-1]


def test_begins_with_on_an_lsi(loaded: Any) -> None:
    found = loaded.query(IndexName="by_l",
                         KeyConditionExpression=Key("pk").eq("p") & Key("l").begins_with("l0"))
    assert [item["l"] for item in found["Items"]] == [f"l0{n}" for n in range(1, 10)]
    assert set(found["Items"][0]) == {"pk", "sk", "l", "odd"}  # INCLUDE projection
    full = loaded.query(IndexName="by_l", Select="ALL_ATTRIBUTES",
                        KeyConditionExpression=Key("pk").eq("p") & Key("l").eq("l02"))
    assert full["Items"][0]["body"] == "x" * 10  # fetched from the table


def test_gsi_reads_are_eventually_consistent_and_keys_only(loaded: Any, ddb: Any) -> None:
    found = loaded.query(IndexName="by_g", KeyConditionExpression=Key("g").eq("all"))
    assert found["Count"] == 11
    assert set(found["Items"][0]) == {"pk", "sk", "g"}
    assert error_of(lambda: loaded.query(IndexName="by_g", ConsistentRead=True,
                                         KeyConditionExpression=Key("g").eq("all"))) == (
        "ValidationException", "Consistent reads are not supported on global secondary indexes")
    code, _ = error_of(lambda: loaded.query(IndexName="by_g", Select="ALL_ATTRIBUTES",
                                            KeyConditionExpression=Key("g").eq("all")))
    assert code == "ValidationException"


def test_paging_with_last_evaluated_key(loaded: Any) -> None:
    seen: list[int] = []
    start: dict[str, Any] = {}
    while True:
        page = loaded.query(KeyConditionExpression=Key("pk").eq("p"), Limit=3, **start)
        seen.extend(int(item["sk"]) for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        assert set(page["LastEvaluatedKey"]) == {"pk", "sk"}
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    assert seen == list(range(1, 11))
    index_page = loaded.query(IndexName="by_g", KeyConditionExpression=Key("g").eq("all"),
                              Limit=2)
    assert set(index_page["LastEvaluatedKey"]) == {"pk", "sk", "g"}
    rest = loaded.query(IndexName="by_g", KeyConditionExpression=Key("g").eq("all"),
                        ExclusiveStartKey=index_page["LastEvaluatedKey"])
    assert rest["Count"] == 9


def test_filters_count_after_limit(loaded: Any) -> None:
    page = loaded.query(KeyConditionExpression=Key("pk").eq("p"), Limit=4,
                        FilterExpression=Attr("odd").exists())
    assert page["ScannedCount"] == 4 and page["Count"] == 2
    counted = loaded.query(KeyConditionExpression=Key("pk").eq("p"), Select="COUNT",
                           FilterExpression=Attr("odd").eq(True))
    assert counted["Count"] == 5 and "Items" not in counted
    projected = loaded.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").eq(1),
                             ProjectionExpression="sk, odd")
    assert projected["Items"] == [{"sk": 1, "odd": True}]


def test_key_condition_errors(loaded: Any, ddb: Any) -> None:
    name = loaded.name
    assert error_of(lambda: ddb.query(
        TableName=name, KeyConditionExpression="sk = :v",
        ExpressionAttributeValues={":v": {"N": "1"}})) == (
        "ValidationException", "Query condition missed key schema element: pk")
    assert error_of(lambda: ddb.query(
        TableName=name, KeyConditionExpression="pk = :v",
        ExpressionAttributeValues={":v": {"N": "1"}})) == (
        "ValidationException",
        "One or more parameter values were invalid: Condition parameter type does not match "
        "schema type")


def test_scan_segments_cover_the_table_once(loaded: Any) -> None:
    seen: list[tuple[str, int]] = []
    for segment in range(4):
        page = loaded.scan(Segment=segment, TotalSegments=4)
        seen.extend((item["pk"], int(item["sk"])) for item in page["Items"])
    assert sorted(seen) == sorted([("p", n) for n in range(1, 11)] + [("other", 1)])
    assert loaded.scan(Select="COUNT", FilterExpression=Attr("sk").gt(5))["Count"] == 5
    code, message = error_of(lambda: loaded.scan(Segment=4, TotalSegments=4))
    assert code == "ValidationException" and "Segment: 4" in message


def test_scan_pages_through_everything(loaded: Any) -> None:
    count = 0
    start: dict[str, Any] = {}
    while True:
        page = loaded.scan(Limit=4, **start)
        count += page["Count"]
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    assert count == 11


@pytest.mark.slow
def test_pages_stop_at_one_megabyte(ddb_resource: Any, new_table: NewTable) -> None:
    table = ddb_resource.Table(new_table())
    with table.batch_writer() as batch:
        for n in range(30):
            batch.put_item(Item={"pk": "p", "sk": n, "blob": "x" * 100_000})
    page = table.query(KeyConditionExpression=Key("pk").eq("p"))
    assert page["Count"] == 11 and "LastEvaluatedKey" in page
    rest = table.query(KeyConditionExpression=Key("pk").eq("p"),
                       ExclusiveStartKey=page["LastEvaluatedKey"])
    assert rest["Items"][0]["sk"] == 11
