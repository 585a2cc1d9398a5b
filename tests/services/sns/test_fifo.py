"""FIFO topics to FIFO queues: order per message group, deduplication, sequence numbers."""

from __future__ import annotations

import json
from typing import Any

from tests.errors import error_of
from tests.services.sns.conftest import new_queue, receive, subscribed_queue, unique


def test_order_is_kept_per_group(sns: Any, sqs: Any, fifo_topic: str) -> None:
    url, _ = subscribed_queue(sns, sqs, fifo_topic)
    sequences = []
    for i in range(10):
        answer = sns.publish(TopicArn=fifo_topic, Message=f"m{i}", MessageGroupId="g",
                             MessageDeduplicationId=f"d{i}")
        sequences.append(int(answer["SequenceNumber"]))
    assert sequences == sorted(sequences) and len(set(sequences)) == 10
    got = receive(sqs, url, 10, settle=True)
    bodies = [json.loads(m["Body"]) for m in got]
    assert [b["Message"] for b in bodies] == [f"m{i}" for i in range(10)]
    assert [int(b["SequenceNumber"]) for b in bodies] == sequences
    assert all("Signature" not in b for b in bodies)  # FIFO envelopes are not signed
    assert {m["Attributes"]["MessageGroupId"] for m in got} == {"g"}


def test_duplicates_within_five_minutes_are_dropped(sns: Any, sqs: Any, fifo_topic: str
                                                    ) -> None:
    url, _ = subscribed_queue(sns, sqs, fifo_topic, RawMessageDelivery="true")
    first = sns.publish(TopicArn=fifo_topic, Message="once", MessageGroupId="g",
                        MessageDeduplicationId="same")
    again = sns.publish(TopicArn=fifo_topic, Message="once more", MessageGroupId="g",
                        MessageDeduplicationId="same")
    assert again["MessageId"] == first["MessageId"]
    assert again["SequenceNumber"] == first["SequenceNumber"]
    assert [m["Body"] for m in receive(sqs, url, 1, settle=True)] == ["once"]


def test_content_based_deduplication(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name=f"{unique()}.fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    url, _ = subscribed_queue(sns, sqs, topic, RawMessageDelivery="true")
    for body in ("a", "a", "b"):
        sns.publish(TopicArn=topic, Message=body, MessageGroupId="g")
    assert [m["Body"] for m in receive(sqs, url, 2, settle=True)] == ["a", "b"]


def test_fifo_publish_needs_a_group_and_a_deduplication(sns: Any, fifo_topic: str) -> None:
    error = error_of(lambda: sns.publish(TopicArn=fifo_topic, Message="m"))
    assert "MessageGroupId" in error["Message"] and error["Code"] == "InvalidParameter"
    error = error_of(lambda: sns.publish(TopicArn=fifo_topic, Message="m", MessageGroupId="g"))
    assert "ContentBasedDeduplication" in error["Message"]


def test_fifo_batches_keep_their_order(sns: Any, sqs: Any, fifo_topic: str) -> None:
    url, _ = subscribed_queue(sns, sqs, fifo_topic, RawMessageDelivery="true")
    answer = sns.publish_batch(TopicArn=fifo_topic, PublishBatchRequestEntries=[
        {"Id": f"e{i}", "Message": f"m{i}", "MessageGroupId": "g",
         "MessageDeduplicationId": f"b{i}"} for i in range(5)])
    assert [e["Id"] for e in answer["Successful"]] == [f"e{i}" for i in range(5)]
    assert all("SequenceNumber" in e for e in answer["Successful"])
    assert [m["Body"] for m in receive(sqs, url, 5)] == [f"m{i}" for i in range(5)]


def test_a_fifo_topic_may_feed_a_standard_queue(sns: Any, sqs: Any, fifo_topic: str) -> None:
    url, arn = new_queue(sqs, fifo_topic)
    sns.subscribe(TopicArn=fifo_topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=fifo_topic, Message="to standard", MessageGroupId="g",
                MessageDeduplicationId="x")
    assert json.loads(receive(sqs, url, 1)[0]["Body"])["Message"] == "to standard"
