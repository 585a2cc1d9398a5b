"""Queue operations: create, delete, list, URL, attributes, purge, tags."""

from __future__ import annotations

import base64
import time
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.sqs import exceptions as exc
from nubes.services.sqs.core import SqsCore, now_ms, required
from nubes.services.sqs.models import (
    ALL_NAMES,
    Queue,
    check_attribute,
    check_queue_name,
    default_attributes,
    describe_tags,
    redrive_policy,
)

MAX_TAGS = 50
PURGE_INTERVAL_S = 60.0  # AWS allows one PurgeQueue per queue this often


def _checked_attributes(given: dict[str, str], fifo: bool) -> dict[str, str]:
    return {name: check_attribute(name, str(value), fifo) for name, value in given.items()}


def _token(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode()


def _after(token: str | None) -> str:
    if not token:
        return ""
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except ValueError as error:
        raise exc.InvalidParameterValue("Invalid NextToken value.") from error


class QueueOps(SqsCore):
    def create_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = required(params, "QueueName")
        given = dict(params.get("Attributes") or {})
        fifo = given.get("FifoQueue", "false").lower() == "true"
        check_queue_name(name, fifo)
        attributes = {**default_attributes(fifo), **_checked_attributes(given, fifo)}
        if attributes.get("RedrivePolicy"):
            self._check_dead_letter_target(
                Queue(0, ctx.account_id, ctx.region, name, attributes),
                attributes["RedrivePolicy"])
        if attributes.get("FifoQueue") == "false":
            del attributes["FifoQueue"]
        seconds = int(time.time())
        queue, created = self.store.create_queue(Queue(
            0, ctx.account_id, ctx.region, name, attributes,
            describe_tags(params.get("tags") or {}), seconds, seconds))
        if not created:
            for key, value in _checked_attributes(given, fifo).items():
                if queue.attributes.get(key, "false" if key == "FifoQueue" else None) != value:
                    raise exc.QueueNameExists(
                        f"A queue already exists with the same name and a different value "
                        f"for attribute {key}")
        return {"QueueUrl": queue.url(ctx.endpoint)}

    def _check_dead_letter_target(self, queue: Queue, policy: str) -> None:
        """A RedrivePolicy must name an existing queue of the same type, in the queue's
        account and region, as AWS requires."""
        arn, _ = redrive_policy(policy)
        target = self.queue_by_arn(arn)
        if target is None or target.account_id != queue.account_id \
                or target.region != queue.region:
            raise exc.InvalidParameterValue(
                f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Dead letter "
                f"target does not exist.")
        if target.fifo != queue.fifo:
            raise exc.InvalidParameterValue(
                f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Dead-letter "
                f"queue must be same type of queue as the source.")

    def delete_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        self.store.delete_queue(queue.id)
        self.purged.pop(queue.id, None)  # its id may be given to the next queue
        return {}

    def get_queue_url(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = required(params, "QueueName")
        account = params.get("QueueOwnerAWSAccountId") or ctx.account_id
        queue = self.store.get_queue(account, ctx.region, name)
        if queue is None:
            raise exc.queue_not_found()
        if account != ctx.account_id:
            self.check_other_account(ctx, queue)
        return {"QueueUrl": queue.url(ctx.endpoint)}

    def list_queues(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("MaxResults")
        if limit is not None and not 1 <= int(limit) <= 1000:
            raise exc.InvalidParameterValue(
                "Value for parameter MaxResults is invalid. Reason: MaxResults must be an "
                "integer between 1 and 1000.")
        page = int(limit) if limit is not None else 1000
        queues = self.store.list_queues(ctx.account_id, ctx.region,
                                        params.get("QueueNamePrefix") or "",
                                        _after(params.get("NextToken")), page + 1)
        out: dict[str, Any] = {"QueueUrls": [q.url(ctx.endpoint) for q in queues[:page]]}
        if limit is not None and len(queues) > page:
            out["NextToken"] = _token(queues[page - 1].name)
        if not out["QueueUrls"]:
            del out["QueueUrls"]
        return out

    def get_queue_attributes(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        names = params.get("AttributeNames") or []
        for name in names:
            if name != "All" and name not in ALL_NAMES:
                raise exc.InvalidAttributeName(f"Unknown Attribute {name}.")
        everything = self._all_attributes(queue)
        wanted = set(everything) if "All" in names else set(names)
        return {"Attributes": {k: v for k, v in everything.items() if k in wanted}
                if wanted else {}}

    def _all_attributes(self, queue: Queue) -> dict[str, str]:
        visible, inflight, delayed = self.store.counts(queue.id, now_ms())
        return {
            **queue.attributes,
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(inflight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
            "CreatedTimestamp": str(queue.created_s),
            "LastModifiedTimestamp": str(queue.modified_s),
            "QueueArn": queue.arn,
        }

    def set_queue_attributes(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        given = dict(params.get("Attributes") or {})
        if "FifoQueue" in given and given["FifoQueue"].lower() != str(queue.fifo).lower():
            raise exc.InvalidAttributeValue("Invalid value for the parameter FifoQueue.")
        checked = _checked_attributes(given, queue.fifo)
        if checked.get("RedrivePolicy"):
            self._check_dead_letter_target(queue, checked["RedrivePolicy"])
        queue.attributes.update(checked)
        for key in ("RedrivePolicy", "Policy", "RedriveAllowPolicy"):
            if queue.attributes.get(key) == "":
                del queue.attributes[key]
        queue.modified_s = int(time.time())
        self.store.update_queue(queue)
        return {}

    def purge_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        now = time.monotonic()
        last = self.purged.get(queue.id)
        if last is not None and now - last < PURGE_INTERVAL_S:
            raise exc.PurgeQueueInProgress(
                f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.")
        self.purged[queue.id] = now
        self.store.purge(queue.id)
        return {}

    def tag_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        queue.tags.update(describe_tags(required(params, "Tags")))
        if len(queue.tags) > MAX_TAGS:
            raise exc.InvalidParameterValue(f"Too many tags added for queue {queue.name}.")
        self.store.update_queue(queue)
        return {}

    def untag_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        for key in required(params, "TagKeys"):
            queue.tags.pop(key, None)
        self.store.update_queue(queue)
        return {}

    def list_queue_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        tags = self.queue(ctx, params).tags
        return {"Tags": tags} if tags else {}

    def list_dead_letter_source_queues(self, ctx: RequestContext, params: dict[str, Any]
                                       ) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        sources = self.store.queues_with_dead_letter(ctx.account_id, ctx.region, queue.arn)
        return {"queueUrls": [source.url(ctx.endpoint) for source in sources]}
