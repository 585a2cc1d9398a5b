"""Subscription operations: subscribe (with the http(s) confirmation handshake), confirm,
unsubscribe, list, attributes."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from typing import Any

from nubes.events.event import Event, arn_account
from nubes.services.base import RequestContext
from nubes.services.sns import envelopes, filters
from nubes.services.sns import exceptions as exc
from nubes.services.sns.core import SnsCore, required
from nubes.services.sns.models import (
    OTHER_AWS_PROTOCOLS,
    PROTOCOLS,
    Subscription,
    Topic,
    check_subscription_attribute,
    effective_subscription_delivery_policy,
    header_content_type,
)
from nubes.services.sns.topics import PAGE, after_token, page_token

_SQS_ARN = re.compile(r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$")
_LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}"
    r"(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$")


def check_endpoint(topic: Topic, protocol: str, endpoint: str) -> None:
    if protocol not in PROTOCOLS:
        if protocol in OTHER_AWS_PROTOCOLS:
            raise exc.invalid(f"Nubes does not deliver to the {protocol} protocol")
        raise exc.invalid(f"Amazon SNS does not support this protocol string: {protocol}")
    if topic.fifo and protocol != "sqs":
        raise exc.invalid(f"Invalid protocol type: {protocol}")
    if protocol == "sqs" and not _SQS_ARN.match(endpoint):
        raise exc.invalid("SQS endpoint ARN")
    if protocol == "sqs" and endpoint.endswith(".fifo") and not topic.fifo:
        raise exc.invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
                          "subscribed to standard SNS topics")
    if protocol == "lambda" and not _LAMBDA_ARN.match(endpoint):
        raise exc.invalid("Lambda endpoint ARN")
    if protocol in ("http", "https") and not endpoint.lower().startswith(f"{protocol}://"):
        raise exc.invalid("Endpoint must match the specified protocol")


def checked_attributes(given: dict[str, Any], protocol: str,
                       current: dict[str, str] | None = None) -> dict[str, str]:
    """Subscription attributes as stored: each checked, the filter policy against its
    scope."""
    out = dict(current or {})
    for name, value in given.items():
        out[name] = check_subscription_attribute(name, str(value), protocol)
    for name in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy"):
        if out.get(name) == "":
            del out[name]
    if "FilterPolicy" in out:
        filters.check(out["FilterPolicy"], out.get("FilterPolicyScope", "MessageAttributes"))
    return out


class SubscriptionOps(SnsCore):
    def subscribe(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.topic(ctx, params.get("TopicArn"), "Subscribe")
        protocol = str(required(params, "Protocol"))
        endpoint = str(params.get("Endpoint") or "")
        check_endpoint(topic, protocol, endpoint)
        attributes = checked_attributes(dict(params.get("Attributes") or {}), protocol)
        existing = self.store.find_subscription(topic.arn, protocol, endpoint)
        if existing is not None:
            if any(existing.attributes.get(k) != v for k, v in attributes.items()):
                raise exc.invalid("Attributes Reason: Subscription already exists with "
                                  "different attributes")
            if not existing.confirmed:
                self._request_confirmation(existing, topic)
            return self._subscribed(existing, params)
        sub = Subscription(f"{topic.arn}:{uuid.uuid4()}", topic.arn, ctx.account_id, protocol,
                           endpoint, attributes, confirmed=False, token=secrets.token_hex(64))
        # Functions and queues of the topic's own account need no handshake; a queue of
        # another account gets the confirmation message, as on AWS.
        sub.confirmed = protocol == "lambda" or (
            protocol == "sqs" and arn_account(endpoint) == topic.account_id)
        sub.authenticated = sub.confirmed  # by the owner's own signed Subscribe
        self._request_confirmation(sub, topic)
        return self._subscribed(sub, params)

    def _subscribed(self, sub: Subscription, params: dict[str, Any]) -> dict[str, Any]:
        if sub.confirmed or str(params.get("ReturnSubscriptionArn")).lower() == "true":
            return {"SubscriptionArn": sub.arn}
        return {"SubscriptionArn": "pending confirmation"}

    def _request_confirmation(self, sub: Subscription, topic: Topic) -> None:
        """Store the subscription; one pending confirmation gets the
        SubscriptionConfirmation request (http(s): POSTed; sqs: a message)."""
        if sub.confirmed:
            self.store.put_subscription(sub, topic.region)
            return
        version = topic.attributes.get("SignatureVersion", "1")
        doc = envelopes.confirmation(str(uuid.uuid4()), topic.arn, sub.token,
                                     self.options.endpoint, time.time(), self.signer, version)
        body = envelopes.aws_json(doc)
        if sub.protocol == "sqs":
            event = Event("sns", topic.account_id, topic.region, "SubscriptionConfirmation",
                          sub.endpoint, topic.arn, body)
            bus = self.bus
            self.store.put_subscription(
                sub, topic.region,
                also=(lambda conn: bus.publish_in(conn, [event])) if bus else None)
            return
        headers = envelopes.http_headers("SubscriptionConfirmation", doc["MessageId"],
                                         topic.arn, None, header_content_type(sub, topic))
        self.store.put_subscription(sub, topic.region, [(body, headers)])
        self.wake_http()

    def confirm_subscription(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        topic_arn = required(params, "TopicArn")
        token = required(params, "Token")
        topic = self.store.get_topic(str(topic_arn))
        if topic is None:
            raise exc.topic_not_found()
        sub = self.store.subscription_by_token(topic.arn, str(token))
        if sub is None:
            raise exc.invalid("Token")
        if not sub.confirmed:
            sub.confirmed = True
            sub.authenticated = ctx.access_key is not None
            self.store.put_subscription(sub, topic.region)
        return {"SubscriptionArn": sub.arn}

    def unsubscribe(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        sub = self.subscription(ctx, params.get("SubscriptionArn"))  # owners only
        self.store.delete_subscription(sub.arn)
        return {}

    def list_subscriptions(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        subs = self.store.list_subscriptions(owner=(ctx.account_id, ctx.region),
                                             after=after_token(params.get("NextToken")),
                                             limit=PAGE + 1)
        return _listing(subs)

    def list_subscriptions_by_topic(self, ctx: RequestContext, params: dict[str, Any]
                                    ) -> dict[str, Any]:
        topic = self.topic(ctx, params.get("TopicArn"), "ListSubscriptionsByTopic")
        subs = self.store.list_subscriptions(topic_arn=topic.arn,
                                             after=after_token(params.get("NextToken")),
                                             limit=PAGE + 1)
        return _listing(subs)

    def get_subscription_attributes(self, ctx: RequestContext, params: dict[str, Any]
                                    ) -> dict[str, Any]:
        sub = self.subscription(ctx, params.get("SubscriptionArn"))
        topic = self.store.get_topic(sub.topic_arn)
        attributes = {
            "SubscriptionArn": sub.arn, "TopicArn": sub.topic_arn, "Owner": sub.owner,
            "Protocol": sub.protocol, "Endpoint": sub.endpoint,
            "ConfirmationWasAuthenticated": str(sub.authenticated).lower(),
            "PendingConfirmation": str(not sub.confirmed).lower(),
            "RawMessageDelivery": "false",
            **sub.attributes,
        }
        if sub.protocol in ("http", "https", "sqs", "lambda"):
            attributes["EffectiveDeliveryPolicy"] = effective_subscription_delivery_policy(
                sub, topic)
        if "FilterPolicy" in sub.attributes:
            attributes.setdefault("FilterPolicyScope", "MessageAttributes")
        return {"Attributes": attributes}

    def set_subscription_attributes(self, ctx: RequestContext, params: dict[str, Any]
                                    ) -> dict[str, Any]:
        sub = self.subscription(ctx, params.get("SubscriptionArn"))
        name = str(required(params, "AttributeName"))
        value = str(params.get("AttributeValue") or "")
        sub.attributes = checked_attributes({name: value}, sub.protocol, sub.attributes)
        topic = self.store.get_topic(sub.topic_arn)
        self.store.put_subscription(sub, topic.region if topic else ctx.region)
        return {}


def _listing(subs: list[Subscription]) -> dict[str, Any]:
    out: dict[str, Any] = {"Subscriptions": [
        {"SubscriptionArn": s.listed_arn, "Owner": s.owner, "Protocol": s.protocol,
         "Endpoint": s.endpoint, "TopicArn": s.topic_arn} for s in subs[:PAGE]]}
    if len(subs) > PAGE:
        out["NextToken"] = page_token(subs[PAGE - 1].arn)
    return out
