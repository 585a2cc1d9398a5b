"""AddPermission / RemovePermission, and another account using a queue once permitted."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.accounts import other_account
from tests.errors import error_of
from tests.server import NubesServer


def _policy(sqs: Any, queue: str) -> dict[str, Any] | None:
    text = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Policy"])[
        "Attributes"].get("Policy")
    return json.loads(text) if text else None


def test_add_permission_writes_a_statement_and_remove_takes_it_out(sqs: Any,
                                                                   queue: str) -> None:
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    sqs.add_permission(QueueUrl=queue, Label="senders", AWSAccountIds=["111122223333"],
                       Actions=["SendMessage"])
    policy = _policy(sqs, queue)
    assert policy is not None
    assert policy["Statement"] == [{
        "Sid": "senders", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SQS:SendMessage", "Resource": arn}]
    error = error_of(lambda: sqs.add_permission(
        QueueUrl=queue, Label="senders", AWSAccountIds=["111122223333"],
        Actions=["ReceiveMessage"]))
    assert error["Code"] == "InvalidParameterValue"
    assert "Already exists" in error["Message"]
    sqs.remove_permission(QueueUrl=queue, Label="senders")
    assert _policy(sqs, queue) is None
    error = error_of(lambda: sqs.remove_permission(QueueUrl=queue, Label="senders"))
    assert error["Code"] == "InvalidParameterValue"


def test_add_permission_refuses_owner_only_actions_and_too_many(sqs: Any, queue: str) -> None:
    error = error_of(lambda: sqs.add_permission(
        QueueUrl=queue, Label="x", AWSAccountIds=["111122223333"], Actions=["DeleteQueue"]))
    assert error["Code"] == "InvalidParameterValue"
    assert "Only the queue owner" in error["Message"]
    error = error_of(lambda: sqs.add_permission(
        QueueUrl=queue, Label="x", AWSAccountIds=["111122223333"],
        Actions=["SendMessage"] * 8))
    assert error["QueryErrorCode"] == "OverLimit"
    assert _policy(sqs, queue) is None


def test_another_account_sends_and_receives_once_permitted(
        nubes_server: NubesServer, make_client: Callable[..., Any], sqs: Any,
        queue: str) -> None:
    other = other_account(nubes_server, make_client, "444455556666", "sqs")
    refused = error_of(lambda: other.send_message(QueueUrl=queue, MessageBody="no"))
    assert refused["status"] == 403 and refused["QueryErrorCode"] == "AccessDenied"
    sqs.add_permission(QueueUrl=queue, Label="partner", AWSAccountIds=["444455556666"],
                       Actions=["SendMessage", "ReceiveMessage", "DeleteMessage",
                                "GetQueueUrl"])
    name, owner = queue.rsplit("/", 1)[1], queue.rsplit("/", 2)[1]
    assert other.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=owner)[
        "QueueUrl"] == queue
    other.send_message_batch(QueueUrl=queue, Entries=[{"Id": "a", "MessageBody": "yes"}])
    [message] = other.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
    assert message["Body"] == "yes"
    other.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    denied = error_of(lambda: other.purge_queue(QueueUrl=queue))  # not granted
    assert denied["QueryErrorCode"] == "AccessDenied"
    denied = error_of(lambda: other.set_queue_attributes(  # never grantable
        QueueUrl=queue, Attributes={"DelaySeconds": "1"}))
    assert denied["QueryErrorCode"] == "AccessDenied"
    sqs.remove_permission(QueueUrl=queue, Label="partner")
    assert error_of(lambda: other.send_message(QueueUrl=queue, MessageBody="no"))[
        "status"] == 403
