"""Subscription filter policies: on message attributes and on the message body, and
SNS's limits when a policy is set."""

from __future__ import annotations

import json
from typing import Any

from tests.errors import error_of
from tests.services.sns.conftest import receive, subscribed_queue


def attrs(**values: Any) -> dict[str, dict[str, str]]:
    out = {}
    for name, value in values.items():
        if isinstance(value, list):
            out[name] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        elif isinstance(value, int | float):
            out[name] = {"DataType": "Number", "StringValue": str(value)}
        else:
            out[name] = {"DataType": "String", "StringValue": value}
    return out


def delivered(sns: Any, sqs: Any, topic: str, policy: dict[str, Any],
              messages: list[tuple[str, dict[str, Any]]], expected: int,
              scope: str = "MessageAttributes") -> list[str]:
    """The messages (by body) a subscription with ``policy`` receives, waiting for
    ``expected`` of them and a moment more for any beyond."""
    url, _ = subscribed_queue(sns, sqs, topic, RawMessageDelivery="true",
                              FilterPolicy=json.dumps(policy), FilterPolicyScope=scope)
    for body, attributes in messages:
        sns.publish(TopicArn=topic, Message=body, MessageAttributes=attributes)
    return sorted(m["Body"] for m in receive(sqs, url, expected, settle=True))


def test_attribute_policies(sns: Any, sqs: Any, topic: str) -> None:
    messages = [
        ("blue-cheap", attrs(colour="blue", price=5)),
        ("red-dear", attrs(colour="red", price=500)),
        ("tagged", attrs(colour="green", tags=["sale", "new"], price=50)),
        ("bare", {}),
    ]
    assert delivered(sns, sqs, topic, {"colour": ["blue", "red"]}, messages, 2) == [
        "blue-cheap", "red-dear"]
    assert delivered(sns, sqs, topic, {"price": [{"numeric": [">", 10, "<=", 500]}]},
                     messages, 2) == ["red-dear", "tagged"]
    assert delivered(sns, sqs, topic, {"tags": ["sale"]}, messages, 1) == ["tagged"]
    assert delivered(sns, sqs, topic, {"colour": [{"anything-but": ["blue"]}]},
                     messages, 2) == ["red-dear", "tagged"]
    assert delivered(sns, sqs, topic, {"colour": [{"exists": False}]}, messages, 1) == ["bare"]
    assert delivered(sns, sqs, topic, {"colour": [{"prefix": "gr"}], "price": [50]},
                     messages, 1) == ["tagged"]


def test_a_number_policy_does_not_match_a_string_attribute(sns: Any, sqs: Any, topic: str
                                                           ) -> None:
    messages = [("string", {"n": {"DataType": "String", "StringValue": "5"}}),
                ("number", {"n": {"DataType": "Number", "StringValue": "5.0"}})]
    assert delivered(sns, sqs, topic, {"n": [5]}, messages, 1) == ["number"]


def test_body_policies(sns: Any, sqs: Any, topic: str) -> None:
    messages = [
        (json.dumps({"order": {"state": "paid", "total": 30}}), {}),
        (json.dumps({"order": {"state": "open", "total": 300}}), {}),
        ("not json", {}),
    ]
    got = delivered(sns, sqs, topic, {"order": {"state": ["paid"]}}, messages, 1,
                    scope="MessageBody")
    assert [json.loads(b)["order"]["state"] for b in got] == ["paid"]
    got = delivered(sns, sqs, topic, {"order": {"total": [{"numeric": [">=", 100]}]}},
                    messages, 1, scope="MessageBody")
    assert [json.loads(b)["order"]["total"] for b in got] == [300]


def test_or_policies(sns: Any, sqs: Any, topic: str) -> None:
    messages = [("a", attrs(kind="a")), ("b", attrs(size=9)), ("c", attrs(kind="c"))]
    policy = {"$or": [{"kind": ["a"]}, {"size": [{"numeric": [">", 5]}]}]}
    assert delivered(sns, sqs, topic, policy, messages, 2) == ["a", "b"]


def test_policies_are_checked_as_sns_checks_them(sns: Any, sqs: Any, topic: str) -> None:
    _, sub = subscribed_queue(sns, sqs, topic)

    def set_policy(policy: Any, scope: str = "MessageAttributes") -> dict[str, Any]:
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicyScope",
                                        AttributeValue=scope)
        return error_of(lambda: sns.set_subscription_attributes(
            SubscriptionArn=sub, AttributeName="FilterPolicy",
            AttributeValue=policy if isinstance(policy, str) else json.dumps(policy)))

    six_keys = {f"k{i}": ["v"] for i in range(6)}
    assert "more than 5 keys" in set_policy(six_keys)["Message"]
    complex_policy = {f"k{i}": [f"v{j}" for j in range(6)] for i in range(3)}
    assert "too complex" in set_policy(complex_policy)["Message"]
    assert "nested" in set_policy({"a": {"b": ["c"]}})["Message"]
    assert set_policy({"a": [{"wildcard": "x*"}]})["Code"] == "InvalidParameter"
    assert set_policy({"a": [{"numeric": [">", 2e9]}]})["Code"] == "InvalidParameter"
    assert set_policy({"a": "not an array"})["Code"] == "InvalidParameter"
    assert set_policy("[1, 2]")["Code"] == "InvalidParameter"
    assert set_policy({"a": [{"numeric": ["<", "x"]}]}, "MessageBody")["Code"] == \
        "InvalidParameter"
    # A nested policy is fine once the scope is the body.
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"a": {"b": ["c"]}}))
    error = error_of(lambda: sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="FilterPolicyScope",
        AttributeValue="MessageAttributes"))
    assert "nested" in error["Message"]
