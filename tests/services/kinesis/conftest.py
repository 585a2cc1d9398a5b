"""Kinesis fixtures: a boto3 client on the session's server, and a new ACTIVE stream."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture(scope="session")
def kinesis(make_client: Callable[..., Any]) -> Any:
    return make_client("kinesis")


@pytest.fixture
def make_stream(kinesis: Any) -> Callable[..., str]:
    """make_stream(shards=1, **create_args) -> the name of a new, ACTIVE stream."""

    def make(shards: int | None = 1, **kwargs: Any) -> str:
        name = f"s-{uuid.uuid4().hex[:12]}"
        if shards is not None:
            kwargs["ShardCount"] = shards
        kinesis.create_stream(StreamName=name, **kwargs)
        kinesis.get_waiter("stream_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        return name

    return make


@pytest.fixture
def stream(make_stream: Callable[..., str]) -> str:
    return make_stream(2)


def error_code(call: Callable[[], Any]) -> tuple[str, str]:
    """The (code, message) of the ClientError ``call`` raises."""
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]
