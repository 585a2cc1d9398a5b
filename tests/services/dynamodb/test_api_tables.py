"""DynamoDB's control plane through boto3: tables, indexes, TTL, tags, limits, endpoints."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.services.dynamodb.conftest import NewTable, error_of, key_schema

INVALID = "One or more parameter values were invalid: "


def test_create_answers_creating_and_the_waiter_sees_active(ddb: Any) -> None:
    keys, definitions = key_schema("pk", "S", None, None)
    created = ddb.create_table(TableName="lifecycle", KeySchema=keys,
                               AttributeDefinitions=definitions,
                               ProvisionedThroughput={"ReadCapacityUnits": 5,
                                                      "WriteCapacityUnits": 7})
    assert created["TableDescription"]["TableStatus"] == "CREATING"
    ddb.get_waiter("table_exists").wait(TableName="lifecycle")
    table = ddb.describe_table(TableName="lifecycle")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/lifecycle"
    assert len(table["TableId"]) == 36
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    assert table["ItemCount"] == 0 and table["TableSizeBytes"] == 0
    assert table["DeletionProtectionEnabled"] is False
    assert "BillingModeSummary" not in table
    assert error_of(lambda: ddb.create_table(
        TableName="lifecycle", KeySchema=keys, AttributeDefinitions=definitions,
        BillingMode="PAY_PER_REQUEST")) == (
        "ResourceInUseException", "Table already exists: lifecycle")
    deleted = ddb.delete_table(TableName="lifecycle")
    assert deleted["TableDescription"]["TableStatus"] == "DELETING"
    ddb.get_waiter("table_not_exists").wait(TableName="lifecycle")
    code, message = error_of(lambda: ddb.describe_table(TableName="lifecycle"))
    assert code == "ResourceNotFoundException"
    assert message.startswith("Requested resource not found")


def test_resource_api_waits_until_exists(ddb_resource: Any, ddb: Any) -> None:
    table = ddb_resource.create_table(
        TableName="resource-made", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    table.wait_until_exists()
    table.reload()  # the resource keeps CreateTable's answer until reloaded, as on AWS
    assert table.table_status == "ACTIVE"
    assert table.billing_mode_summary["BillingMode"] == "PAY_PER_REQUEST"
    assert table.provisioned_throughput["ReadCapacityUnits"] == 0
    table.delete()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"AttributeDefinitions": [{"AttributeName": "other", "AttributeType": "S"}]},
     INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
     "Keys: [pk], AttributeDefinitions: [other]"),
    ({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                               {"AttributeName": "extra", "AttributeType": "S"}]},
     INVALID + "Number of attributes in KeySchema does not exactly match number of "
     "attributes defined in AttributeDefinitions"),
    ({"BillingMode": "PROVISIONED"},
     INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
     "BillingMode is PROVISIONED"),
    ({"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
     INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
     "BillingMode is PAY_PER_REQUEST"),
    ({"KeySchema": [{"AttributeName": "pk", "KeyType": "RANGE"}]},
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
])
def test_create_refuses_bad_schemas(ddb: Any, kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        "TableName": "refused", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST"}
    args.update(kwargs)
    if "ProvisionedThroughput" in kwargs:
        args["BillingMode"] = "PAY_PER_REQUEST"
    assert error_of(lambda: ddb.create_table(**args)) == ("ValidationException", message)


def test_lsi_rules(ddb: Any) -> None:
    keys, definitions = key_schema("pk", "S", "sk", "N")
    definitions.append({"AttributeName": "l", "AttributeType": "S"})
    lsi = {"IndexName": "by_l", "Projection": {"ProjectionType": "ALL"},
           "KeySchema": [{"AttributeName": "other", "KeyType": "HASH"},
                         {"AttributeName": "l", "KeyType": "RANGE"}]}
    definitions.append({"AttributeName": "other", "AttributeType": "S"})
    code, message = error_of(lambda: ddb.create_table(
        TableName="lsi-bad", KeySchema=keys, AttributeDefinitions=definitions,
        BillingMode="PAY_PER_REQUEST", LocalSecondaryIndexes=[lsi]))
    assert code == "ValidationException"
    assert "does not have the same leading hash key" in message
    six = [{**lsi, "IndexName": f"idx{n}", "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}]}
        for n in range(6)]
    assert error_of(lambda: ddb.create_table(
        TableName="lsi-many", KeySchema=keys, AttributeDefinitions=definitions[:3],
        BillingMode="PAY_PER_REQUEST", LocalSecondaryIndexes=six)) == (
        "ValidationException",
        INVALID + "Number of LocalSecondaryIndexes exceeds per-table limit of 5")


def test_describe_shows_indexes_and_streams(ddb_west: Any, new_table: NewTable) -> None:
    ddb = ddb_west
    name = new_table(client=ddb,
        extra_definitions=(("g", "S"), ("l", "S")),
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "Projection": {
            "ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}],
        LocalSecondaryIndexes=[{"IndexName": "by_l", "Projection": {
            "ProjectionType": "KEYS_ONLY"}, "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "l", "KeyType": "RANGE"}]}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        Tags=[{"Key": "team", "Value": "a"}])
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}})
    table = ddb.describe_table(TableName=name)["Table"]
    (gsi,) = table["GlobalSecondaryIndexes"]
    assert gsi["IndexStatus"] == "ACTIVE" and gsi["ItemCount"] == 1
    assert gsi["IndexArn"] == table["TableArn"] + "/index/by_g"
    assert gsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}
    assert table["LocalSecondaryIndexes"][0]["ItemCount"] == 0
    assert table["ItemCount"] == 1
    assert table["StreamSpecification"] == {"StreamEnabled": True,
                                            "StreamViewType": "NEW_IMAGE"}
    assert table["LatestStreamArn"] == f"{table['TableArn']}/stream/{table['LatestStreamLabel']}"
    tags = ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "a"}]


def test_list_tables_pages(ddb: Any, new_table: NewTable) -> None:
    names = sorted(new_table(sk=None) for _ in range(3))
    seen: list[str] = []
    start: dict[str, str] = {}
    while True:
        page = ddb.list_tables(Limit=2, **start)
        seen.extend(page["TableNames"])
        if "LastEvaluatedTableName" not in page:
            break
        start = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
    assert set(names) <= set(seen) and seen == sorted(seen)
    code, _ = error_of(lambda: ddb.list_tables(Limit=101))
    assert code == "ValidationException"


def test_update_table_billing_stream_and_protection(ddb_west: Any, new_table: NewTable
                                                    ) -> None:
    ddb = ddb_west
    name = new_table(client=ddb)
    updated = ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                               ProvisionedThroughput={"ReadCapacityUnits": 3,
                                                      "WriteCapacityUnits": 4})
    assert updated["TableDescription"]["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    first = ddb.update_table(TableName=name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    time.sleep(0.002)
    second = ddb.update_table(TableName=name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    assert first["LatestStreamArn"] != second["LatestStreamArn"]
    ddb.update_table(TableName=name, DeletionProtectionEnabled=True)
    code, message = error_of(lambda: ddb.delete_table(TableName=name))
    assert code == "ValidationException" and "protected against deletion" in message


def test_gsi_created_online_is_backfilled(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    for n in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"p{n}"}, "sk": {"N": "1"},
                                           "g": {"S": "even" if n % 2 == 0 else "odd"}})
    described = ddb.update_table(
        TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}])["TableDescription"]
    assert described["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    deadline = time.monotonic() + 5
    while ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0][
            "IndexStatus"] != "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    found = ddb.query(TableName=name, IndexName="by_g", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "even"}})
    assert found["Count"] == 3
    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[
        {"Delete": {"IndexName": "by_g"}}])
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]


def test_ttl_settings(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    assert error_of(lambda: ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})) == (
        "ValidationException", "TimeToLive is already enabled")


@pytest.mark.slow
def test_expired_items_are_reaped(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    past, future = str(int(time.time()) - 10), str(int(time.time()) + 3600)
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}, "sk": {"N": "1"},
                                       "expires": {"N": past}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "new"}, "sk": {"N": "1"},
                                       "expires": {"N": future}})
    deadline = time.monotonic() + 15
    while ddb.scan(TableName=name)["Count"] != 1:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert ddb.scan(TableName=name)["Items"][0]["pk"] == {"S": "new"}


def test_tags(ddb: Any, new_table: NewTable) -> None:
    name = new_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"},
                                            {"Key": "b", "Value": "2"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    code, _ = error_of(lambda: ddb.list_tags_of_resource(ResourceArn=arn + "x"))
    assert code == "ResourceNotFoundException"


def test_limits_and_endpoints(ddb: Any, nubes_server: Any) -> None:
    limits = ddb.describe_limits()
    assert limits["TableMaxWriteCapacityUnits"] == 40000
    (endpoint,) = ddb.describe_endpoints()["Endpoints"]
    assert endpoint == {"Address": f"127.0.0.1:{nubes_server.port}",
                        "CachePeriodInMinutes": 1440}
