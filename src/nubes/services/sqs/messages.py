"""Message operations: send (and batch), delete (and batch), change visibility (and batch)."""

from __future__ import annotations

import uuid
from typing import Any

from nubes.errors import ServiceError
from nubes.services.base import RequestContext
from nubes.services.sqs import attributes, batches, fifo, receipts
from nubes.services.sqs import exceptions as exc
from nubes.services.sqs.core import SqsCore, bounded, now_ms, required
from nubes.services.sqs.digests import md5_of_attributes, md5_of_body
from nubes.services.sqs.models import Queue
from nubes.services.sqs.records import NewMessage

MAX_BATCH_BYTES = 1_048_576
MAX_VISIBILITY_S = 43_200


def _system_attributes(given: dict[str, Any]) -> dict[str, dict[str, Any]]:
    for name in given:
        if name != "AWSTraceHeader":
            raise exc.InvalidParameterValue(
                f"Message system attribute name '{name}' is invalid.")
    return given


def _new_message(sender_id: str, queue: Queue, entry: dict[str, Any]) -> NewMessage:
    body = entry.get("MessageBody") or ""
    attributes.check_body(body)
    user = dict(entry.get("MessageAttributes") or {})
    attributes.check_attributes(user)
    limit = queue.int_attr("MaximumMessageSize")
    if len(body.encode()) + attributes.attributes_size(user) > limit:
        raise exc.InvalidParameterValue(
            f"One or more parameters are invalid. Reason: Message must be shorter than "
            f"{limit} bytes.")
    system = _system_attributes(dict(entry.get("MessageSystemAttributes") or {}))
    delay_given = entry.get("DelaySeconds") is not None
    delay = bounded(entry, "DelaySeconds", 0, 900, queue.int_attr("DelaySeconds"))
    message = NewMessage(
        message_id=str(uuid.uuid4()), body=body, attributes=attributes.to_stored(user),
        md5_attributes=md5_of_attributes(user),
        system={"stored": attributes.to_stored(system), "md5": md5_of_attributes(system)},
        sender_id=sender_id, delay_s=delay, group_id=entry.get("MessageGroupId"),
        dedup_id=entry.get("MessageDeduplicationId"))
    fifo.check_send(queue, message, delay_given)
    return message


def _sent_answer(message: NewMessage, message_id: str, sequence: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"MessageId": message_id, "MD5OfMessageBody": md5_of_body(message.body)}
    if message.md5_attributes:
        out["MD5OfMessageAttributes"] = message.md5_attributes
    if message.system["md5"]:
        out["MD5OfMessageSystemAttributes"] = message.system["md5"]
    if sequence is not None:
        out["SequenceNumber"] = sequence
    return out


class MessageOps(SqsCore):
    def send_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        required(params, "MessageBody")
        message = _new_message(ctx.account_id, queue, params)
        sent = self.store.send(queue, [message], now_ms())[0]
        self.waiters.notify(queue.id)
        return _sent_answer(message, sent.message_id, sent.sequence)

    def send_internal(self, queue_arn: str, body: str, sender_id: str,
                      message_attributes: dict[str, Any] | None = None,
                      group_id: str | None = None, dedup_id: str | None = None
                      ) -> str | None:
        """Enqueue a message from another service (the event bus), without a request:
        its message id, or None when the queue does not exist or cannot take it (a FIFO
        queue needs ``group_id``; one without content-based deduplication, ``dedup_id``).
        ``message_attributes`` are in SQS's wire form; a message too large for the queue
        is refused (None) as SendMessage would refuse it."""
        queue = self.queue_by_arn(queue_arn)
        if queue is None or (queue.fifo and group_id is None):
            return None
        entry: dict[str, Any] = {"MessageBody": body,
                                 "MessageAttributes": message_attributes or {}}
        if queue.fifo:
            entry["MessageGroupId"] = group_id
            if dedup_id is not None:
                entry["MessageDeduplicationId"] = dedup_id
        try:
            message = _new_message(sender_id, queue, entry)
        except ServiceError:
            return None
        sent = self.store.send(queue, [message], now_ms())[0]
        self.waiters.notify(queue.id)
        return sent.message_id

    def send_message_batch(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        entries = list(params.get("Entries") or [])
        batches.check_entries(entries, "SendMessageBatchRequestEntry")
        total = sum(len(str(e.get("MessageBody") or "").encode()) +
                    attributes.attributes_size(dict(e.get("MessageAttributes") or {}))
                    for e in entries)
        if total > MAX_BATCH_BYTES:
            raise exc.BatchRequestTooLong(
                f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent "
                f"{total} bytes.")
        accepted: list[tuple[str, NewMessage]] = []
        failed: list[dict[str, Any]] = []
        for entry in entries:
            try:
                accepted.append((entry["Id"], _new_message(ctx.account_id, queue, entry)))
            except ServiceError as error:
                failed.append(batches.failure(entry["Id"], error))
        sent = self.store.send(queue, [m for _, m in accepted], now_ms())
        if accepted:
            self.waiters.notify(queue.id)
        successful = [{"Id": entry_id, **_sent_answer(m, s.message_id, s.sequence)}
                      for (entry_id, m), s in zip(accepted, sent, strict=True)]
        return {"Successful": successful, "Failed": failed}

    def delete_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        self._delete(queue, params)
        return {}

    def _delete(self, queue: Queue, entry: dict[str, Any]) -> dict[str, Any]:
        row = receipts.decode(required(entry, "ReceiptHandle"), queue.id)
        self.store.delete_message(queue.id, row)
        return {}

    def delete_message_batch(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        entries = list(params.get("Entries") or [])
        batches.check_entries(entries, "DeleteMessageBatchRequestEntry")
        return batches.each(entries, lambda entry: self._delete(queue, entry))

    def change_message_visibility(self, ctx: RequestContext, params: dict[str, Any]
                                  ) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        self._change(queue, params)
        return {}

    def _change(self, queue: Queue, entry: dict[str, Any]) -> dict[str, Any]:
        row = receipts.decode(required(entry, "ReceiptHandle"), queue.id)
        if entry.get("VisibilityTimeout") is None:
            raise exc.missing("VisibilityTimeout")
        timeout = bounded(entry, "VisibilityTimeout", 0, MAX_VISIBILITY_S, 0)
        now = now_ms()
        self.store.change_visibility(queue.id, row, now + timeout * 1000, now)
        if timeout == 0:
            self.waiters.notify(queue.id)
        return {}

    def change_message_visibility_batch(self, ctx: RequestContext, params: dict[str, Any]
                                        ) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        entries = list(params.get("Entries") or [])
        batches.check_entries(entries, "ChangeMessageVisibilityBatchRequestEntry")
        return batches.each(entries, lambda entry: self._change(queue, entry))
