"""Event fixtures: clients, and a queue S3 may notify (its policy allows the bucket)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def sqs(make_client: Callable[..., Any]) -> Any:
    return make_client("sqs")


@pytest.fixture(scope="session")
def lam(make_client: Callable[..., Any]) -> Any:
    return make_client("lambda")


def queue_arn(sqs: Any, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    return arn


def s3_may_send(arn: str, bucket: str, account: str = "000000000000") -> str:
    """A queue policy letting S3 send the bucket's notifications, as AWS's docs write it."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "SQS:SendMessage", "Resource": arn,
        "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:*:*:{bucket}"},
                      "StringEquals": {"aws:SourceAccount": account}},
    }]})


@pytest.fixture
def notified_queue(sqs: Any, bucket: str) -> tuple[str, str]:
    """(url, ARN) of a new queue whose policy lets ``bucket`` notify it."""
    url: str = sqs.create_queue(QueueName=f"events-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    arn = queue_arn(sqs, url)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": s3_may_send(arn, bucket)})
    return url, arn


def receive_all(sqs: Any, url: str, count: int, wait_s: float = 10.0) -> list[dict[str, Any]]:
    """The bodies (parsed) of ``count`` messages, deleted as they are received."""
    bodies: list[dict[str, Any]] = []
    deadline = time.monotonic() + wait_s
    while len(bodies) < count and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in got.get("Messages", []):
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies
