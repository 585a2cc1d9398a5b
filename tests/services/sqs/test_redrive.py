"""Dead-letter queues: redrive after maxReceiveCount, and move tasks back to the source."""

from __future__ import annotations

import json
from typing import Any

from tests.errors import error_of
from tests.services.sqs.conftest import unique


def _arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    arn: str = attributes["Attributes"]["QueueArn"]
    return arn


def _with_dead_letter(sqs: Any, max_receives: int) -> tuple[str, str]:
    dlq = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": max_receives})
    source = sqs.create_queue(QueueName=unique("src"), Attributes={
        "RedrivePolicy": policy})["QueueUrl"]
    return source, dlq


def test_a_message_received_max_receive_count_times_moves_to_the_dead_letter_queue(
    sqs: Any,
) -> None:
    source, dlq = _with_dead_letter(sqs, 2)
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison")
    for _ in range(2):
        (got,) = sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"]
        assert got["MessageId"] == sent["MessageId"]
    assert "Messages" not in sqs.receive_message(QueueUrl=source)
    (dead,) = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0)["Messages"]
    assert dead["MessageId"] == sent["MessageId"]
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [source]


def test_a_move_task_returns_dead_letters_to_their_source(sqs: Any) -> None:
    source, dlq = _with_dead_letter(sqs, 1)
    sqs.send_message(QueueUrl=source, MessageBody="retry me")
    sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
    assert "Messages" not in sqs.receive_message(QueueUrl=source)  # moved on this receive
    handle = sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))["TaskHandle"]
    assert handle
    (back,) = sqs.receive_message(QueueUrl=source, AttributeNames=["All"])["Messages"]
    assert back["Body"] == "retry me"
    assert back["Attributes"]["ApproximateReceiveCount"] == "1"
    (task,) = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"]
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 1
    assert error_of(lambda: sqs.cancel_message_move_task(TaskHandle=handle))[
        "Code"] == "ResourceNotFoundException"


def test_a_move_task_needs_a_dead_letter_queue(sqs: Any, queue: str) -> None:
    error = error_of(lambda: sqs.start_message_move_task(SourceArn=_arn(sqs, queue)))
    assert error["Code"] == "InvalidParameterValue"


def test_a_bad_redrive_policy_is_refused(sqs: Any, queue: str) -> None:
    error = error_of(lambda: sqs.set_queue_attributes(
        QueueUrl=queue, Attributes={"RedrivePolicy": "{\"maxReceiveCount\": 5}"}))
    assert error["Code"] == "InvalidAttributeValue"


def test_redrive_policy_must_name_an_existing_queue_of_the_same_type(sqs: Any, queue: str,
                                                                   fifo_queue: str) -> None:
    missing = json.dumps({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:nope",
                          "maxReceiveCount": 3})
    error = error_of(lambda: sqs.set_queue_attributes(
        QueueUrl=queue, Attributes={"RedrivePolicy": missing}))
    assert error["Code"] == "InvalidParameterValue"
    assert "Dead letter target does not exist" in error["Message"]
    fifo_arn = sqs.get_queue_attributes(QueueUrl=fifo_queue, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    mixed = json.dumps({"deadLetterTargetArn": fifo_arn, "maxReceiveCount": 3})
    error = error_of(lambda: sqs.set_queue_attributes(
        QueueUrl=queue, Attributes={"RedrivePolicy": mixed}))
    assert "same type of queue" in error["Message"]
    error = error_of(lambda: sqs.create_queue(QueueName=unique(),
                                              Attributes={"RedrivePolicy": missing}))
    assert error["Code"] == "InvalidParameterValue"
    assert sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])[
        "Attributes"].get("RedrivePolicy") is None
