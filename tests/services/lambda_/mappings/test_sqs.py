"""SQS queues mapped to functions: AWS's event shape, deletes on success, redelivery and
redrive on failure, ReportBatchItemFailures, batching, FIFO order, disable and enable."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from tests.services.lambda_.mappings.conftest import (
    deploy,
    make_queue,
    received,
    wait_state,
)


def counts(sqs: Any, url: str) -> tuple[int, int]:
    """(visible, in flight) messages of a queue."""
    found = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                      "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return (int(found["ApproximateNumberOfMessages"]),
            int(found["ApproximateNumberOfMessagesNotVisible"]))


def wait_counts(sqs: Any, url: str, expected: tuple[int, int], wait_s: float = 20.0) -> None:
    deadline = time.monotonic() + wait_s
    while counts(sqs, url) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert counts(sqs, url) == expected


def test_a_message_arrives_in_aws_shape_and_is_deleted(
        lam: Any, sqs: Any, record: tuple[str, str]) -> None:
    url, arn = make_queue(sqs)
    name = deploy(lam, record[0])
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["State"] == "Creating"
    assert created["BatchSize"] == 10
    wait_state(lam, created["UUID"], "Enabled")
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes={
        "colour": {"DataType": "String", "StringValue": "blue"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    [event] = received(sqs, record[0], 1)
    [got] = event["Records"]
    assert set(got) == {"messageId", "receiptHandle", "body", "attributes",
                        "messageAttributes", "md5OfBody", "eventSource", "eventSourceARN",
                        "awsRegion"}
    assert got["messageId"] == sent["MessageId"]
    assert got["body"] == "hello"
    assert got["md5OfBody"] == hashlib.md5(b"hello").hexdigest()
    assert (got["eventSource"], got["eventSourceARN"], got["awsRegion"]) == (
        "aws:sqs", arn, "us-east-1")
    assert set(got["attributes"]) == {"ApproximateReceiveCount", "SentTimestamp", "SenderId",
                                      "ApproximateFirstReceiveTimestamp"}
    assert got["attributes"]["ApproximateReceiveCount"] == "1"
    assert got["messageAttributes"] == {
        "colour": {"stringValue": "blue", "stringListValues": [], "binaryListValues": [],
                   "dataType": "String"},
        "blob": {"binaryValue": "AAE=", "stringListValues": [], "binaryListValues": [],
                 "dataType": "Binary"}}
    wait_counts(sqs, url, (0, 0))


def test_a_failed_batch_comes_back_and_goes_to_the_dead_letter_queue(
        lam: Any, sqs: Any, record: tuple[str, str]) -> None:
    dead_url, dead_arn = make_queue(sqs)
    url, arn = make_queue(sqs, VisibilityTimeout="1", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dead_arn, "maxReceiveCount": 2}))
    name = deploy(lam, record[0], "fail")
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
    sqs.send_message(QueueUrl=url, MessageBody="doomed")
    events = received(sqs, record[0], 2)
    assert [e["Records"][0]["attributes"]["ApproximateReceiveCount"] for e in events] == [
        "1", "2"]
    wait_counts(sqs, dead_url, (1, 0))
    wait_counts(sqs, url, (0, 0))
    [moved] = sqs.receive_message(QueueUrl=dead_url)["Messages"]
    assert moved["Body"] == "doomed"


def test_report_batch_item_failures_keeps_only_the_failed_messages(
        lam: Any, sqs: Any, record: tuple[str, str]) -> None:
    url, arn = make_queue(sqs, VisibilityTimeout="600")
    name = deploy(lam, record[0], "report")
    sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": str(n), "MessageBody": body}
        for n, body in enumerate(["fine-1", "poison", "fine-2"])])
    mapping = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, BatchSize=10, MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"])
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    [event] = received(sqs, record[0], 1)
    assert sorted(r["body"] for r in event["Records"]) == ["fine-1", "fine-2", "poison"]
    wait_counts(sqs, url, (0, 1))  # the poisoned one waits out its visibility timeout


def test_a_malformed_report_fails_the_whole_batch(
        lam: Any, sqs: Any, record: tuple[str, str]) -> None:
    url, arn = make_queue(sqs, VisibilityTimeout="600")
    answer = json.dumps({"batchItemFailures": [{"itemIdentifier": "no-such-message"}]})
    name = deploy(lam, record[0], "answer", ANSWER=answer)
    sqs.send_message(QueueUrl=url, MessageBody="one")
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    received(sqs, record[0], 1)
    wait_counts(sqs, url, (0, 1))


def test_messages_are_batched_up_to_the_batch_size(
        lam: Any, sqs: Any, record: tuple[str, str]) -> None:
    url, arn = make_queue(sqs)
    for start in (0, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": f"m{n}"} for n in range(start, start + 10)])
    name = deploy(lam, record[0])
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=20,
                                    MaximumBatchingWindowInSeconds=1)
    events = received(sqs, record[0], 1)
    bodies = [r["body"] for e in events for r in e["Records"]]
    while len(bodies) < 20:
        more = received(sqs, record[0], 1)
        assert more
        bodies += [r["body"] for e in more for r in e["Records"]]
    assert sorted(bodies) == sorted(f"m{n}" for n in range(20))
    assert max(len(e["Records"]) for e in events) > 10  # more than one receive's worth
    wait_counts(sqs, url, (0, 0))


def test_fifo_messages_arrive_in_group_order(
        lam: Any, sqs: Any, record: tuple[str, str]) -> None:
    url, arn = make_queue(sqs, FifoQueue="true", ContentBasedDeduplication="true")
    for n in range(6):
        sqs.send_message(QueueUrl=url, MessageBody=f"a{n}", MessageGroupId="a")
    name = deploy(lam, record[0])
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=2)
    events = received(sqs, record[0], 3)
    records = [r for e in events for r in e["Records"]]
    assert [r["body"] for r in records] == [f"a{n}" for n in range(6)]
    first = records[0]["attributes"]
    assert first["MessageGroupId"] == "a"
    assert {"MessageDeduplicationId", "SequenceNumber"} <= set(first)


def test_disabling_stops_delivery_and_enabling_resumes_it(
        lam: Any, sqs: Any, record: tuple[str, str]) -> None:
    url, arn = make_queue(sqs)
    name = deploy(lam, record[0])
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    uuid = mapping["UUID"]
    wait_state(lam, uuid, "Enabled")
    updated = lam.update_event_source_mapping(UUID=uuid, Enabled=False)
    assert updated["State"] == "Disabling"
    wait_state(lam, uuid, "Disabled")
    sqs.send_message(QueueUrl=url, MessageBody="while disabled")
    time.sleep(1.0)  # pollers would have taken it by now
    assert counts(sqs, url) == (1, 0)
    assert lam.update_event_source_mapping(UUID=uuid, Enabled=True)["State"] == "Enabling"
    [event] = received(sqs, record[0], 1)
    assert event["Records"][0]["body"] == "while disabled"
    wait_counts(sqs, url, (0, 0))


def test_a_message_failed_on_comes_back_to_the_function_mapped_next(
        lam: Any, sqs: Any, record: tuple[str, str]) -> None:
    url, arn = make_queue(sqs, VisibilityTimeout="1")
    failing = deploy(lam, record[0], "fail")
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=failing)["UUID"]
    sqs.send_message(QueueUrl=url, MessageBody="retry me")
    received(sqs, record[0], 1)
    fixed_url, _ = make_queue(sqs)
    fixed = deploy(lam, fixed_url)
    updated = lam.update_event_source_mapping(UUID=uuid, FunctionName=fixed)
    assert updated["FunctionArn"].endswith(f":function:{fixed}")
    [event] = received(sqs, fixed_url, 1)
    assert event["Records"][0]["body"] == "retry me"
    assert int(event["Records"][0]["attributes"]["ApproximateReceiveCount"]) >= 2
    wait_counts(sqs, url, (0, 0))


def test_messages_no_filter_matches_are_deleted_unseen(
        lam: Any, sqs: Any, record: tuple[str, str]) -> None:
    url, arn = make_queue(sqs)
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "skip"}))
    sqs.send_message(QueueUrl=url, MessageBody="plain text")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "keep"}))
    name = deploy(lam, record[0])
    pattern = json.dumps({"body": {"kind": ["keep"]}})
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name,
                                    FilterCriteria={"Filters": [{"Pattern": pattern}]})
    [event] = received(sqs, record[0], 1)
    assert [json.loads(r["body"]) for r in event["Records"]] == [{"kind": "keep"}]
    wait_counts(sqs, url, (0, 0))


def test_a_batch_is_cut_to_the_invocation_payload_limit(
        lam: Any, sqs: Any, record: tuple[str, str]) -> None:
    url, arn = make_queue(sqs)
    sent = {sqs.send_message(QueueUrl=url, MessageBody=str(n) * 900_000)["MessageId"]
            for n in range(8)}
    name = deploy(lam, record[0])
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while sum(len(e["Records"]) for e in events) < 8 and time.monotonic() < deadline:
        events += received(sqs, record[0], 1, wait_s=5)
    assert {r["messageId"] for e in events for r in e["Records"]} == sent
    assert len(events) >= 2
    assert all(sum(r["size"] for r in e["Records"]) <= 6 * 1024 * 1024 for e in events)
    wait_counts(sqs, url, (0, 0))
