"""Receiving and deleting on behalf of another service (Lambda's event source mappings),
without a request: the same leases, long polling, redrive and FIFO group order as
ReceiveMessage and DeleteMessage, with every system attribute."""

from __future__ import annotations

import time
from dataclasses import dataclass

from nubes.errors import ServiceError
from nubes.services.sqs import receipts
from nubes.services.sqs.core import now_ms
from nubes.services.sqs.digests import md5_of_body
from nubes.services.sqs.models import Queue
from nubes.services.sqs.receive import ReceiveOps, system_attributes


@dataclass(frozen=True, slots=True)
class Leased:
    """A message received internally: what an SQS event record carries."""

    message_id: str
    receipt_handle: str
    body: str
    md5_of_body: str
    attributes: dict[str, str]  # system attributes
    message_attributes: dict[str, dict[str, str]]  # {"DataType", "StringValue"|"BinaryValue"}


class InternalOps(ReceiveOps):
    def queue_facts(self, arn: str) -> Queue | None:
        return self.queue_by_arn(arn)

    async def receive_internal(self, arn: str, count: int, wait_s: float) -> list[Leased]:
        """Up to ``count`` (1..10) messages leased for the queue's visibility timeout,
        waiting up to ``wait_s`` for the first; [] when none came or the queue is gone."""
        deadline = time.monotonic() + wait_s
        while True:
            queue = self.queue_by_arn(arn)
            if queue is None:
                return []
            options = self._options(queue, {"MaxNumberOfMessages": max(1, min(count, 10))})
            found = self.store.receive(queue, options, now_ms(), receipts.new_token)
            remaining = deadline - time.monotonic()
            if found or remaining <= 0:
                break
            await self.waiters.wait(queue.id, remaining)
        return [Leased(m.message_id, receipts.encode(queue.id, m.id, m.token), m.body,
                       md5_of_body(m.body), system_attributes(m, queue, {"All"}),
                       dict(m.attributes)) for m in found]

    def release_internal(self, arn: str, receipt_handles: list[str]) -> None:
        """Make received messages visible again now (their receive counts stay)."""
        queue = self.queue_by_arn(arn)
        if queue is None:
            return
        now = now_ms()
        for handle in receipt_handles:
            try:
                self.store.change_visibility(queue.id, receipts.decode(handle, queue.id), now,
                                             now)
            except ServiceError:
                continue  # no longer in flight
        self.waiters.notify(queue.id)

    def delete_internal(self, arn: str, receipt_handles: list[str]) -> None:
        queue = self.queue_by_arn(arn)
        if queue is None:
            return
        for handle in receipt_handles:
            try:
                row = receipts.decode(handle, queue.id)
            except ServiceError:
                continue
            self.store.delete_message(queue.id, row)
