"""Topics and subscriptions: names, ARNs, and the rules for their attributes (no HTTP,
no storage)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from nubes.services.sns import exceptions as exc

_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})$")

# Attributes CreateTopic / SetTopicAttributes accept (the rest of AWS's list, delivery
# status logging and data protection, Nubes does not act on and so refuses).
TOPIC_SETTABLE = frozenset({
    "DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion",
    "ContentBasedDeduplication",
})
SUBSCRIPTION_SETTABLE = frozenset({
    "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
    "RedrivePolicy",
})
PROTOCOLS = frozenset({"sqs", "lambda", "http", "https"})
# Protocols AWS has and Nubes does not deliver to.
OTHER_AWS_PROTOCOLS = frozenset({"email", "email-json", "sms", "application", "firehose"})

# AWS's default retry policy for http(s) endpoints: three retries, 20 s apart.
DEFAULT_HEALTHY_RETRY_POLICY: dict[str, Any] = {
    "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
    "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear",
}
BACKOFF_FUNCTIONS = ("linear", "arithmetic", "geometric", "exponential")


@dataclass(frozen=True, slots=True)
class TopicArn:
    region: str
    account_id: str
    name: str

    def __str__(self) -> str:
        return f"arn:aws:sns:{self.region}:{self.account_id}:{self.name}"


def parse_topic_arn(arn: str) -> TopicArn | None:
    found = _ARN.match(arn or "")
    return TopicArn(found[1], found[2], found[3]) if found else None


def parse_subscription_arn(arn: str) -> tuple[str, str] | None:
    """(topic ARN, subscription id) of a subscription ARN, or None."""
    topic, _, sub_id = (arn or "").rpartition(":")
    if not sub_id or parse_topic_arn(topic) is None:
        return None
    return topic, sub_id


def check_topic_name(name: str, fifo: bool) -> None:
    pattern = _FIFO_NAME if fifo else _TOPIC_NAME
    if not pattern.match(name or ""):
        if fifo or name.endswith(".fifo"):
            raise exc.invalid("Fifo Topic names must end with .fifo and must be made up of "
                              "only uppercase and lowercase ASCII letters, numbers, "
                              "underscores, and hyphens, and must be between 1 and 256 "
                              "characters long.")
        raise exc.invalid("Topic Name")


def default_policy(arn: str, account_id: str) -> str:
    """The policy AWS gives a new topic: its owner may do everything."""
    return json.dumps({
        "Version": "2008-10-17", "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID", "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
                       "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
                       "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account_id}},
        }],
    }, separators=(",", ":"))


def _bool_attribute(name: str, value: str) -> str:
    if value.lower() not in ("true", "false"):
        raise exc.invalid(f"Attributes Reason: {name}: Invalid value [{value}]. Must be "
                          "true or false.")
    return value.lower()


def _json_object(name: str, value: str) -> dict[str, Any]:
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise exc.invalid(f"Attributes Reason: {name}: failed to parse JSON.")
    return parsed


def check_retry_policy(name: str, policy: Any) -> None:
    """A healthyRetryPolicy as AWS bounds it."""
    if not isinstance(policy, dict):
        raise exc.invalid(f"{name}: healthyRetryPolicy must be an object")
    merged = {**DEFAULT_HEALTHY_RETRY_POLICY, **policy}
    for key in ("minDelayTarget", "maxDelayTarget", "numRetries", "numMaxDelayRetries",
                "numNoDelayRetries", "numMinDelayRetries"):
        value = merged[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise exc.invalid(f"{name}: {key} must be a non-negative whole number")
    if merged["backoffFunction"] not in BACKOFF_FUNCTIONS:
        raise exc.invalid(f"{name}: backoffFunction must be one of "
                          f"{', '.join(BACKOFF_FUNCTIONS)}")
    if not 1 <= merged["minDelayTarget"] <= merged["maxDelayTarget"] <= 3600:
        raise exc.invalid(f"{name}: minDelayTarget must be between 1 and maxDelayTarget, "
                          "and maxDelayTarget at most 3600")
    if merged["numRetries"] > 100:
        raise exc.invalid(f"{name}: numRetries must be at most 100")
    phases = (merged["numNoDelayRetries"] + merged["numMinDelayRetries"] +
              merged["numMaxDelayRetries"])
    if phases > merged["numRetries"]:
        raise exc.invalid(f"{name}: numRetries must be at least the sum of "
                          "numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries")


def check_topic_attribute(name: str, value: str, fifo: bool) -> str:
    """A topic attribute's value as stored, or InvalidParameter."""
    if name not in TOPIC_SETTABLE:
        raise exc.invalid("AttributeName")
    if name == "DisplayName" and len(value) > 100:
        raise exc.invalid("DisplayName")
    if name == "ContentBasedDeduplication":
        if not fifo:
            raise exc.invalid("Attributes Reason: Content-based deduplication can only be "
                              "set for FIFO topics")
        return _bool_attribute(name, value)
    if name == "SignatureVersion" and value not in ("1", "2"):
        raise exc.invalid("Attributes Reason: SignatureVersion: Invalid value "
                          f"[{value}]. Must be 1 or 2.")
    if name == "Policy" and value:
        policy = _json_object(name, value)
        if not policy.get("Statement"):
            raise exc.invalid("Policy: Statement is missing")
    if name == "DeliveryPolicy" and value:
        policy = _json_object(name, value)
        http = policy.get("http", {})
        if not isinstance(http, dict):
            raise exc.invalid("DeliveryPolicy: http must be an object")
        if "defaultHealthyRetryPolicy" in http:
            check_retry_policy("DeliveryPolicy", http["defaultHealthyRetryPolicy"])
        if "defaultThrottlePolicy" in http:
            _check_throttle("DeliveryPolicy", http["defaultThrottlePolicy"])
    return value


def check_subscription_attribute(name: str, value: str, protocol: str) -> str:
    """A subscription attribute's value as stored (filter policies are checked by
    ``filters``), or InvalidParameter."""
    if name not in SUBSCRIPTION_SETTABLE:
        raise exc.invalid("AttributeName")
    if name == "RawMessageDelivery":
        if protocol not in ("sqs", "http", "https"):
            raise exc.invalid(f"Attributes Reason: Delivery protocol [{protocol}] does not "
                              "support raw message delivery.")
        return _bool_attribute(name, value)
    if name == "FilterPolicyScope" and value not in ("MessageAttributes", "MessageBody"):
        raise exc.invalid("Attributes Reason: FilterPolicyScope: Invalid value "
                          f"[{value}]. Please use either MessageBody or MessageAttributes")
    if name == "DeliveryPolicy" and value:
        if protocol not in ("http", "https"):
            raise exc.invalid(f"DeliveryPolicy: Delivery protocol [{protocol}] does not "
                              "support delivery policies.")
        policy = _json_object(name, value)
        if "healthyRetryPolicy" in policy:
            check_retry_policy("DeliveryPolicy", policy["healthyRetryPolicy"])
        if "throttlePolicy" in policy:
            _check_throttle("DeliveryPolicy", policy["throttlePolicy"])
    if name == "RedrivePolicy" and value:
        target = _json_object(name, value).get("deadLetterTargetArn")
        parts = str(target or "").split(":")
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
            raise exc.invalid("RedrivePolicy: deadLetterTargetArn is an invalid arn")
    return value


@dataclass(slots=True)
class Topic:
    arn: str
    account_id: str
    region: str
    name: str
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def fifo(self) -> bool:
        return self.attributes.get("FifoTopic") == "true"

    @property
    def content_dedup(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"


@dataclass(slots=True)
class Subscription:
    arn: str
    topic_arn: str
    owner: str
    protocol: str
    endpoint: str
    attributes: dict[str, str]
    confirmed: bool
    token: str
    authenticated: bool = False  # confirmed by a signed request (ConfirmationWasAuthenticated)

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery") == "true"

    @property
    def listed_arn(self) -> str:
        """The ARN as listings show it: ``PendingConfirmation`` until confirmed."""
        return self.arn if self.confirmed else "PendingConfirmation"


def effective_subscription_delivery_policy(sub: Subscription, topic: Topic | None) -> str:
    """EffectiveDeliveryPolicy of a subscription: its own retry policy, else the topic's
    default for http, else AWS's default."""
    rate = throttle_rate(sub, topic)
    return json.dumps({"healthyRetryPolicy": retry_policy(sub, topic),
                       "sicklyRetryPolicy": None,
                       "throttlePolicy": {"maxReceivesPerSecond": rate} if rate else None,
                       "guaranteed": False}, separators=(",", ":"))


def throttle_rate(sub: Subscription, topic: Topic | None) -> int | None:
    """maxReceivesPerSecond of an http(s) subscription: its own throttlePolicy, else the
    topic's http defaultThrottlePolicy; None when unlimited."""
    rate = None
    if topic is not None and topic.attributes.get("DeliveryPolicy"):
        http = json.loads(topic.attributes["DeliveryPolicy"]).get("http") or {}
        rate = (http.get("defaultThrottlePolicy") or {}).get("maxReceivesPerSecond")
    if sub.attributes.get("DeliveryPolicy"):
        own = json.loads(sub.attributes["DeliveryPolicy"]).get("throttlePolicy") or {}
        rate = own.get("maxReceivesPerSecond", rate)
    return int(rate) if rate else None


def _check_throttle(name: str, policy: Any) -> None:
    rate = policy.get("maxReceivesPerSecond") if isinstance(policy, dict) else None
    if isinstance(rate, bool) or not isinstance(rate, int) or rate < 1:
        raise exc.invalid(f"{name}: maxReceivesPerSecond must be a positive whole number")


def retry_policy(sub: Subscription, topic: Topic | None) -> dict[str, Any]:
    """The healthyRetryPolicy that applies to an http(s) subscription."""
    topic_http: dict[str, Any] = {}
    if topic is not None and topic.attributes.get("DeliveryPolicy"):
        topic_http = json.loads(topic.attributes["DeliveryPolicy"]).get("http") or {}
    own: dict[str, Any] = {}
    if sub.attributes.get("DeliveryPolicy") and not topic_http.get(
            "disableSubscriptionOverrides"):
        own = json.loads(sub.attributes["DeliveryPolicy"]).get("healthyRetryPolicy") or {}
    return {**DEFAULT_HEALTHY_RETRY_POLICY,
            **(topic_http.get("defaultHealthyRetryPolicy") or {}), **own}


def header_content_type(sub: Subscription, topic: Topic | None) -> str:
    """The Content-Type http(s) deliveries carry (a delivery policy's requestPolicy)."""
    found = "text/plain; charset=UTF-8"
    if topic is not None and topic.attributes.get("DeliveryPolicy"):
        http = json.loads(topic.attributes["DeliveryPolicy"]).get("http") or {}
        found = (http.get("defaultRequestPolicy") or {}).get("headerContentType", found)
    if sub.attributes.get("DeliveryPolicy"):
        own = json.loads(sub.attributes["DeliveryPolicy"]).get("requestPolicy") or {}
        found = own.get("headerContentType", found)
    return str(found)


def effective_topic_delivery_policy(topic: Topic) -> str:
    http: dict[str, Any] = {
        "defaultHealthyRetryPolicy": dict(DEFAULT_HEALTHY_RETRY_POLICY),
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
    if topic.attributes.get("DeliveryPolicy"):
        given = json.loads(topic.attributes["DeliveryPolicy"]).get("http") or {}
        http["defaultHealthyRetryPolicy"].update(given.get("defaultHealthyRetryPolicy") or {})
        for key, value in given.items():
            if key != "defaultHealthyRetryPolicy":
                http[key] = value
    return json.dumps({"http": http}, separators=(",", ":"))


def retry_delays(policy: dict[str, Any]) -> list[float]:
    """The wait before each retry (seconds), AWS's four phases: immediate retries, then
    ``numMinDelayRetries`` at the minimum delay, the backoff phase rising from minimum to
    maximum along ``backoffFunction``, then ``numMaxDelayRetries`` at the maximum."""
    low, high = float(policy["minDelayTarget"]), float(policy["maxDelayTarget"])
    total = int(policy["numRetries"])
    immediate, pre, post = (int(policy["numNoDelayRetries"]),
                            int(policy["numMinDelayRetries"]),
                            int(policy["numMaxDelayRetries"]))
    backoff = max(0, total - immediate - pre - post)
    delays = [0.0] * immediate + [low] * pre
    for i in range(1, backoff + 1):
        delays.append(_backoff(policy["backoffFunction"], low, high, i, backoff))
    return delays + [high] * post


def _backoff(function: str, low: float, high: float, i: int, n: int) -> float:
    if n <= 1:
        return low
    fraction = (i - 1) / (n - 1)
    if function == "geometric":
        fraction = fraction ** 2
    elif function == "exponential":
        fraction = (2 ** (i - 1) - 1) / (2 ** (n - 1) - 1)
    elif function == "arithmetic":
        fraction = (i * (i - 1) / 2) / (n * (n - 1) / 2)
    return low + (high - low) * fraction
