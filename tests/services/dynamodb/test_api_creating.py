"""Tables and indexes still being created, as a user sees them through boto3.

AWS serves reads and writes only on an ACTIVE table: on a CREATING one they answer
ResourceNotFoundException ("its status might not be ACTIVE"), and a global secondary index
that is still CREATING refuses Query and Scan while the table's writes go on. Nubes
finishes its own creations right after CreateTable answers, so these tests play another
Nubes process sharing the server's store that is halfway through a creation.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from nubes.services.dynamodb.schema import Index, IndexKind, KeySchema
from nubes.services.dynamodb.store import DynamoStore
from nubes.services.dynamodb.table_spec import create_table_spec
from nubes.storage.sqlite import Database
from tests.server import NubesServer
from tests.services.dynamodb.conftest import NewTable, error_of

NOT_FOUND = ("ResourceNotFoundException", "Requested resource not found")


@pytest.fixture
def other_process(nubes_server: NubesServer) -> Iterator[DynamoStore]:
    """The server's DynamoDB store, opened as another process would open it."""
    db = Database(nubes_server.data_dir / "nubes.db")
    yield DynamoStore(db)
    db.close()


def data_calls(ddb: Any, name: str) -> list[Callable[[], object]]:
    key = {"pk": {"S": "a"}}
    return [
        lambda: ddb.put_item(TableName=name, Item=key),
        lambda: ddb.get_item(TableName=name, Key=key),
        lambda: ddb.update_item(TableName=name, Key=key, UpdateExpression="SET v = :v",
                                ExpressionAttributeValues={":v": {"S": "x"}}),
        lambda: ddb.delete_item(TableName=name, Key=key),
        lambda: ddb.query(TableName=name, KeyConditionExpression="pk = :a",
                          ExpressionAttributeValues={":a": {"S": "a"}}),
        lambda: ddb.scan(TableName=name),
        lambda: ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": key}}]}),
        lambda: ddb.batch_get_item(RequestItems={name: {"Keys": [key]}}),
        lambda: ddb.transact_write_items(TransactItems=[{"Put": {"TableName": name,
                                                                 "Item": key}}]),
        lambda: ddb.transact_get_items(TransactItems=[{"Get": {"TableName": name,
                                                               "Key": key}}]),
    ]


def test_a_creating_table_refuses_reads_and_writes(ddb: Any,
                                                   other_process: DynamoStore) -> None:
    name = f"t-{uuid.uuid4().hex[:12]}"
    table = other_process.create_table(create_table_spec("000000000000", "us-east-1", {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}))
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "CREATING"
    for call in data_calls(ddb, name):
        assert error_of(call) == NOT_FOUND
    other_process.save_table(dataclasses.replace(table, status="ACTIVE"))
    # Served at once: this server does not wait for its cached CREATING table to expire.
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    ddb.delete_table(TableName=name)


def test_a_creating_index_refuses_reads_but_not_writes(
        ddb: Any, new_table: NewTable, other_process: DynamoStore) -> None:
    name = new_table(sk=None)
    table = other_process.get_table("000000000000", "us-east-1", name)
    assert table is not None
    index = Index("by_g", IndexKind.GLOBAL, KeySchema("g", "S"), status="CREATING")
    table = other_process.add_index(table, index)
    described = ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
    assert (described["IndexStatus"], described["Backfilling"]) == ("CREATING", True)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    by_g: dict[str, Any] = {"TableName": name, "IndexName": "by_g"}
    query = {**by_g, "KeyConditionExpression": "g = :x",
             "ExpressionAttributeValues": {":x": {"S": "x"}}}
    refused = ("ValidationException", "Cannot read from backfilling global secondary index: by_g")
    assert error_of(lambda: ddb.query(**query)) == refused
    assert error_of(lambda: ddb.scan(**by_g)) == refused
    other_process.save_table(dataclasses.replace(
        table, indexes=tuple(dataclasses.replace(i, status="ACTIVE") for i in table.indexes)))
    assert ddb.query(**query)["Items"] == [{"pk": {"S": "a"}, "g": {"S": "x"}}]
