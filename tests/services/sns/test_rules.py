"""Unit tests of SNS's pure rules: delivery-policy retry schedules, the string SNS signs,
and filter-policy limits."""

from __future__ import annotations

import pytest

from nubes.errors import ServiceError
from nubes.services.sns import filters
from nubes.services.sns.models import DEFAULT_HEALTHY_RETRY_POLICY, retry_delays
from nubes.services.sns.signing import string_to_sign


def test_the_default_http_policy_is_three_retries_20_s_apart() -> None:
    assert retry_delays(DEFAULT_HEALTHY_RETRY_POLICY) == [20.0, 20.0, 20.0]


def test_retry_phases() -> None:
    policy = {**DEFAULT_HEALTHY_RETRY_POLICY, "numRetries": 8, "numNoDelayRetries": 1,
              "numMinDelayRetries": 2, "numMaxDelayRetries": 1, "minDelayTarget": 1,
              "maxDelayTarget": 9}
    delays = retry_delays(policy)
    assert delays[:3] == [0.0, 1.0, 1.0] and delays[-1] == 9.0 and len(delays) == 8
    backoff = delays[3:7]
    assert backoff == sorted(backoff) and backoff[0] == 1.0 and backoff[-1] == 9.0
    exponential = retry_delays({**policy, "backoffFunction": "exponential"})[3:7]
    assert exponential[0] == 1.0 and exponential[-1] == 9.0
    assert exponential[1] - exponential[0] < exponential[3] - exponential[2]


def test_string_to_sign_follows_aws() -> None:
    notification = {"Type": "Notification", "MessageId": "id", "TopicArn": "arn",
                    "Message": "m", "Timestamp": "t", "UnsubscribeURL": "u"}
    assert string_to_sign(notification) == (
        "Message\nm\nMessageId\nid\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n")
    with_subject = {**notification, "Subject": "s"}
    assert "MessageId\nid\nSubject\ns\nTimestamp" in string_to_sign(with_subject)
    confirmation = {"Type": "SubscriptionConfirmation", "MessageId": "id", "Token": "tok",
                    "TopicArn": "arn", "Message": "m", "SubscribeURL": "url",
                    "Timestamp": "t"}
    assert string_to_sign(confirmation) == (
        "Message\nm\nMessageId\nid\nSubscribeURL\nurl\nTimestamp\nt\nToken\ntok\n"
        "TopicArn\narn\nType\nSubscriptionConfirmation\n")


@pytest.mark.parametrize("policy", [
    '{"a": ["x"], "b": [1, 2], "c": [{"prefix": "p"}], "d": [{"exists": true}]}',
    '{"a": [{"anything-but": {"prefix": "x"}}], "b": [{"equals-ignore-case": "Y"}]}',
    '{"ip": [{"cidr": "10.0.0.0/24"}], "n": [{"numeric": ["=", 5]}]}',
    "{}",
])
def test_policies_sns_accepts(policy: str) -> None:
    filters.check(policy, "MessageAttributes")


def test_matching_converts_attribute_types() -> None:
    attributes = {"n": {"Type": "Number", "Value": "10"},
                  "s": {"Type": "String", "Value": "10"},
                  "a": {"Type": "String.Array", "Value": '["x", 3]'},
                  "b": {"Type": "Binary", "Value": "AQ=="}}
    assert filters.matches('{"n": [10]}', "MessageAttributes", "", attributes)
    assert not filters.matches('{"s": [10]}', "MessageAttributes", "", attributes)
    assert filters.matches('{"a": [3]}', "MessageAttributes", "", attributes)
    assert not filters.matches('{"b": [{"exists": true}]}', "MessageAttributes", "",
                               attributes)
    assert filters.matches('{"b": [{"exists": false}]}', "MessageAttributes", "",
                           attributes)


def test_a_policy_over_the_limits_is_refused() -> None:
    with pytest.raises(ServiceError) as refused:
        filters.check('{"a": {"b": {"c": ["d"]}}, "e": ["f"]}', "MessageAttributes")
    assert "nested" in refused.value.message
    filters.check('{"a": {"b": {"c": ["d"]}}, "e": ["f"]}', "MessageBody")
