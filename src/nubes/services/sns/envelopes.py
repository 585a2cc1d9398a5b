"""The documents SNS delivers, in AWS's shapes: the JSON envelope http(s) endpoints and
SQS queues receive (``Notification``, ``SubscriptionConfirmation``), and the event a
function receives (``Records[].Sns``, with its own key casing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from nubes.services.sns.messages import Published
from nubes.services.sns.signing import Signer


def timestamp(seconds: float) -> str:
    """SNS's Timestamp: ISO 8601, UTC, milliseconds, 'Z'."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def aws_json(document: dict[str, Any]) -> str:
    """JSON laid out as SNS writes its envelopes (``"Key" : value``, two-space indent)."""
    lines = [f"  {json.dumps(key)} : "
             f"{json.dumps(value, separators=(',', ':'), ensure_ascii=False)}"
             for key, value in document.items()]
    return "{\n" + ",\n".join(lines) + "\n}"


def unsubscribe_url(endpoint: str, subscription_arn: str) -> str:
    return f"{endpoint}/?Action=Unsubscribe&SubscriptionArn={quote(subscription_arn, safe='')}"


def subscribe_url(endpoint: str, topic_arn: str, token: str) -> str:
    return (f"{endpoint}/?Action=ConfirmSubscription&TopicArn={quote(topic_arn, safe='')}"
            f"&Token={token}")


def notification(published: Published, protocol: str, subscription_arn: str,
                 endpoint: str, signer: Signer, signature_version: str) -> dict[str, Any]:
    """The envelope of a message for an http(s) endpoint or an SQS queue (FIFO topics'
    messages carry a SequenceNumber and no signature, as on AWS)."""
    doc: dict[str, Any] = {"Type": "Notification", "MessageId": published.message_id}
    if published.sequence is not None:
        doc["SequenceNumber"] = published.sequence
    doc["TopicArn"] = published.topic_arn
    if published.subject is not None:
        doc["Subject"] = published.subject
    doc["Message"] = published.message_for(protocol)
    doc["Timestamp"] = published.timestamp
    if published.sequence is None:
        doc["SignatureVersion"] = signature_version
        doc["Signature"] = signer.sign(doc, signature_version)
        doc["SigningCertURL"] = signer.cert_url(endpoint)
    doc["UnsubscribeURL"] = unsubscribe_url(endpoint, subscription_arn)
    if published.attributes:
        doc["MessageAttributes"] = published.attributes
    return doc


def lambda_event(published: Published, subscription_arn: str, endpoint: str,
                 signer: Signer, signature_version: str) -> str:
    """The event a subscribed function receives (``Records[0].Sns``)."""
    signed = {"Type": "Notification", "MessageId": published.message_id,
              "TopicArn": published.topic_arn, "Subject": published.subject,
              "Message": published.message_for("lambda"), "Timestamp": published.timestamp}
    sns: dict[str, Any] = {
        **signed,
        "SignatureVersion": signature_version,
        "Signature": signer.sign({k: v for k, v in signed.items() if v is not None},
                                 signature_version),
        "SigningCertUrl": signer.cert_url(endpoint),
        "UnsubscribeUrl": unsubscribe_url(endpoint, subscription_arn),
        "MessageAttributes": published.attributes,
    }
    if published.sequence is not None:
        sns["SequenceNumber"] = published.sequence
    return json.dumps({"Records": [{
        "EventSource": "aws:sns", "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn, "Sns": sns,
    }]}, separators=(",", ":"))


def confirmation(message_id: str, topic_arn: str, token: str, endpoint: str, now: float,
                 signer: Signer, signature_version: str) -> dict[str, Any]:
    """The SubscriptionConfirmation request an http(s) endpoint gets on Subscribe."""
    doc: dict[str, Any] = {
        "Type": "SubscriptionConfirmation", "MessageId": message_id, "Token": token,
        "TopicArn": topic_arn,
        "Message": f"You have chosen to subscribe to the topic {topic_arn}.\nTo confirm the "
                   "subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": subscribe_url(endpoint, topic_arn, token),
        "Timestamp": timestamp(now),
    }
    doc["SignatureVersion"] = signature_version
    doc["Signature"] = signer.sign(doc, signature_version)
    doc["SigningCertURL"] = signer.cert_url(endpoint)
    return doc


def http_headers(doc_type: str, message_id: str, topic_arn: str, subscription_arn: str | None,
                 content_type: str, raw: bool = False) -> dict[str, str]:
    """The headers SNS sends an http(s) endpoint with each request."""
    headers = {
        "Content-Type": content_type,
        "User-Agent": "Amazon Simple Notification Service Agent",
        "x-amz-sns-message-type": doc_type,
        "x-amz-sns-message-id": message_id,
        "x-amz-sns-topic-arn": topic_arn,
    }
    if subscription_arn is not None:
        headers["x-amz-sns-subscription-arn"] = subscription_arn
    if raw:
        headers["x-amz-sns-rawdelivery"] = "true"
    return headers
