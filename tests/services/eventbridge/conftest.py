"""EventBridge fixtures: clients, error inspection, and destinations (queues and
functions) that let a rule deliver to them."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


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


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    """The error boto3 raised for a call (``Code``, ``Message``) and its HTTP status."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return {**response["Error"], "status": response["ResponseMetadata"]["HTTPStatusCode"]}


# -- destinations: a queue and a function that let a rule deliver -------------------------

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
# The function prints the event it got; tests read it back through CloudWatch Logs.
HANDLER = (
    "import json\n"
    "def handler(event, context):\n"
    "    print('EVENT ' + json.dumps(event))\n"
    "    return 'ok'\n"
)


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


def package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


@pytest.fixture
def function(lam: Any) -> tuple[str, str]:
    """(name, ARN) of a new Active function printing its events."""
    name = unique("fn")
    arn: str = lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": package()})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 200})
    return name, arn


def allow_events(lam: Any, name: str, rule_arn: str, sid: str = "events") -> None:
    lam.add_permission(FunctionName=name, StatementId=sid, Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceArn=rule_arn)


def printed_events(logs: Any, name: str, count: int, wait_s: float = 20.0) -> list[Any]:
    """The events a function printed, once there are ``count`` (or the wait ends)."""
    deadline = time.monotonic() + wait_s
    found: list[Any] = []
    while time.monotonic() < deadline:
        try:
            got = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")
        except ClientError:
            got = {"events": []}
        found = [json.loads(e["message"].split("EVENT ", 1)[1])
                 for e in got["events"] if e["message"].startswith("EVENT ")]
        if len(found) >= count:
            break
        time.sleep(0.1)
    return found
