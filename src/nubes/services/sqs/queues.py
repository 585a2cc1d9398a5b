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
)

MAX_TAGS = 50


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

    def delete_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self.store.delete_queue(self.queue(ctx, params).id)
        return {}

    def get_queue_url(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = required(params, "QueueName")
        account = params.get("QueueOwnerAWSAccountId") or ctx.account_id
        queue = self.store.get_queue(account, ctx.region, name)
        if queue is None or account != ctx.account_id:
            raise exc.queue_not_found()
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
        queue.attributes.update(_checked_attributes(given, queue.fifo))
        for key in ("RedrivePolicy", "Policy", "RedriveAllowPolicy"):
            if queue.attributes.get(key) == "":
                del queue.attributes[key]
        queue.modified_s = int(time.time())
        self.store.update_queue(queue)
        return {}

    def purge_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self.store.purge(self.queue(ctx, params).id)
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
