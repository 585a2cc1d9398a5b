"""What every SNS operation group shares: the store, the bus, the signer, finding a topic
or subscription, and who may act on a topic from another account."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nubes.events import policy
from nubes.events.bus import EventBus
from nubes.services.base import RequestContext
from nubes.services.sns import exceptions as exc
from nubes.services.sns.models import Subscription, Topic, parse_topic_arn
from nubes.services.sns.signing import Signer
from nubes.services.sns.store import SnsStore


@dataclass(frozen=True)
class SnsOptions:
    data_dir: Path  # the key and certificate messages are signed with live under it
    endpoint: str = "http://localhost:4566"  # the base of SubscribeURL, SigningCertURL...
    retry_delay_scale: float = 1.0  # multiplies delivery policies' delays (tests shorten)
    http_timeout_s: float = 15.0  # an http(s) endpoint answering later failed (AWS: 15 s)
    lease_s: float = 20.0  # renewed while sending: a dead process's deliveries free after


def required(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise exc.invalid(name)
    return value


class SnsCore:
    def __init__(self, store: SnsStore, bus: EventBus | None, options: SnsOptions) -> None:
        self.store = store
        self.bus = bus
        self.options = options
        self.signer = Signer(options.data_dir / "sns")

    def topic(self, ctx: RequestContext, arn: str | None, action: str,
              name: str = "TopicArn") -> Topic:
        """The topic an ARN names, if the caller may perform ``action`` on it."""
        parsed = parse_topic_arn(arn or "")
        if parsed is None:
            raise exc.invalid(name)
        topic = self.store.get_topic(str(parsed))
        if topic is None:
            raise exc.topic_not_found()
        if topic.account_id != ctx.account_id and not account_allowed(
                topic, ctx.account_id, action):
            raise exc.AuthorizationError(
                f"User: arn:aws:iam::{ctx.account_id}:root is not authorized to perform: "
                f"SNS:{action} on resource: {topic.arn}")
        return topic

    def wake_http(self) -> None:
        """Look at the http(s) deliveries soon (``HttpDeliveryOps`` does)."""

    def subscription(self, ctx: RequestContext, arn: str | None) -> Subscription:
        if not arn:
            raise exc.invalid("SubscriptionArn")
        sub = self.store.get_subscription(arn)
        if sub is None:
            if ":" not in arn:
                raise exc.invalid("SubscriptionArn")
            raise exc.subscription_not_found()
        topic = parse_topic_arn(sub.topic_arn)
        if ctx.account_id not in (sub.owner, topic.account_id if topic else sub.owner):
            raise exc.AuthorizationError(
                f"User: arn:aws:iam::{ctx.account_id}:root is not authorized to access "
                f"this subscription: {sub.arn}")
        return sub


def account_allowed(topic: Topic, account_id: str, action: str) -> bool:
    """Whether the topic's policy lets another account perform ``SNS:<action>`` (the
    statements AddPermission writes: an account principal, no condition)."""
    allowed = False
    for statement in policy.statements_of(topic.attributes.get("Policy")):
        if statement.get("Condition") or not _names_account(statement.get("Principal"),
                                                             account_id):
            continue
        actions = statement.get("Action")
        listed = actions if isinstance(actions, list) else [actions]
        if not any(fnmatch.fnmatchcase(f"sns:{action}".lower(), str(a).lower())
                   for a in listed):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _names_account(principal: Any, account_id: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    found = principal.get("AWS")
    listed = found if isinstance(found, list) else [found]
    return any(p in ("*", account_id, f"arn:aws:iam::{account_id}:root") for p in listed)
