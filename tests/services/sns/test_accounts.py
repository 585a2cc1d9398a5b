"""Another account and a topic: refused until AddPermission names it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.accounts import other_account
from tests.errors import error_of
from tests.server import NubesServer
from tests.services.sns.conftest import (
    queue_arn,
    receive,
    sns_may_send,
    subscribed_queue,
    unique,
)


def test_another_account_publishes_once_permitted(
        nubes_server: NubesServer, make_client: Callable[..., Any], sns: Any, sqs: Any,
        topic: str) -> None:
    other = other_account(nubes_server, make_client, "111122223333")
    url, sub = subscribed_queue(sns, sqs, topic, RawMessageDelivery="true")
    assert error_of(lambda: other.get_subscription_attributes(SubscriptionArn=sub))[
        "Code"] == "AuthorizationError"
    assert error_of(lambda: other.unsubscribe(SubscriptionArn=sub))["Code"] == \
        "AuthorizationError"
    error = error_of(lambda: other.publish(TopicArn=topic, Message="uninvited"))
    assert (error["Code"], error["status"]) == ("AuthorizationError", 403)
    assert error_of(lambda: other.get_topic_attributes(TopicArn=topic))["Code"] == \
        "AuthorizationError"
    sns.add_permission(TopicArn=topic, Label="partner", AWSAccountId=["111122223333"],
                       ActionName=["Publish"])
    other.publish(TopicArn=topic, Message="invited")
    assert [m["Body"] for m in receive(sqs, url, 1, settle=True)] == ["invited"]
    assert error_of(lambda: other.delete_topic(TopicArn=topic))["Code"] == \
        "AuthorizationError"
    assert topic not in json.dumps(other.list_topics())  # listings are per account


def test_a_queue_of_another_account_confirms_by_the_message_it_gets(
        nubes_server: NubesServer, make_client: Callable[..., Any], sns: Any, topic: str
        ) -> None:
    other_sns = other_account(nubes_server, make_client, "444455556666")
    other_sqs = other_account(nubes_server, make_client, "444455556666", "sqs")
    url = other_sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = queue_arn(other_sqs, url)
    other_sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": sns_may_send(arn,
                                                                                   topic)})
    sns.add_permission(TopicArn=topic, Label="subscriber", AWSAccountId=["444455556666"],
                       ActionName=["Subscribe"])
    assert other_sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)[
        "SubscriptionArn"] == "pending confirmation"
    [message] = receive(other_sqs, url, 1)
    request = json.loads(message["Body"])
    assert request["Type"] == "SubscriptionConfirmation"
    sub = other_sns.confirm_subscription(TopicArn=topic, Token=request["Token"])[
        "SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="across accounts")
    [delivered] = receive(other_sqs, url, 1)
    assert json.loads(delivered["Body"])["Message"] == "across accounts"
    attributes = other_sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attributes["Owner"] == "444455556666"
    assert attributes["ConfirmationWasAuthenticated"] == "true"
