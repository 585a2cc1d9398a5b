"""Publish and PublishBatch, and publishing on behalf of another service (the bus's
``SnsTarget``): each message is written with its deliveries in one transaction."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import sqlite3
import time
import uuid
from dataclasses import dataclass
from typing import Any

from nubes.errors import ServiceError
from nubes.events import policy
from nubes.events.event import Access, Event
from nubes.services.base import RequestContext
from nubes.services.sns import envelopes, filters, messages, store
from nubes.services.sns import exceptions as exc
from nubes.services.sns.core import SnsCore
from nubes.services.sns.messages import Published
from nubes.services.sns.models import Subscription, Topic, header_content_type

log = logging.getLogger(__name__)

MAX_BATCH = 10
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_FIFO_ID = re.compile(r"^[\x21-\x7e]{1,128}$")


@dataclass(frozen=True, slots=True)
class Entry:
    """A message checked and ready to publish."""

    message: str
    per_protocol: dict[str, str]
    subject: str | None
    attributes: dict[str, dict[str, str]]
    group_id: str | None
    dedup_id: str | None


def check_entry(topic: Topic, params: dict[str, Any]) -> Entry:
    """Publish's (or a batch entry's) parameters checked as SNS checks them."""
    message, per_protocol = messages.check_message(params.get("Message"),
                                                   params.get("MessageStructure"))
    subject = messages.check_subject(params.get("Subject"))
    attributes = messages.check_attributes(dict(params.get("MessageAttributes") or {}))
    messages.check_size(message, per_protocol, attributes)
    group, dedup = params.get("MessageGroupId"), params.get("MessageDeduplicationId")
    if topic.fifo:
        if not group:
            raise exc.invalid("The MessageGroupId parameter is required for FIFO topics")
        if not _FIFO_ID.match(str(group)):
            raise exc.invalid("MessageGroupId")
        if dedup is None and not topic.content_dedup:
            raise exc.invalid("The topic should either have ContentBasedDeduplication "
                              "enabled or MessageDeduplicationId provided explicitly")
        if dedup is not None and not _FIFO_ID.match(str(dedup)):
            raise exc.invalid("MessageDeduplicationId")
    else:
        for name, value in (("MessageGroupId", group), ("MessageDeduplicationId", dedup)):
            if value is not None:
                raise exc.invalid(f"{name} Reason: The request includes {name} parameter "
                                  "that is not valid for this topic type")
    return Entry(message, per_protocol, subject, attributes,
                 str(group) if group else None, str(dedup) if dedup else None)


class PublishOps(SnsCore):
    def publish(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("PhoneNumber"):
            raise exc.invalid("Nubes does not send SMS messages (PhoneNumber)")
        arn = params.get("TopicArn") or params.get("TargetArn")
        if not arn:
            raise exc.invalid("TopicArn or TargetArn Reason: no value for required parameter")
        topic = self.topic(ctx, arn, "Publish",
                           "TopicArn" if params.get("TopicArn") else "TargetArn")
        message_id, sequence = self.publish_entries(topic, [check_entry(topic, params)])[0]
        out = {"MessageId": message_id}
        if sequence is not None:
            out["SequenceNumber"] = sequence
        return out

    def publish_batch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.topic(ctx, params.get("TopicArn"), "Publish")
        entries = list(params.get("PublishBatchRequestEntries") or [])
        _check_batch(entries)
        accepted: list[tuple[str, Entry]] = []
        failed: list[dict[str, Any]] = []
        for raw in entries:
            try:
                accepted.append((raw["Id"], check_entry(topic, raw)))
            except ServiceError as error:
                failed.append({"Id": raw["Id"], "Code": error.code, "Message": error.message,
                               "SenderFault": error.sender_fault})
        results = self.publish_entries(topic, [entry for _, entry in accepted])
        successful = []
        for (entry_id, _), (message_id, sequence) in zip(accepted, results, strict=True):
            item = {"Id": entry_id, "MessageId": message_id}
            if sequence is not None:
                item["SequenceNumber"] = sequence
            successful.append(item)
        return {"Successful": successful, "Failed": failed}

    def publish_entries(self, topic: Topic, entries: list[Entry]
                        ) -> list[tuple[str, str | None]]:
        """Publish checked entries in one transaction: (message id, sequence number) of
        each, a duplicate's being the first message's."""
        results: list[tuple[str, str | None]] = []
        wake = False
        with self.store.db.transaction() as conn:
            if store.topic_in(conn, topic.arn) is None:
                raise exc.topic_not_found()
            subscriptions = store.confirmed_subscriptions(conn, topic.arn)
            for entry in entries:
                message_id, sequence = str(uuid.uuid4()), None
                if topic.fifo:
                    dedup = entry.dedup_id or hashlib.sha256(entry.message.encode()).hexdigest()
                    earlier = store.deduplicated(conn, topic.arn, dedup)
                    if earlier is not None:
                        results.append(earlier)
                        continue
                    sequence = store.next_sequence(conn, topic.arn, dedup, message_id)
                    entry = Entry(entry.message, entry.per_protocol, entry.subject,
                                  entry.attributes, entry.group_id, dedup)
                published = Published(
                    message_id, topic.arn, entry.message, envelopes.timestamp(time.time()),
                    entry.subject, entry.per_protocol, entry.attributes, entry.group_id,
                    entry.dedup_id, sequence)
                wake = self._fan_out(conn, topic, subscriptions, published) or wake
                results.append((message_id, sequence))
        if wake:
            self.wake_http()
        return results

    def _fan_out(self, conn: sqlite3.Connection, topic: Topic,
                 subscriptions: list[Subscription], published: Published) -> bool:
        """One delivery per subscription the message passes the filter of; whether any
        went to an http(s) endpoint."""
        events: list[Event] = []
        http = False
        version = topic.attributes.get("SignatureVersion", "1")
        endpoint = self.options.endpoint
        for sub in subscriptions:
            policy = sub.attributes.get("FilterPolicy")
            if policy and not filters.matches(
                    policy, sub.attributes.get("FilterPolicyScope", "MessageAttributes"),
                    published.message_for(sub.protocol), published.attributes):
                continue
            if sub.protocol == "lambda":
                events.append(self._event(topic, sub, envelopes.lambda_event(
                    published, sub.arn, endpoint, self.signer, version)))
                continue
            body = (published.message_for(sub.protocol) if sub.raw else envelopes.aws_json(
                envelopes.notification(published, sub.protocol, sub.arn, endpoint,
                                       self.signer, version)))
            if sub.protocol == "sqs":
                events.append(self._event(topic, sub, body, _sqs_options(published, sub)))
            else:
                headers = envelopes.http_headers(
                    "Notification", published.message_id, topic.arn, sub.arn,
                    header_content_type(sub, topic), sub.raw)
                store.add_http(conn, sub.arn, topic.arn, [(body, headers)])
                http = True
        if events and self.bus is not None:
            self.bus.publish_in(conn, events)
        return http

    @staticmethod
    def _event(topic: Topic, sub: Subscription, payload: str,
               options: dict[str, str] | None = None) -> Event:
        """A delivery to a queue or function; addressed to the subscription when it has a
        dead-letter queue, so ``SnsTarget`` can send what the endpoint refuses there."""
        destination = sub.arn if sub.attributes.get("RedrivePolicy") else sub.endpoint
        return Event("sns", topic.account_id, topic.region, "Notification", destination,
                     topic.arn, payload, options or {})


def _sqs_options(published: Published, sub: Subscription) -> dict[str, str]:
    options: dict[str, str] = {}
    if sub.raw and published.attributes:
        options["MessageAttributes"] = json.dumps(messages.sqs_attributes(published.attributes))
    if published.group_id is not None:
        options["MessageGroupId"] = published.group_id
    if published.dedup_id is not None:
        options["MessageDeduplicationId"] = published.dedup_id
    return options


def _check_batch(entries: list[dict[str, Any]]) -> None:
    if not entries:
        raise exc.EmptyBatchRequest("The batch request doesn't contain any entries")
    if len(entries) > MAX_BATCH:
        raise exc.TooManyEntriesInBatchRequest(
            "The batch request contains more entries than permissible.")
    ids = [str(entry.get("Id") or "") for entry in entries]
    if any(not _BATCH_ID.match(entry_id) for entry_id in ids):
        raise exc.InvalidBatchEntryId(
            "The Id of a batch entry in a batch request doesn't abide by the specification.")
    if len(set(ids)) != len(ids):
        raise exc.BatchEntryIdsNotDistinct(
            "Two or more batch entries in the request have the same Id.")
    total = 0
    for entry in entries:
        total += len(str(entry.get("Message") or "").encode())
        for name, value in (entry.get("MessageAttributes") or {}).items():
            total += len(name.encode()) + len(str(value.get("DataType") or "").encode())
            total += len(value.get("BinaryValue") or b"") + len(
                str(value.get("StringValue") or "").encode())
    if total > messages.MAX_MESSAGE_BYTES:
        raise exc.BatchRequestTooLong(
            "The length of all the messages put together is more than the limit.")


class ServicePublishOps(PublishOps):
    """Messages other services publish through the bus (S3 notifications, EventBridge
    targets, Lambda destinations): the topic's policy decides, as on AWS."""

    def publisher_access(self, topic_arn: str, principal: str, source_arn: str,
                         source_account: str) -> Access:
        topic = self.store.get_topic(topic_arn)
        if topic is None or (topic.fifo and principal == "s3.amazonaws.com"):
            return Access.MISSING  # S3 cannot notify FIFO topics
        request = policy.Request(principal, "sns:Publish", topic_arn, source_arn,
                                 source_account)
        statements = policy.statements_of(topic.attributes.get("Policy"))
        return Access.ALLOWED if policy.allows(statements, request) else Access.DENIED

    def subscription_route(self, arn: str) -> tuple[str, str | None] | None:
        """(endpoint, dead-letter queue ARN or None) of a subscription, None if gone."""
        sub = self.store.get_subscription(arn)
        if sub is None:
            return None
        redrive = sub.attributes.get("RedrivePolicy")
        return sub.endpoint, json.loads(redrive)["deadLetterTargetArn"] if redrive else None

    def publish_event(self, event: Event) -> bool:
        """Publish an event's payload to the topic it is addressed to; False when the
        topic is gone or cannot take it (a FIFO topic needs ``MessageGroupId``)."""
        topic = self.store.get_topic(event.destination)
        if topic is None:
            return False
        options = event.options
        params: dict[str, Any] = {"Message": event.payload}
        if options.get("Subject"):
            params["Subject"] = options["Subject"]
        if options.get("MessageAttributes"):  # SQS's wire form, binary values in base64
            params["MessageAttributes"] = {
                name: {**value, "BinaryValue": base64.b64decode(value["BinaryValue"])}
                if "BinaryValue" in value else value
                for name, value in json.loads(options["MessageAttributes"]).items()}
        if topic.fifo:
            params["MessageGroupId"] = options.get("MessageGroupId")
            params["MessageDeduplicationId"] = options.get("MessageDeduplicationId")
        try:
            entry = check_entry(topic, params)
            self.publish_entries(topic, [entry])
        except ServiceError as error:
            log.warning("sns: %s from %s not published to %s: %s", event.detail_type,
                        event.source_arn, topic.arn, error.message)
            return False
        return True
