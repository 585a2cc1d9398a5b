"""SNS -> Lambda: a subscribed function gets AWS's SNS event once its resource policy
lets sns.amazonaws.com invoke it for the topic."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.functions import ROLE, package, printed_events, printing_function
from tests.services.sns.test_publish import verify_signature


@pytest.fixture(scope="module")
def lam(make_client: Callable[..., Any]) -> Any:
    return make_client("lambda")


@pytest.fixture(scope="module")
def logs(make_client: Callable[..., Any]) -> Any:
    return make_client("logs")


@pytest.fixture
def function(lam: Any) -> tuple[str, str]:
    """(name, ARN) of a new Active function printing its events."""
    return printing_function(lam, f"sns-{uuid.uuid4().hex[:12]}")


def allow_sns(lam: Any, name: str, topic: str) -> None:
    lam.add_permission(FunctionName=name, StatementId="sns", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic)


def test_a_subscribed_function_gets_the_sns_event(sns: Any, lam: Any, logs: Any, topic: str,
                                                  function: tuple[str, str]) -> None:
    name, arn = function
    allow_sns(lam, name, topic)
    sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)["SubscriptionArn"]
    published = sns.publish(TopicArn=topic, Message="to the function", Subject="Hi",
                            MessageAttributes={
                                "kind": {"DataType": "String", "StringValue": "greeting"},
                                "bin": {"DataType": "Binary", "BinaryValue": b"\x01"}})
    [event] = printed_events(logs, name, 1)
    [record] = event["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == sub
    message = record["Sns"]
    assert list(message) == ["Type", "MessageId", "TopicArn", "Subject", "Message",
                              "Timestamp", "SignatureVersion", "Signature", "SigningCertUrl",
                              "UnsubscribeUrl", "MessageAttributes"]
    assert message["Type"] == "Notification"
    assert message["MessageId"] == published["MessageId"]
    assert (message["TopicArn"], message["Subject"], message["Message"]) == (
        topic, "Hi", "to the function")
    assert message["MessageAttributes"] == {
        "kind": {"Type": "String", "Value": "greeting"},
        "bin": {"Type": "Binary", "Value": base64.b64encode(b"\x01").decode()}}
    assert "Action=Unsubscribe" in message["UnsubscribeUrl"]
    verify_signature({**message, "SigningCertURL": message["SigningCertUrl"]})


def test_no_subject_is_null_and_a_function_without_permission_gets_nothing(
        sns: Any, lam: Any, logs: Any, topic: str, function: tuple[str, str]) -> None:
    name, arn = function
    other = f"sns-{uuid.uuid4().hex[:12]}"
    other_arn = lam.create_function(
        FunctionName=other, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": package()})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(
        FunctionName=other, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    allow_sns(lam, name, topic)  # only the first function lets SNS invoke it
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=other_arn)
    sns.publish(TopicArn=topic, Message="no subject")
    events = printed_events(logs, name, 1)
    assert [e["Records"][0]["Sns"]["Message"] for e in events] == ["no subject"]
    assert events[0]["Records"][0]["Sns"]["Subject"] is None
    assert events[0]["Records"][0]["Sns"]["MessageAttributes"] == {}
    # Both deliveries were claimed together; the one without permission was dropped.
    assert printed_events(logs, other, 1, wait_s=2.0) == []
