"""SQS fixtures: a client, a fresh standard queue per test, and a fresh FIFO queue."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def sqs(make_client: Callable[..., Any]) -> Any:
    return make_client("sqs")


def unique(prefix: str = "q") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def queue(sqs: Any) -> str:
    url: str = sqs.create_queue(QueueName=unique())["QueueUrl"]
    return url


@pytest.fixture
def fifo_queue(sqs: Any) -> str:
    url: str = sqs.create_queue(QueueName=f"{unique('f')}.fifo",
                                Attributes={"FifoQueue": "true"})["QueueUrl"]
    return url
