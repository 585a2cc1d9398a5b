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
    """new_table(pk="pk", pk_type="S", sk="sk", sk_type="N", **create_table_args) -> name."""
    made: list[str] = []

    def make(pk: str = "pk", pk_type: str = "S", sk: str | None = "sk",
             sk_type: str | None = "N", extra_definitions: tuple[tuple[str, str], ...] = (),
             **kwargs: Any) -> str:
        name = f"t-{uuid.uuid4().hex[:12]}"
        keys, definitions = key_schema(pk, pk_type, sk, sk_type)
        definitions += [{"AttributeName": n, "AttributeType": t} for n, t in extra_definitions]
        kwargs.setdefault("BillingMode", "PAY_PER_REQUEST")
        ddb.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=definitions,
                         **kwargs)
        ddb.get_waiter("table_exists").wait(TableName=name,
                                            WaiterConfig={"Delay": 0.05, "MaxAttempts": 100})
        made.append(name)
        return name

    yield make
    for name in made:
        try:
            ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
            ddb.delete_table(TableName=name)
        except ddb.exceptions.ResourceNotFoundException:
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
