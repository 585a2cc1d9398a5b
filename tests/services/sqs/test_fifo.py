"""FIFO queues: order per message group, groups locked while in flight, deduplication."""

from __future__ import annotations

from typing import Any

from tests.errors import error_of
from tests.services.sqs.conftest import unique


def test_messages_of_a_group_come_in_order_with_increasing_sequence_numbers(
    sqs: Any, fifo_queue: str,
) -> None:
    sequences = [sqs.send_message(QueueUrl=fifo_queue, MessageBody=f"m{i}", MessageGroupId="g",
                                  MessageDeduplicationId=f"d{i}")["SequenceNumber"]
                 for i in range(5)]
    assert sequences == sorted(sequences, key=int)
    got = sqs.receive_message(QueueUrl=fifo_queue, MaxNumberOfMessages=10,
                              AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in got] == [f"m{i}" for i in range(5)]
    assert [m["Attributes"]["SequenceNumber"] for m in got] == sequences
    assert got[0]["Attributes"]["MessageGroupId"] == "g"
    assert got[0]["Attributes"]["MessageDeduplicationId"] == "d0"


def test_a_group_is_locked_while_one_of_its_messages_is_in_flight(
    sqs: Any, fifo_queue: str,
) -> None:
    for body, group in (("a1", "a"), ("a2", "a"), ("b1", "b")):
        sqs.send_message(QueueUrl=fifo_queue, MessageBody=body, MessageGroupId=group,
                         MessageDeduplicationId=body)
    (first,) = sqs.receive_message(QueueUrl=fifo_queue)["Messages"]
    assert first["Body"] == "a1"
    (second,) = sqs.receive_message(QueueUrl=fifo_queue)["Messages"]
    assert second["Body"] == "b1"  # a2 waits behind a1
    assert "Messages" not in sqs.receive_message(QueueUrl=fifo_queue)
    sqs.delete_message(QueueUrl=fifo_queue, ReceiptHandle=first["ReceiptHandle"])
    (third,) = sqs.receive_message(QueueUrl=fifo_queue)["Messages"]
    assert third["Body"] == "a2"


def test_deduplication_by_id_answers_the_first_message_id(sqs: Any, fifo_queue: str) -> None:
    first = sqs.send_message(QueueUrl=fifo_queue, MessageBody="x", MessageGroupId="g",
                             MessageDeduplicationId="same")
    again = sqs.send_message(QueueUrl=fifo_queue, MessageBody="y", MessageGroupId="g",
                             MessageDeduplicationId="same")
    assert again["MessageId"] == first["MessageId"]
    got = sqs.receive_message(QueueUrl=fifo_queue, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["x"]


def test_content_based_deduplication(sqs: Any) -> None:
    url = sqs.create_queue(QueueName=f"{unique('cbd')}.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    ids = {sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")["MessageId"]
           for _ in range(3)}
    assert len(ids) == 1
    sqs.send_message(QueueUrl=url, MessageBody="other", MessageGroupId="g")
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["same", "other"]


def test_fifo_parameters_are_required_and_checked(sqs: Any, fifo_queue: str) -> None:
    assert error_of(lambda: sqs.send_message(
        QueueUrl=fifo_queue, MessageBody="x", MessageDeduplicationId="d"))[
        "Code"] == "MissingParameter"
    assert error_of(lambda: sqs.send_message(
        QueueUrl=fifo_queue, MessageBody="x", MessageGroupId="g"))[
        "Code"] == "InvalidParameterValue"
    assert error_of(lambda: sqs.send_message(
        QueueUrl=fifo_queue, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d",
        DelaySeconds=3))["Code"] == "InvalidParameterValue"
    attributes = sqs.get_queue_attributes(QueueUrl=fifo_queue, AttributeNames=["All"])
    assert attributes["Attributes"]["FifoQueue"] == "true"
    assert attributes["Attributes"]["ContentBasedDeduplication"] == "false"
