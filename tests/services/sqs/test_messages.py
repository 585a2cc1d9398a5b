"""Messages through boto3: send, receive, attributes, batches, delete, visibility, polling."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from tests.errors import error_of


def _md5_of_attributes(attributes: dict[str, dict[str, Any]]) -> str:
    """AWS's algorithm, written out independently of Nubes' for the test."""
    data = b""
    for name in sorted(attributes):
        value = attributes[name]
        for text in (name, value["DataType"]):
            data += len(text.encode()).to_bytes(4, "big") + text.encode()
        if "BinaryValue" in value:
            raw = value["BinaryValue"]
            data += b"\x02" + len(raw).to_bytes(4, "big") + raw
        else:
            raw = value["StringValue"].encode()
            data += b"\x01" + len(raw).to_bytes(4, "big") + raw
    return hashlib.md5(data).hexdigest()


ATTRIBUTES: dict[str, dict[str, Any]] = {
    "city": {"DataType": "String", "StringValue": "Zürich"},
    "count": {"DataType": "Number", "StringValue": "3"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
    "meta.kind": {"DataType": "String.custom", "StringValue": "k"},
}


def test_send_and_receive_with_digests_and_attributes(sqs: Any, queue: str) -> None:
    sent = sqs.send_message(QueueUrl=queue, MessageBody="héllo", MessageAttributes=ATTRIBUTES)
    assert sent["MD5OfMessageBody"] == hashlib.md5("héllo".encode()).hexdigest()
    assert sent["MD5OfMessageAttributes"] == _md5_of_attributes(ATTRIBUTES)
    got = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"],
                              MessageSystemAttributeNames=["All"])["Messages"]
    (message,) = got
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "héllo"
    assert message["MessageAttributes"] == ATTRIBUTES
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    system = message["Attributes"]
    assert system["ApproximateReceiveCount"] == "1"
    assert int(system["SentTimestamp"]) <= int(system["ApproximateFirstReceiveTimestamp"])
    assert system["SenderId"]


def test_message_attribute_names_select_by_name_and_prefix(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="x", MessageAttributes=ATTRIBUTES)
    (message,) = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0,
                                     MessageAttributeNames=["city", "meta.*"])["Messages"]
    assert set(message["MessageAttributes"]) == {"city", "meta.kind"}
    chosen = {k: ATTRIBUTES[k] for k in ("city", "meta.kind")}
    assert message["MD5OfMessageAttributes"] == _md5_of_attributes(chosen)
    (bare,) = sqs.receive_message(QueueUrl=queue, AttributeNames=["SentTimestamp"])["Messages"]
    assert "MessageAttributes" not in bare
    assert set(bare["Attributes"]) == {"SentTimestamp"}


def test_bad_messages_are_refused(sqs: Any, queue: str) -> None:
    assert error_of(lambda: sqs.send_message(QueueUrl=queue, MessageBody="\x00"))[
        "Code"] == "InvalidMessageContents"
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"MaximumMessageSize": "1024"})
    assert error_of(lambda: sqs.send_message(QueueUrl=queue, MessageBody="x" * 1025))[
        "Code"] == "InvalidParameterValue"
    assert error_of(lambda: sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=11))[
        "Code"] == "InvalidParameterValue"
    no_value = {"a": {"DataType": "String", "StringValue": ""}}
    assert error_of(lambda: sqs.send_message(QueueUrl=queue, MessageBody="x",
                                             MessageAttributes=no_value))[
        "Code"] == "InvalidParameterValue"


def test_delete_and_invalid_receipt_handles(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    (message,) = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)["Messages"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    error = error_of(lambda: sqs.delete_message(QueueUrl=queue, ReceiptHandle="garbage"))
    assert error["Code"] == "ReceiptHandleIsInvalid"


def test_a_message_not_deleted_comes_back_after_its_visibility_timeout(
    sqs: Any, queue: str,
) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="again")
    first = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=1)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    again = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5,
                                AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert again["MessageId"] == first["MessageId"]
    assert again["ReceiptHandle"] != first["ReceiptHandle"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


def test_change_message_visibility(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    (message,) = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=600)["Messages"]
    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"],
                                  VisibilityTimeout=0)
    (back,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert back["MessageId"] == message["MessageId"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=back["ReceiptHandle"])
    error = error_of(lambda: sqs.change_message_visibility(
        QueueUrl=queue, ReceiptHandle=back["ReceiptHandle"], VisibilityTimeout=5))
    assert error["Code"] == "AWS.SimpleQueueService.MessageNotInflight"


def test_batches(sqs: Any, queue: str) -> None:
    entries = [{"Id": f"m{i}", "MessageBody": f"body {i}"} for i in range(3)]
    bad = {"Id": "bad", "MessageBody": "x", "DelaySeconds": 901}
    sent = sqs.send_message_batch(QueueUrl=queue, Entries=[*entries, bad])
    assert sorted(e["Id"] for e in sent["Successful"]) == ["m0", "m1", "m2"]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in sent["Failed"]] == [
        ("bad", "InvalidParameterValue", True)]
    got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10,
                              VisibilityTimeout=30)["Messages"]
    assert sorted(m["Body"] for m in got) == ["body 0", "body 1", "body 2"]
    changes = [{"Id": f"c{i}", "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 60}
               for i, m in enumerate(got)]
    assert len(sqs.change_message_visibility_batch(
        QueueUrl=queue, Entries=changes)["Successful"]) == 3
    deletes = [{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
    deleted = sqs.delete_message_batch(
        QueueUrl=queue, Entries=[*deletes, {"Id": "x", "ReceiptHandle": "nope"}])
    assert len(deleted["Successful"]) == 3
    assert deleted["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"


def test_batch_limits(sqs: Any, queue: str) -> None:
    def send(entries: list[dict[str, Any]]) -> Any:
        return sqs.send_message_batch(QueueUrl=queue, Entries=entries)

    eleven = [{"Id": f"m{i}", "MessageBody": "x"} for i in range(11)]
    assert error_of(lambda: send(eleven))["Code"] == (
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
    twice = [{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}]
    assert error_of(lambda: send(twice))["Code"] == (
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
    big = [{"Id": f"m{i}", "MessageBody": "x" * 200_000} for i in range(6)]
    assert error_of(lambda: send(big))["Code"] == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert error_of(lambda: send([]))["Code"] in (
        "AWS.SimpleQueueService.EmptyBatchRequest", "EmptyBatchRequest")


def test_delay_seconds_hides_a_message_until_it_passes(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="soon", DelaySeconds=1)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
    assert got[0]["Body"] == "soon"


def test_a_long_poll_returns_the_message_sent_while_it_waits(sqs: Any, queue: str) -> None:
    answers: list[Any] = []
    waiting = threading.Thread(target=lambda: answers.append(
        sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20)))
    waiting.start()
    time.sleep(0.3)  # let the receive start waiting (not an assertion on timing)
    sqs.send_message(QueueUrl=queue, MessageBody="wake up")
    waiting.join(timeout=25)
    assert answers[0]["Messages"][0]["Body"] == "wake up"


def test_a_long_poll_on_an_empty_queue_answers_no_messages(sqs: Any, queue: str) -> None:
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)
