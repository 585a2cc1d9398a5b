"""Subscriptions through boto3: protocols and endpoints, attributes, listing, removal."""

from __future__ import annotations

import json
from typing import Any

from tests.errors import error_of
from tests.services.sns.conftest import new_queue, unique

FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:some-function"


def test_a_queue_of_the_same_account_is_confirmed_at_once(sns: Any, sqs: Any, topic: str
                                                          ) -> None:
    _, queue = new_queue(sqs, topic)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"]
    assert sub.startswith(f"{topic}:")
    again = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"]
    assert again == sub  # subscribing twice is one subscription
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "true"  # the owner's Subscribe
    assert attributes["Protocol"] == "sqs" and attributes["Endpoint"] == queue
    assert attributes["TopicArn"] == topic and attributes["Owner"] == "000000000000"
    assert attributes["RawMessageDelivery"] == "false"
    assert json.loads(attributes["EffectiveDeliveryPolicy"])["healthyRetryPolicy"]
    counts = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert counts["SubscriptionsConfirmed"] == "1"


def test_lambda_subscriptions_are_confirmed(sns: Any, topic: str) -> None:
    sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FUNCTION)
    assert sub["SubscriptionArn"].startswith(topic)


def test_endpoints_must_fit_their_protocol(sns: Any, topic: str, fifo_topic: str) -> None:
    cases = [("sqs", "https://example.com"), ("lambda", "arn:aws:sqs:us-east-1:1:q"),
             ("http", "https://example.com/x"), ("https", "http://example.com/x"),
             ("carrier-pigeon", "anywhere"), ("email", "someone@example.com")]
    for protocol, endpoint in cases:
        error = error_of(lambda p=protocol, e=endpoint: sns.subscribe(
            TopicArn=topic, Protocol=p, Endpoint=e))
        assert error["Code"] == "InvalidParameter", protocol
        assert error["Message"].startswith("Invalid parameter: ")
    fifo_queue = "arn:aws:sqs:us-east-1:000000000000:q.fifo"
    assert error_of(lambda: sns.subscribe(TopicArn=topic, Protocol="sqs",
                                          Endpoint=fifo_queue))["Code"] == "InvalidParameter"
    assert error_of(lambda: sns.subscribe(TopicArn=fifo_topic, Protocol="lambda",
                                          Endpoint=FUNCTION))["Code"] == "InvalidParameter"
    missing = "arn:aws:sns:us-east-1:000000000000:no-such-topic"
    assert error_of(lambda: sns.subscribe(TopicArn=missing, Protocol="lambda",
                                          Endpoint=FUNCTION))["Code"] == "NotFound"


def test_http_subscriptions_wait_for_confirmation(sns: Any, topic: str) -> None:
    # Nothing listens there: the confirmation request is retried in the background.
    url = "http://127.0.0.1:9/never"
    answer = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=url)
    assert answer["SubscriptionArn"] == "pending confirmation"
    arn = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=url,
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert arn.startswith(topic)
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "true"
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in listed] == ["PendingConfirmation"]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"][
        "SubscriptionsPending"] == "1"
    assert error_of(lambda: sns.confirm_subscription(TopicArn=topic, Token="wrong"))[
        "Code"] == "InvalidParameter"


def test_subscription_attributes(sns: Any, sqs: Any, topic: str) -> None:
    _, queue = new_queue(sqs, topic)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={
        "RawMessageDelivery": "true"})["SubscriptionArn"]
    redrive = json.dumps({"deadLetterTargetArn": queue})
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RedrivePolicy",
                                    AttributeValue=redrive)
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                    AttributeValue='{"kind": ["a"]}')
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attributes["RawMessageDelivery"] == "true"
    assert attributes["RedrivePolicy"] == redrive
    assert attributes["FilterPolicy"] == '{"kind": ["a"]}'
    assert attributes["FilterPolicyScope"] == "MessageAttributes"
    bad = [("RawMessageDelivery", "maybe"), ("NoSuchAttribute", "x"),
           ("RedrivePolicy", '{"deadLetterTargetArn": "nope"}'),
           ("FilterPolicyScope", "Elsewhere"), ("FilterPolicy", "{not json")]
    for name, value in bad:
        error = error_of(lambda n=name, v=value: sns.set_subscription_attributes(
            SubscriptionArn=sub, AttributeName=n, AttributeValue=v))
        assert error["Code"] == "InvalidParameter", name
    lam = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FUNCTION)[
        "SubscriptionArn"]
    error = error_of(lambda: sns.set_subscription_attributes(
        SubscriptionArn=lam, AttributeName="RawMessageDelivery", AttributeValue="true"))
    assert "does not support raw message delivery" in error["Message"]
    different = error_of(lambda: sns.subscribe(TopicArn=topic, Protocol="sqs",
                                               Endpoint=queue, Attributes={
                                                   "RawMessageDelivery": "false"}))
    assert different["Code"] == "InvalidParameter"


def test_unsubscribe_and_listings(make_client: Any) -> None:
    sns = make_client("sns", region_name="ap-south-2")  # a region of its own
    topic = sns.create_topic(Name=unique())["TopicArn"]
    other = sns.create_topic(Name=unique())["TopicArn"]
    functions = [f"{FUNCTION}-{i}" for i in range(3)]
    subs = [sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=f)["SubscriptionArn"]
            for f in functions]
    sns.subscribe(TopicArn=other, Protocol="lambda", Endpoint=FUNCTION)
    by_topic = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted(s["SubscriptionArn"] for s in by_topic) == sorted(subs)
    assert {s["Endpoint"] for s in by_topic} == set(functions)
    assert all(s["TopicArn"] == topic and s["Protocol"] == "lambda" for s in by_topic)
    assert len(sns.list_subscriptions()["Subscriptions"]) == 4
    sns.unsubscribe(SubscriptionArn=subs[0])
    assert len(sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == 2
    error = error_of(lambda: sns.get_subscription_attributes(SubscriptionArn=subs[0]))
    assert (error["Code"], error["status"]) == ("NotFound", 404)
    assert error_of(lambda: sns.unsubscribe(SubscriptionArn=subs[0]))["Code"] == "NotFound"
