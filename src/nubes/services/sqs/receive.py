"""ReceiveMessage: leases claimed in the store, long polling without busy-waiting.

A receive with nothing to deliver waits on the queue's event (set by sends in this
process) and looks at the store again at least every ``Waiters.recheck_s``, until a
message is claimed or ``WaitTimeSeconds`` pass. Messages received ``maxReceiveCount``
times move to the dead-letter queue of the queue's RedrivePolicy as they come up.
"""

from __future__ import annotations

import time
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.sqs import attributes, receipts
from nubes.services.sqs.core import SqsCore, bounded, now_ms
from nubes.services.sqs.digests import md5_of_attributes, md5_of_body
from nubes.services.sqs.fifo import sequence_number
from nubes.services.sqs.models import Queue
from nubes.services.sqs.records import ReceiveOptions, StoredMessage

SYSTEM_NAMES = ("SenderId", "SentTimestamp", "ApproximateReceiveCount",
                "ApproximateFirstReceiveTimestamp", "MessageGroupId",
                "MessageDeduplicationId", "SequenceNumber", "AWSTraceHeader")


def system_attributes(message: StoredMessage, queue: Queue, names: set[str]) -> dict[str, str]:
    values: dict[str, str | None] = {
        "SenderId": message.sender_id,
        "SentTimestamp": str(message.sent_ms),
        "ApproximateReceiveCount": str(message.receive_count),
        "ApproximateFirstReceiveTimestamp": str(message.first_receive_ms),
        "MessageGroupId": message.group_id,
        "MessageDeduplicationId": message.dedup_id if queue.fifo else None,
        "SequenceNumber": sequence_number(message.id) if queue.fifo else None,
        "AWSTraceHeader": message.system.get("stored", {}).get("AWSTraceHeader", {}).get(
            "StringValue"),
    }
    wanted = set(SYSTEM_NAMES) if names & {"All"} else names
    return {k: v for k, v in values.items() if k in wanted and v is not None}


class ReceiveOps(SqsCore):
    async def receive_message(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        queue = self.queue(ctx, params)
        options = self._options(queue, params)
        wait_s = bounded(params, "WaitTimeSeconds", 0, 20,
                         queue.int_attr("ReceiveMessageWaitTimeSeconds"))
        deadline = time.monotonic() + wait_s
        while True:
            found = self.store.receive(queue, options, now_ms(), receipts.new_token)
            remaining = deadline - time.monotonic()
            if found or remaining <= 0:
                break
            await self.waiters.wait(queue.id, remaining)
        names = set(params.get("AttributeNames") or []) | set(
            params.get("MessageSystemAttributeNames") or [])
        selected = list(params.get("MessageAttributeNames") or [])
        messages = [self._answer(queue, message, names, selected) for message in found]
        return {"Messages": messages} if messages else {}

    def _options(self, queue: Queue, params: dict[str, Any]) -> ReceiveOptions:
        count = bounded(params, "MaxNumberOfMessages", 1, 10, 1)
        visibility = bounded(params, "VisibilityTimeout", 0, 43_200,
                             queue.int_attr("VisibilityTimeout"))
        redrive = queue.redrive()
        dead = self.queue_by_arn(redrive[0]) if redrive else None
        return ReceiveOptions(count, visibility, dead, redrive[1] if redrive else 0)

    def _answer(self, queue: Queue, message: StoredMessage, names: set[str],
                selected: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "MessageId": message.message_id,
            "ReceiptHandle": receipts.encode(queue.id, message.id, message.token),
            "MD5OfBody": md5_of_body(message.body),
            "Body": message.body,
        }
        system = system_attributes(message, queue, names)
        if system:
            out["Attributes"] = system
        chosen = attributes.select(message.attributes, selected)
        if chosen:
            out["MessageAttributes"] = chosen
            out["MD5OfMessageAttributes"] = md5_of_attributes(chosen)
        return out
