"""EventBridge fixtures: clients, error inspection, and destinations (queues and
functions) that let a rule deliver to them."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.functions import printing_function


@pytest.fixture(scope="session")
def events(make_client: Callable[..., Any]) -> Any:
    return make_client("events")


@pytest.fixture(scope="session")
def sqs(make_client: Callable[..., Any]) -> Any:
    return make_client("sqs")


@pytest.fixture(scope="session")
def lam(make_client: Callable[..., Any]) -> Any:
    return make_client("lambda")


def unique(prefix: str = "r") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# -- destinations: a queue and a function that let a rule deliver -------------------------

def events_may_send(queue_arn: str, rule_arn: str) -> str:
    """A queue policy letting a rule send to the queue, as AWS's docs write it."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "events", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
    }]})


def new_queue(sqs: Any, fifo: bool = False) -> tuple[str, str]:
    """(url, ARN) of a new queue."""
    name = unique("q") + (".fifo" if fifo else "")
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    return url, arn


def allow_rule(sqs: Any, url: str, queue_arn: str, rule_arn: str) -> None:
    sqs.set_queue_attributes(QueueUrl=url,
                             Attributes={"Policy": events_may_send(queue_arn, rule_arn)})


def received(sqs: Any, url: str, count: int, wait_s: float = 10.0) -> list[dict[str, Any]]:
    """``count`` messages (bodies and attributes), deleted as they are received."""
    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + wait_s
    while len(messages) < count and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                  AttributeNames=["All"])
        for message in got.get("Messages", []):
            messages.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return messages


@pytest.fixture
def function(lam: Any) -> tuple[str, str]:
    """(name, ARN) of a new Active function printing its events."""
    return printing_function(lam, unique("fn"))


def allow_events(lam: Any, name: str, rule_arn: str, sid: str = "events") -> None:
    lam.add_permission(FunctionName=name, StatementId=sid, Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceArn=rule_arn)
