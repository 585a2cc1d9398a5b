"""Publish and PublishBatch through boto3, seen by subscribed SQS queues: SNS's envelope
(signed), raw delivery, per-protocol messages, and SNS's checks."""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.errors import error_of
from tests.services.sns.conftest import receive, subscribed_queue


def verify_signature(message: dict[str, Any]) -> None:
    """Verify a message as AWS's docs say a subscriber should (raises if it is bad)."""
    with urllib.request.urlopen(message["SigningCertURL"], timeout=5) as answer:
        certificate = x509.load_pem_x509_certificate(answer.read())
    fields = (("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
              if message["Type"] == "Notification" else
              ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn",
               "Type"))
    text = "".join(f"{k}\n{message[k]}\n" for k in fields if k in message)
    algorithm = hashes.SHA256() if message["SignatureVersion"] == "2" else hashes.SHA1()
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(base64.b64decode(message["Signature"]), text.encode(), padding.PKCS1v15(),
               algorithm)


def test_a_queue_gets_the_signed_envelope(sns: Any, sqs: Any, topic: str) -> None:
    url, sub = subscribed_queue(sns, sqs, topic)
    published = sns.publish(TopicArn=topic, Message="hello\nworld", Subject="Greetings",
                            MessageAttributes={
                                "colour": {"DataType": "String", "StringValue": "blue"},
                                "size": {"DataType": "Number", "StringValue": "3"},
                                "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
                                "tags": {"DataType": "String.Array",
                                         "StringValue": '["a", "b"]'}})
    [message] = receive(sqs, url, 1, settle=True)
    body = json.loads(message["Body"])
    assert list(body) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                          "SignatureVersion", "Signature", "SigningCertURL",
                          "UnsubscribeURL", "MessageAttributes"]
    assert body["Type"] == "Notification"
    assert body["MessageId"] == published["MessageId"]
    assert (body["TopicArn"], body["Subject"], body["Message"]) == (
        topic, "Greetings", "hello\nworld")
    assert body["Timestamp"].endswith("Z") and len(body["Timestamp"]) == 24
    assert body["MessageAttributes"] == {
        "colour": {"Type": "String", "Value": "blue"},
        "size": {"Type": "Number", "Value": "3"},
        "blob": {"Type": "Binary", "Value": base64.b64encode(b"\x00\x01").decode()},
        "tags": {"Type": "String.Array", "Value": '["a", "b"]'}}
    assert "Action=Unsubscribe" in body["UnsubscribeURL"]
    assert message.get("MessageAttributes") is None  # enveloped: none on the SQS message
    verify_signature(body)


def test_signature_version_2_signs_with_sha256(sns: Any, sqs: Any, topic: str) -> None:
    sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion",
                             AttributeValue="2")
    url, _ = subscribed_queue(sns, sqs, topic)
    sns.publish(TopicArn=topic, Message="m")
    [message] = receive(sqs, url, 1)
    body = json.loads(message["Body"])
    assert body["SignatureVersion"] == "2" and "Subject" not in body
    verify_signature(body)


def test_raw_delivery_sends_the_message_and_its_attributes(sns: Any, sqs: Any, topic: str
                                                           ) -> None:
    url, _ = subscribed_queue(sns, sqs, topic, RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message='{"raw": true}', MessageAttributes={
        "colour": {"DataType": "String", "StringValue": "blue"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\xff"}})
    [message] = receive(sqs, url, 1)
    assert message["Body"] == '{"raw": true}'
    assert message["MessageAttributes"] == {
        "colour": {"DataType": "String", "StringValue": "blue"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\xff"}}


def test_message_structure_json_gives_each_protocol_its_message(sns: Any, sqs: Any,
                                                                topic: str) -> None:
    url, _ = subscribed_queue(sns, sqs, topic)
    sns.publish(TopicArn=topic, MessageStructure="json",
                Message=json.dumps({"default": "for all", "sqs": "for queues"}))
    [message] = receive(sqs, url, 1)
    assert json.loads(message["Body"])["Message"] == "for queues"
    for bad, reason in (("not json", "failed to parse"), ('{"sqs": "x"}', "No default"),
                        ('{"default": 1}', "failed to parse")):
        error = error_of(lambda b=bad: sns.publish(TopicArn=topic, Message=b,
                                                   MessageStructure="json"))
        assert error["Code"] == "InvalidParameter" and reason in error["Message"]


def test_every_subscriber_gets_each_message(sns: Any, sqs: Any, topic: str) -> None:
    queues = [subscribed_queue(sns, sqs, topic)[0] for _ in range(3)]
    ids = {sns.publish(TopicArn=topic, Message=f"m{i}")["MessageId"] for i in range(5)}
    for url in queues:
        got = receive(sqs, url, 5, settle=True)
        assert {json.loads(m["Body"])["MessageId"] for m in got} == ids


def test_publish_checks_what_sns_checks(sns: Any, topic: str) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"Message": ""}, "InvalidParameter"),
        ({"Message": "m", "Subject": "x" * 101}, "InvalidParameter"),
        ({"Message": "m", "Subject": "two\nlines"}, "InvalidParameter"),
        ({"Message": "m", "Subject": " leading space"}, "InvalidParameter"),
        ({"Message": "m", "Subject": "naïve"}, "InvalidParameter"),
        ({"Message": "x" * 262_145}, "InvalidParameter"),
        ({"Message": "m", "MessageAttributes": {"a": {"DataType": "Date",
                                                      "StringValue": "x"}}},
         "ParameterValueInvalid"),
        ({"Message": "m", "MessageAttributes": {"a": {"DataType": "Number",
                                                      "StringValue": "many"}}},
         "ParameterValueInvalid"),
        ({"Message": "m", "MessageAttributes": {"a": {"DataType": "String",
                                                      "StringValue": ""}}},
         "ParameterValueInvalid"),
        ({"Message": "m", "MessageAttributes": {"a": {"DataType": "String.Array",
                                                      "StringValue": "[unquoted]"}}},
         "ParameterValueInvalid"),
        ({"Message": "m", "MessageAttributes": {"AWS.reserved": {
            "DataType": "String", "StringValue": "x"}}}, "ParameterValueInvalid"),
        ({"Message": "m", "MessageGroupId": "g"}, "InvalidParameter"),
    ]
    for params, code in cases:
        error = error_of(lambda p=params: sns.publish(TopicArn=topic, **p))
        assert error["Code"] == code, params
        assert error["status"] == 400
    error = error_of(lambda: sns.publish(TopicArn=topic, Message="x" * 262_145))
    assert error["Message"] == "Invalid parameter: Message too long"
    assert sns.publish(TopicArn=topic, Message="x" * 262_100)["MessageId"]


def test_publish_by_target_arn(sns: Any, sqs: Any, topic: str) -> None:
    url, _ = subscribed_queue(sns, sqs, topic)
    sns.publish(TargetArn=topic, Message="targeted")
    assert json.loads(receive(sqs, url, 1)[0]["Body"])["Message"] == "targeted"


def test_publish_batch(sns: Any, sqs: Any, topic: str) -> None:
    url, _ = subscribed_queue(sns, sqs, topic)
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "one", "Message": "first"},
        {"Id": "two", "Message": "second", "Subject": "s"},
        {"Id": "bad", "Message": "third", "Subject": "x" * 200},
    ])
    assert sorted(e["Id"] for e in answer["Successful"]) == ["one", "two"]
    [failed] = answer["Failed"]
    assert failed["Id"] == "bad" and failed["Code"] == "InvalidParameter"
    assert failed["SenderFault"] is True
    got = receive(sqs, url, 2, settle=True)
    assert sorted(json.loads(m["Body"])["Message"] for m in got) == ["first", "second"]


def test_publish_batch_errors(sns: Any, topic: str) -> None:
    def batch(entries: list[dict[str, Any]]) -> dict[str, Any]:
        return error_of(lambda: sns.publish_batch(TopicArn=topic,
                                                  PublishBatchRequestEntries=entries))
    assert batch([{"Id": "same", "Message": "a"}, {"Id": "same", "Message": "b"}])[
        "Code"] == "BatchEntryIdsNotDistinct"
    assert batch([{"Id": f"e{i}", "Message": "m"} for i in range(11)])["Code"] == \
        "TooManyEntriesInBatchRequest"
    assert batch([{"Id": f"e{i}", "Message": "x" * 30_000} for i in range(10)])["Code"] == \
        "BatchRequestTooLong"
    assert batch([{"Id": "bad id!", "Message": "m"}])["Code"] == "InvalidBatchEntryId"
    assert batch([])["Code"] == "EmptyBatchRequest"


def test_unicode_messages_arrive_whole(sns: Any, sqs: Any, topic: str) -> None:
    url, _ = subscribed_queue(sns, sqs, topic)
    sns.publish(TopicArn=topic, Message="grüße, 世界 🌍", Subject="ascii only")
    [message] = receive(sqs, url, 1)
    assert "世界" in message["Body"]  # written as UTF-8, as SNS writes it
    body = json.loads(message["Body"])
    assert body["Message"] == "grüße, 世界 🌍"
    verify_signature(body)
