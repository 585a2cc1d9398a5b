"""examples/fan-out: one message published to the topic reaches both queues (one raw, one
in SNS's envelope) and the audit function."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from nubes.examples_deploy import Deployed, Deployer
from tests.e2e.conftest import eventually

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fan_out(deploy: Callable[..., Deployed]) -> Deployed:
    return deploy("fan-out")


def receive_one(aws: Deployer, queue: str) -> dict[str, Any] | None:
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]

    def one() -> dict[str, Any] | None:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1,
                                  MessageAttributeNames=["All"])
        for message in got.get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            found: dict[str, Any] = message
            return found
        return None

    result: dict[str, Any] | None = eventually(one, wait_s=20, every_s=0)
    return result


def audit_lines(aws: Deployer) -> list[str]:
    try:
        got = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/order-audit",
                                                   filterPattern="audit")
    except ClientError:
        return []
    return [event["message"] for event in got["events"]]


def test_a_published_order_reaches_both_queues_and_the_function(
        aws: Deployer, fan_out: Deployed) -> None:
    sns = aws.client("sns")
    topic = next(t["TopicArn"] for t in sns.list_topics()["Topics"]
                 if t["TopicArn"].endswith(":orders"))
    order = {"order": uuid.uuid4().hex, "item": "widget", "qty": 3}
    message_id = sns.publish(
        TopicArn=topic, Message=json.dumps(order), Subject="new order",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "retail"}}
    )["MessageId"]

    billing = receive_one(aws, "orders-billing")
    assert billing is not None, "orders-billing got nothing"
    assert json.loads(billing["Body"]) == order  # raw message delivery
    assert billing["MessageAttributes"]["kind"]["StringValue"] == "retail"

    shipping = receive_one(aws, "orders-shipping")
    assert shipping is not None, "orders-shipping got nothing"
    envelope = json.loads(shipping["Body"])
    assert (envelope["Type"], envelope["MessageId"], envelope["TopicArn"]) == (
        "Notification", message_id, topic)
    assert json.loads(envelope["Message"]) == order
    assert envelope["Subject"] == "new order"
    assert envelope["MessageAttributes"]["kind"] == {"Type": "String", "Value": "retail"}

    lines = eventually(lambda: [line for line in audit_lines(aws) if message_id in line],
                       wait_s=20, every_s=0.2)
    assert lines, audit_lines(aws)
    assert f"from {topic}: kind=retail" in lines[0]
    assert json.dumps(order, sort_keys=True) in lines[0]
