"""Fixtures for the DynamoDB API tests: boto3's client and resource on the session's
server, and a factory of fresh tables (ACTIVE, removed after the test)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from tests.conftest import CREDENTIALS
from tests.server import NubesServer

NewTable = Callable[..., str]


@pytest.fixture(scope="session")
def ddb(make_client: Callable[..., Any]) -> Any:
    return make_client("dynamodb")


@pytest.fixture(scope="session")
def ddb_west(make_client: Callable[..., Any]) -> Any:
    """A client in another region, for tables with streams: they stay listed for 24 hours
    after their table is gone, and other tests count the default region's streams."""
    return make_client("dynamodb", region_name="us-west-2")


@pytest.fixture(scope="session")
def ddb_resource(nubes_server: NubesServer) -> Any:
    return boto3.resource("dynamodb", endpoint_url=nubes_server.endpoint,
                          region_name="us-east-1", **CREDENTIALS)


def key_schema(pk: str, pk_type: str, sk: str | None, sk_type: str | None
               ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    keys = [{"AttributeName": pk, "KeyType": "HASH"}]
    definitions = [{"AttributeName": pk, "AttributeType": pk_type}]
    if sk is not None and sk_type is not None:
        keys.append({"AttributeName": sk, "KeyType": "RANGE"})
        definitions.append({"AttributeName": sk, "AttributeType": sk_type})
    return keys, definitions


@pytest.fixture
def new_table(ddb: Any) -> Iterator[NewTable]:
    """new_table(pk="pk", pk_type="S", sk="sk", sk_type="N", client=ddb,
    **create_table_args) -> name."""
    made: list[tuple[Any, str]] = []

    def make(pk: str = "pk", pk_type: str = "S", sk: str | None = "sk",
             sk_type: str | None = "N", extra_definitions: tuple[tuple[str, str], ...] = (),
             client: Any = ddb, **kwargs: Any) -> str:
        name = f"t-{uuid.uuid4().hex[:12]}"
        keys, definitions = key_schema(pk, pk_type, sk, sk_type)
        definitions += [{"AttributeName": n, "AttributeType": t} for n, t in extra_definitions]
        kwargs.setdefault("BillingMode", "PAY_PER_REQUEST")
        client.create_table(TableName=name, KeySchema=keys,
                            AttributeDefinitions=definitions, **kwargs)
        client.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 100})
        made.append((client, name))
        return name

    yield make
    for client, name in made:
        try:
            client.update_table(TableName=name, DeletionProtectionEnabled=False)
            client.delete_table(TableName=name)
        except client.exceptions.ResourceNotFoundException:
            pass


def error_of(call: Callable[[], object]) -> tuple[str, str]:
    """(code, message) of the ClientError a call raises."""
    try:
        call()
    except Exception as error:  # botocore's ClientError
        response = getattr(error, "response", None)
        assert response is not None, error
        return response["Error"]["Code"], response["Error"]["Message"]
    raise AssertionError("no error")
