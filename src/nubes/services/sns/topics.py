"""Topic operations: create, delete, list, attributes, tags, permissions."""

from __future__ import annotations

import base64
import json
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.sns import exceptions as exc
from nubes.services.sns.core import SnsCore, required
from nubes.services.sns.models import (
    Topic,
    TopicArn,
    check_topic_attribute,
    check_topic_name,
    default_policy,
    effective_topic_delivery_policy,
    parse_topic_arn,
)

PAGE = 100
MAX_TAGS = 50
ACTIONS = frozenset({
    "AddPermission", "DeleteTopic", "GetTopicAttributes", "ListSubscriptionsByTopic",
    "ListTopics", "Publish", "Receive", "RemovePermission", "SetTopicAttributes",
    "Subscribe",
})


def page_token(last: str) -> str:
    return base64.urlsafe_b64encode(last.encode()).decode()


def after_token(token: str | None) -> str:
    if not token:
        return ""
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except ValueError:
        raise exc.invalid("NextToken") from None


def _tags(given: list[dict[str, Any]]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for tag in given:
        key, value = str(tag.get("Key") or ""), str(tag.get("Value") or "")
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise exc.invalid("Tags Reason: tag keys must be 1 to 128 characters and values "
                              "at most 256")
        tags[key] = value
    return tags


class TopicOps(SnsCore):
    def create_topic(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = str(params.get("Name") or "")
        if params.get("DataProtectionPolicy"):
            raise exc.invalid("DataProtectionPolicy Reason: Nubes does not apply data "
                              "protection policies")
        given = {k: str(v) for k, v in (params.get("Attributes") or {}).items()}
        fifo_value = given.pop("FifoTopic", "false").lower()
        if fifo_value not in ("true", "false"):
            raise exc.invalid("Attributes Reason: FifoTopic: Invalid value")
        fifo = fifo_value == "true"
        check_topic_name(name, fifo)
        checked = {k: check_topic_attribute(k, v, fifo) for k, v in given.items()}
        arn = str(TopicArn(ctx.region, ctx.account_id, name))
        attributes = {"Policy": default_policy(arn, ctx.account_id), "DisplayName": "",
                      **({"FifoTopic": "true", "ContentBasedDeduplication": "false"}
                         if fifo else {}), **checked}
        tags = _tags(params.get("Tags") or [])
        if len(tags) > MAX_TAGS:
            raise exc.TagLimitExceeded("Could not complete request: tag quota of per "
                                       "resource exceeded")
        topic, created = self.store.create_topic(
            Topic(arn, ctx.account_id, ctx.region, name, attributes, tags))
        if not created:
            if fifo != topic.fifo or any(topic.attributes.get(k) != v
                                         for k, v in checked.items()):
                raise exc.invalid("Attributes Reason: Topic already exists with different "
                                  "attributes")
            if tags and any(topic.tags.get(k) != v for k, v in tags.items()):
                raise exc.invalid("Tags Reason: Topic already exists with different tags")
        return {"TopicArn": topic.arn}

    def delete_topic(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        parsed = parse_topic_arn(str(params.get("TopicArn") or ""))
        if parsed is None:
            raise exc.invalid("TopicArn")
        if self.store.get_topic(str(parsed)) is None:
            return {}  # deleting a topic that does not exist succeeds, as on AWS
        topic = self.topic(ctx, str(parsed), "DeleteTopic")
        self.store.delete_topic(topic.arn)
        return {}

    def list_topics(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arns = self.store.list_topics(ctx.account_id, ctx.region,
                                      after_token(params.get("NextToken")), PAGE + 1)
        out: dict[str, Any] = {"Topics": [{"TopicArn": arn} for arn in arns[:PAGE]]}
        if len(arns) > PAGE:
            out["NextToken"] = page_token(arns[PAGE - 1])
        return out

    def get_topic_attributes(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        topic = self.topic(ctx, params.get("TopicArn"), "GetTopicAttributes")
        confirmed, pending = self.store.counts(topic.arn)
        return {"Attributes": {
            **topic.attributes,
            "TopicArn": topic.arn, "Owner": topic.account_id,
            "SubscriptionsConfirmed": str(confirmed), "SubscriptionsPending": str(pending),
            "SubscriptionsDeleted": "0",  # deletion is immediate: none are in progress
            "EffectiveDeliveryPolicy": effective_topic_delivery_policy(topic),
        }}

    def set_topic_attributes(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        topic = self.topic(ctx, params.get("TopicArn"), "SetTopicAttributes")
        name = required(params, "AttributeName")
        value = str(params.get("AttributeValue") or "")
        topic.attributes[name] = check_topic_attribute(name, value, topic.fifo)
        if name == "Policy" and not value:
            topic.attributes[name] = default_policy(topic.arn, topic.account_id)
        elif name in ("DeliveryPolicy", "KmsMasterKeyId") and not value:
            del topic.attributes[name]
        self.store.update_topic(topic)
        return {}

    # -- tags -----------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, params: dict[str, Any]) -> Topic:
        arn = str(params.get("ResourceArn") or "")
        parsed = parse_topic_arn(arn)
        topic = self.store.get_topic(str(parsed)) if parsed else None
        if topic is None or topic.account_id != ctx.account_id:
            raise exc.ResourceNotFound("Resource does not exist")
        return topic

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._tagged(ctx, params)
        topic.tags.update(_tags(params.get("Tags") or []))
        if len(topic.tags) > MAX_TAGS:
            raise exc.TagLimitExceeded("Could not complete request: tag quota of per "
                                       "resource exceeded")
        self.store.update_topic(topic)
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._tagged(ctx, params)
        for key in params.get("TagKeys") or []:
            topic.tags.pop(key, None)
        self.store.update_topic(topic)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]
                               ) -> dict[str, Any]:
        topic = self._tagged(ctx, params)
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(topic.tags.items())]}

    # -- permissions ----------------------------------------------------------------------

    def add_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.topic(ctx, params.get("TopicArn"), "AddPermission")
        label = required(params, "Label")
        accounts = list(params.get("AWSAccountId") or [])
        actions = list(params.get("ActionName") or [])
        if not accounts:
            raise exc.invalid("AWSAccountId")
        if not actions:
            raise exc.invalid("ActionName")
        for action in actions:
            if action != "*" and action not in ACTIONS:
                raise exc.invalid(f"Policy statement action out of service scope!: {action}")
        document = json.loads(topic.attributes["Policy"])
        statements = document.setdefault("Statement", [])
        if any(s.get("Sid") == label for s in statements):
            raise exc.invalid("Statement already exists")
        principals = [f"arn:aws:iam::{a}:root" for a in accounts]
        named = [f"SNS:{a}" for a in actions]
        statements.append({
            "Sid": label, "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": named[0] if len(named) == 1 else named, "Resource": topic.arn,
        })
        topic.attributes["Policy"] = json.dumps(document, separators=(",", ":"))
        self.store.update_topic(topic)
        return {}

    def remove_permission(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        topic = self.topic(ctx, params.get("TopicArn"), "RemovePermission")
        label = required(params, "Label")
        document = json.loads(topic.attributes["Policy"])
        statements = document.get("Statement", [])
        kept = [s for s in statements if s.get("Sid") != label]
        if len(kept) != len(statements):
            document["Statement"] = kept
            topic.attributes["Policy"] = json.dumps(document, separators=(",", ":"))
            self.store.update_topic(topic)
        return {}
