"""http(s) subscribers: the confirmation handshake (the SubscribeURL is an unsigned GET),
notifications with SNS's headers, retries after failures, and the dead-letter queue.

A server of its own runs with delivery-policy delays scaled down (``sns_retry_delay_scale``)
so retries come in a fraction of a second.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.errors import error_of
from tests.server import NubesServer, client_factory, with_settings
from tests.services.sns.conftest import Endpoint, Received, new_queue, receive, unique
from tests.services.sns.test_publish import verify_signature


@pytest.fixture(scope="module")
def fast_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NubesServer]:
    data = with_settings(tmp_path_factory.mktemp("sns-http") / "data",
                         "sns_retry_delay_scale = 0.01\n")
    with NubesServer(data) as server:
        yield server


def client(server: NubesServer, service: str) -> Any:
    return client_factory(server)(service)


def confirmed(sns: Any, topic: str, endpoint: Endpoint, **attributes: str) -> str:
    """Subscribe the endpoint and confirm by visiting the SubscribeURL, as a subscriber
    does; the subscription's ARN."""
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url,
                  Attributes=attributes)
    request = endpoint.wait_for(1)[0]
    endpoint.received.clear()
    with urllib.request.urlopen(request.json()["SubscribeURL"], timeout=5) as answer:
        assert answer.status == 200
    [sub] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    arn: str = sub["SubscriptionArn"]
    return arn


def test_the_confirmation_handshake(fast_server: NubesServer, endpoint: Endpoint) -> None:
    sns = client(fast_server, "sns")
    topic = sns.create_topic(Name=unique())["TopicArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)[
        "SubscriptionArn"] == "pending confirmation"
    [request] = endpoint.wait_for(1)
    assert request.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert request.headers["x-amz-sns-topic-arn"] == topic
    assert request.headers["content-type"].startswith("text/plain")
    message = request.json()
    assert message["Type"] == "SubscriptionConfirmation"
    assert message["TopicArn"] == topic
    assert request.headers["x-amz-sns-message-id"] == message["MessageId"]
    assert message["SubscribeURL"].startswith(fast_server.endpoint.replace("127.0.0.1",
                                                                           "localhost"))
    assert "Action=ConfirmSubscription" in message["SubscribeURL"]
    assert message["Token"] in message["SubscribeURL"]
    verify_signature(message)
    # The subscriber visits the URL, unsigned, as AWS lets it.
    with urllib.request.urlopen(message["SubscribeURL"], timeout=5) as answer:
        document = answer.read().decode()
    assert "<ConfirmSubscriptionResult>" in document
    [sub] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sub["SubscriptionArn"] in document
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])[
        "Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "false"
    # A signed ConfirmSubscription with the token works too, and says who confirmed.
    assert sns.confirm_subscription(TopicArn=topic, Token=message["Token"])[
        "SubscriptionArn"] == sub["SubscriptionArn"]


def test_the_unsubscribe_url_ends_an_unauthenticated_subscription(
        fast_server: NubesServer, endpoint: Endpoint) -> None:
    sns = client(fast_server, "sns")
    topic = sns.create_topic(Name=unique())["TopicArn"]
    confirmed(sns, topic, endpoint)
    sns.publish(TopicArn=topic, Message="bye")
    [request] = endpoint.wait_for(1)
    # The subscriber visits the UnsubscribeURL of a message, unsigned, as AWS lets it.
    with urllib.request.urlopen(request.json()["UnsubscribeURL"], timeout=5) as answer:
        assert "<UnsubscribeResponse" in answer.read().decode()
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_a_subscription_confirmed_by_its_owner_needs_a_signed_unsubscribe(
        fast_server: NubesServer) -> None:
    sns, sqs = client(fast_server, "sns"), client(fast_server, "sqs")
    topic = sns.create_topic(Name=unique())["TopicArn"]
    _, queue = new_queue(sqs, topic)
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"]
    url = (f"{fast_server.endpoint}/?Action=Unsubscribe&SubscriptionArn="
           f"{urllib.parse.quote(arn, safe='')}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    refused.value.close()
    [sub] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sub["SubscriptionArn"] == arn


def test_other_unsigned_sns_requests_are_refused(fast_server: NubesServer) -> None:
    url = f"{fast_server.endpoint}/?Action=ListTopics&Version=2010-03-31"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    assert refused.value.code == 403
    refused.value.close()
    bad_token = (f"{fast_server.endpoint}/?Action=ConfirmSubscription&TopicArn="
                 "arn:aws:sns:us-east-1:000000000000:no-such-topic&Token=abc")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(bad_token, timeout=5)
    assert missing.value.code == 404
    missing.value.close()


def test_notifications_are_posted_with_sns_headers(fast_server: NubesServer,
                                                   endpoint: Endpoint) -> None:
    sns = client(fast_server, "sns")
    topic = sns.create_topic(Name=unique())["TopicArn"]
    sub = confirmed(sns, topic, endpoint)
    published = sns.publish(TopicArn=topic, Message="ping", Subject="S", MessageAttributes={
        "k": {"DataType": "String", "StringValue": "v"}})
    [request] = endpoint.wait_for(1)
    assert request.headers["x-amz-sns-message-type"] == "Notification"
    assert request.headers["x-amz-sns-message-id"] == published["MessageId"]
    assert request.headers["x-amz-sns-subscription-arn"] == sub
    assert request.headers["user-agent"] == "Amazon Simple Notification Service Agent"
    body = request.json()
    assert (body["Message"], body["Subject"], body["TopicArn"]) == ("ping", "S", topic)
    assert body["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    verify_signature(body)


def test_raw_http_delivery(fast_server: NubesServer, endpoint: Endpoint) -> None:
    sns = client(fast_server, "sns")
    topic = sns.create_topic(Name=unique())["TopicArn"]
    confirmed(sns, topic, endpoint, RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message="just this")
    [request] = endpoint.wait_for(1)
    assert request.body == b"just this"
    assert request.headers["x-amz-sns-rawdelivery"] == "true"


def test_failures_are_retried_until_a_2xx(fast_server: NubesServer, endpoint: Endpoint
                                          ) -> None:
    sns = client(fast_server, "sns")
    topic = sns.create_topic(Name=unique())["TopicArn"]
    confirmed(sns, topic, endpoint)
    endpoint.statuses.extend([500, 503])
    sns.publish(TopicArn=topic, Message="persist")
    requests = endpoint.wait_for(3)
    assert len(requests) == 3
    assert {r.json()["MessageId"] for r in requests} == {requests[0].json()["MessageId"]}
    assert endpoint.wait_for(4, wait_s=1.0) == requests  # delivered: no more attempts


def _dead_letters(fast_server: NubesServer, topic: str) -> tuple[Any, str, str]:
    sqs = client(fast_server, "sqs")
    url, arn = new_queue(sqs, topic)
    return sqs, url, json.dumps({"deadLetterTargetArn": arn})


def test_a_spent_policy_sends_the_message_to_the_dead_letter_queue(
        fast_server: NubesServer, endpoint: Endpoint) -> None:
    sns = client(fast_server, "sns")
    topic = sns.create_topic(Name=unique())["TopicArn"]
    sqs, dlq, redrive = _dead_letters(fast_server, topic)
    policy = {"healthyRetryPolicy": {"numRetries": 2, "minDelayTarget": 1,
                                     "maxDelayTarget": 2, "backoffFunction": "linear"}}
    confirmed(sns, topic, endpoint, RedrivePolicy=redrive, DeliveryPolicy=json.dumps(policy))
    endpoint.statuses.extend([500] * 10)
    published = sns.publish(TopicArn=topic, Message="doomed")
    [dead] = receive(sqs, dlq, 1, wait_s=15)
    assert json.loads(dead["Body"])["MessageId"] == published["MessageId"]
    attempts: list[Received] = endpoint.wait_for(3)
    assert len(attempts) == 3  # the first attempt and two retries


def test_a_4xx_is_not_retried(fast_server: NubesServer, endpoint: Endpoint) -> None:
    sns = client(fast_server, "sns")
    topic = sns.create_topic(Name=unique())["TopicArn"]
    sqs, dlq, redrive = _dead_letters(fast_server, topic)
    confirmed(sns, topic, endpoint, RedrivePolicy=redrive)
    endpoint.statuses.append(404)
    sns.publish(TopicArn=topic, Message="refused")
    [dead] = receive(sqs, dlq, 1)
    assert json.loads(dead["Body"])["Message"] == "refused"
    assert len(endpoint.wait_for(2, wait_s=1.0)) == 1


def test_delivery_policy_is_checked(fast_server: NubesServer, endpoint: Endpoint) -> None:
    sns = client(fast_server, "sns")
    topic = sns.create_topic(Name=unique())["TopicArn"]
    sub = confirmed(sns, topic, endpoint)
    for policy in ({"healthyRetryPolicy": {"minDelayTarget": 30, "maxDelayTarget": 10}},
                   {"healthyRetryPolicy": {"backoffFunction": "random"}},
                   {"healthyRetryPolicy": {"numRetries": 1, "numNoDelayRetries": 2}}):
        error = error_of(lambda p=policy: sns.set_subscription_attributes(
            SubscriptionArn=sub, AttributeName="DeliveryPolicy",
            AttributeValue=json.dumps(p)))
        assert error["Code"] == "InvalidParameter", policy


def test_signing_certificate_is_served(fast_server: NubesServer) -> None:
    missing = f"{fast_server.endpoint}/_nubes/sns/SimpleNotificationService-nope.pem"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(missing, timeout=5)
    assert refused.value.code == 404
    refused.value.close()
    assert (Path(fast_server.data_dir) / "sns" / "signing-cert.pem").exists()


def test_a_throttled_subscription_still_gets_everything(fast_server: NubesServer,
                                                        endpoint: Endpoint) -> None:
    sns = client(fast_server, "sns")
    topic = sns.create_topic(Name=unique())["TopicArn"]
    policy = {"throttlePolicy": {"maxReceivesPerSecond": 2}}
    sub = confirmed(sns, topic, endpoint, DeliveryPolicy=json.dumps(policy))
    effective = json.loads(sns.get_subscription_attributes(SubscriptionArn=sub)[
        "Attributes"]["EffectiveDeliveryPolicy"])
    assert effective["throttlePolicy"] == {"maxReceivesPerSecond": 2}
    ids = {sns.publish(TopicArn=topic, Message=f"m{i}")["MessageId"] for i in range(5)}
    assert {r.json()["MessageId"] for r in endpoint.wait_for(5)} == ids
    error = error_of(lambda: sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="DeliveryPolicy",
        AttributeValue=json.dumps({"throttlePolicy": {"maxReceivesPerSecond": 0}})))
    assert error["Code"] == "InvalidParameter"
