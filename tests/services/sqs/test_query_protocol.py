"""SQS's older query/XML protocol, as older SDKs send it: signed form POSTs and GETs."""

from __future__ import annotations

import hashlib
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.error import HTTPError
from urllib.parse import urlencode

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.server import NubesServer
from tests.services.sqs.conftest import unique

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


@dataclass
class Answer:
    status: int
    root: ET.Element

    def text(self, path: str) -> str:
        return self.root.findtext(path) or ""


def call(server: NubesServer, action: str, params: dict[str, str], *,
         method: str = "POST") -> Answer:
    """One query-protocol request, signed by botocore's SigV4 signer for "sqs"."""
    query = urlencode({"Action": action, "Version": "2012-11-05", **params})
    url = server.endpoint + ("/" if method == "POST" else f"/?{query}")
    body = query.encode() if method == "POST" else b""
    request = AWSRequest(method=method, url=url, data=body,
                         headers=FORM if method == "POST" else {})
    SigV4Auth(Credentials("test", "test"), "sqs", "us-east-1").add_auth(request)
    prepared = request.prepare()
    sent = urllib.request.Request(prepared.url, data=body or None, method=method,
                                  headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(sent, timeout=30) as response:
            status, data = response.status, response.read()
    except HTTPError as error:
        status, data = error.code, error.read()
    root = ET.fromstring(data)
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    return Answer(status, root)


def _queue(server: NubesServer) -> str:
    answer = call(server, "CreateQueue", {
        "QueueName": unique(), "Attribute.1.Name": "VisibilityTimeout",
        "Attribute.1.Value": "45", "Tag.1.Key": "team", "Tag.1.Value": "a"})
    assert answer.root.tag == "CreateQueueResponse"
    return answer.text("CreateQueueResult/QueueUrl")


def test_send_receive_delete_in_xml(nubes_server: NubesServer) -> None:
    url = _queue(nubes_server)
    sent = call(nubes_server, "SendMessage", {
        "QueueUrl": url, "MessageBody": "hello",
        "MessageAttribute.1.Name": "colour", "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "blue"})
    assert sent.root.tag == "SendMessageResponse"
    assert sent.text("SendMessageResult/MD5OfMessageBody") == hashlib.md5(b"hello").hexdigest()
    assert sent.text("ResponseMetadata/RequestId")
    got = call(nubes_server, "ReceiveMessage", {
        "QueueUrl": url, "AttributeName.1": "All", "MessageAttributeName.1": "All"})
    message = got.root.find("ReceiveMessageResult/Message")
    assert message is not None
    assert message.findtext("Body") == "hello"
    assert message.findtext("MessageId") == sent.text("SendMessageResult/MessageId")
    system = {a.findtext("Name"): a.findtext("Value") for a in message.findall("Attribute")}
    assert system["ApproximateReceiveCount"] == "1"
    (attribute,) = message.findall("MessageAttribute")
    assert attribute.findtext("Name") == "colour"
    assert attribute.findtext("Value/StringValue") == "blue"
    assert attribute.findtext("Value/DataType") == "String"
    handle = message.findtext("ReceiptHandle") or ""
    assert call(nubes_server, "DeleteMessage", {"QueueUrl": url, "ReceiptHandle": handle}
                ).root.tag == "DeleteMessageResponse"


def test_attributes_tags_and_listing_in_xml(nubes_server: NubesServer) -> None:
    url = _queue(nubes_server)
    answer = call(nubes_server, "GetQueueAttributes", {
        "QueueUrl": url, "AttributeName.1": "VisibilityTimeout"})
    pairs = [(a.findtext("Name"), a.findtext("Value"))
             for a in answer.root.findall("GetQueueAttributesResult/Attribute")]
    assert pairs == [("VisibilityTimeout", "45")]
    tags = call(nubes_server, "ListQueueTags", {"QueueUrl": url})
    assert [(t.findtext("Key"), t.findtext("Value"))
            for t in tags.root.findall("ListQueueTagsResult/Tag")] == [("team", "a")]
    name = url.rsplit("/", 1)[1]
    listed = call(nubes_server, "ListQueues", {"QueueNamePrefix": name}, method="GET")
    assert [e.text for e in listed.root.findall("ListQueuesResult/QueueUrl")] == [url]


def test_batches_in_xml(nubes_server: NubesServer) -> None:
    url = _queue(nubes_server)
    answer = call(nubes_server, "SendMessageBatch", {
        "QueueUrl": url,
        "SendMessageBatchRequestEntry.1.Id": "a", "SendMessageBatchRequestEntry.1.MessageBody": "1",
        "SendMessageBatchRequestEntry.2.Id": "b", "SendMessageBatchRequestEntry.2.MessageBody": "2",
        "SendMessageBatchRequestEntry.2.DelaySeconds": "1000"})
    result = answer.root.find("SendMessageBatchResult")
    assert result is not None
    assert [e.findtext("Id") for e in result.findall("SendMessageBatchResultEntry")] == ["a"]
    (failed,) = result.findall("BatchResultErrorEntry")
    assert failed.findtext("Id") == "b"
    assert failed.findtext("SenderFault") == "true"


def test_errors_in_xml_with_the_old_codes(nubes_server: NubesServer) -> None:
    missing = call(nubes_server, "GetQueueUrl", {"QueueName": unique()})
    assert missing.status == 400
    assert missing.root.tag == "ErrorResponse"
    assert missing.text("Error/Type") == "Sender"
    assert missing.text("Error/Code") == "AWS.SimpleQueueService.NonExistentQueue"
    assert missing.text("RequestId")
    url = _queue(nubes_server)
    bad = call(nubes_server, "DeleteMessage", {"QueueUrl": url, "ReceiptHandle": "nope"})
    assert bad.text("Error/Code") == "ReceiptHandleIsInvalid"
    twice = call(nubes_server, "DeleteMessageBatch", {
        "QueueUrl": url, "DeleteMessageBatchRequestEntry.1.Id": "x",
        "DeleteMessageBatchRequestEntry.1.ReceiptHandle": "h",
        "DeleteMessageBatchRequestEntry.2.Id": "x",
        "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "h"})
    assert twice.text("Error/Code") == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
