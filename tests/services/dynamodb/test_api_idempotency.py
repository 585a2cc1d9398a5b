"""TransactWriteItems' ClientRequestToken across a server crash: a user retries a call
whose answer was lost, against a Nubes that was killed (``kill -9``) and restarted on the
same data directory, and the transaction is still written exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.conftest import CREDENTIALS
from tests.server import NubesServer
from tests.services.dynamodb.conftest import error_of

pytestmark = pytest.mark.slow

TABLE = "orders"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[NubesServer]:
    with NubesServer(tmp_path / "data") as started:
        yield started


def client(server: NubesServer) -> Any:
    return boto3.client("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}), **CREDENTIALS)


def restart(server: NubesServer) -> Any:
    """kill -9, start again on the same data directory and port; a fresh client."""
    server.kill()
    server.start()
    return client(server)


def create_table(ddb: Any) -> None:
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    ddb.get_waiter("table_exists").wait(TableName=TABLE,
                                        WaiterConfig={"Delay": 0.05, "MaxAttempts": 100})


def add_one(order: str) -> list[dict[str, Any]]:
    return [{"Update": {"TableName": TABLE, "Key": {"id": {"S": order}},
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}}]


def count(ddb: Any, order: str) -> str:
    return str(ddb.get_item(TableName=TABLE, Key={"id": {"S": order}},
                            ConsistentRead=True)["Item"]["n"]["N"])


def test_a_retry_after_kill_9_is_recognised(server: NubesServer) -> None:
    ddb = client(server)
    create_table(ddb)
    token = uuid.uuid4().hex
    first = ddb.transact_write_items(TransactItems=add_one("a"), ClientRequestToken=token,
                                     ReturnConsumedCapacity="TOTAL")
    ddb = restart(server)
    again = ddb.transact_write_items(TransactItems=add_one("a"), ClientRequestToken=token,
                                     ReturnConsumedCapacity="TOTAL")
    assert again["ConsumedCapacity"] == first["ConsumedCapacity"]
    assert count(ddb, "a") == "1"
    assert error_of(lambda: ddb.transact_write_items(
        TransactItems=add_one("b"), ClientRequestToken=token,
        ReturnConsumedCapacity="TOTAL")) == (
        "IdempotentParameterMismatchException",
        "One or more parameter values were invalid: The ClientRequestToken has already "
        "been used with a different request")
    assert "Item" not in ddb.get_item(TableName=TABLE, Key={"id": {"S": "b"}})
    ddb.transact_write_items(TransactItems=add_one("a"), ClientRequestToken=uuid.uuid4().hex)
    assert count(ddb, "a") == "2"


def test_a_cancelled_transaction_records_no_token(server: NubesServer) -> None:
    ddb = client(server)
    create_table(ddb)
    token = uuid.uuid4().hex
    guarded = [{"Put": {"TableName": TABLE, "Item": {"id": {"S": "c"}},
                        "ConditionExpression": "attribute_exists(id)"}}]
    code, _ = error_of(lambda: ddb.transact_write_items(TransactItems=guarded,
                                                         ClientRequestToken=token))
    assert code == "TransactionCanceledException"
    ddb.put_item(TableName=TABLE, Item={"id": {"S": "c"}, "v": {"S": "old"}})
    ddb = restart(server)
    ddb.transact_write_items(TransactItems=guarded, ClientRequestToken=token)
    assert ddb.get_item(TableName=TABLE, Key={"id": {"S": "c"}})["Item"] == {"id": {"S": "c"}}
