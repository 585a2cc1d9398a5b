"""One poller of an SQS mapping: gathers a batch, runs the function on it, deletes what
succeeded.

A batch is up to BatchSize messages: the first receive long-polls (waking on the queue's
waiters, never spinning), then more are taken until the batch is full or
MaximumBatchingWindowInSeconds has passed. On success the batch is deleted; on a
function error it is left alone, so it comes back after the queue's visibility timeout
and the queue's redrive policy moves it to its dead-letter queue after maxReceiveCount.
With ReportBatchItemFailures only the messages the function names stay. Messages no
filter matches are deleted without running the function, as AWS does.
"""

from __future__ import annotations

import asyncio
import json
import time

from nubes.services.lambda_.mappings import records
from nubes.services.lambda_.mappings.batches import Status, failed_items
from nubes.services.lambda_.mappings.filters import keeps
from nubes.services.lambda_.mappings.models import OK, Mapping, State
from nubes.services.lambda_.mappings.sources import QueueMessage, QueueSource
from nubes.services.lambda_.mappings.work import PollerContext

LONG_POLL_S = 20.0
MAX_RECEIVE = 10
PAYLOAD_LIMIT = 6 * 1024 * 1024  # a synchronous invocation's payload

Entry = tuple[QueueMessage, dict[str, object]]


class QueuePoller:
    def __init__(self, ctx: PollerContext, source: QueueSource, uuid: str) -> None:
        self.ctx = ctx
        self.source = source
        self.uuid = uuid

    async def run(self) -> None:
        while True:
            mapping = self.ctx.store.get(self.uuid)
            if mapping is None or mapping.state is not State.ENABLED:
                return
            problem = self.ctx.gate.problem(mapping)
            if problem is not None:  # receive nothing: receive counts would grow
                self.ctx.note(mapping, problem)
                await asyncio.sleep(self.ctx.options.poll_s)
                continue
            facts = self.source.queue(mapping.source_arn)
            if facts is None:  # deleted: receives would return at once
                await asyncio.sleep(self.ctx.options.poll_s)
                continue
            messages, received = await self._gather(mapping)
            if messages:
                # A throttled batch is handed back before its messages become visible.
                await self._process(mapping, messages, received + facts.visibility_s)

    async def _gather(self, mapping: Mapping) -> tuple[list[QueueMessage], float]:
        """A batch, and when its first messages were received."""
        arn, size = mapping.source_arn, mapping.batch_size
        got = await self.source.receive(arn, min(MAX_RECEIVE, size), LONG_POLL_S)
        received = time.time()
        if not got:
            return [], received
        deadline = time.monotonic() + mapping.window_s
        while len(got) < size:
            remaining = max(0.0, deadline - time.monotonic())
            more = await self.source.receive(arn, min(MAX_RECEIVE, size - len(got)), remaining)
            if not more:
                break
            got.extend(more)
        return got, received

    async def _process(self, mapping: Mapping, messages: list[QueueMessage],
                       deadline: float) -> None:
        arn = mapping.source_arn
        kept: list[Entry] = []
        dropped: list[str] = []
        for message in messages:
            record = records.sqs_record(mapping, message)
            if keeps(mapping.filters, records.filterable_sqs(record)):
                kept.append((message, record))
            else:
                dropped.append(message.receipt_handle)
        if dropped:
            self.source.delete(arn, dropped)
        kept, spare = _fitting(kept)
        if spare:  # beyond one invocation's payload: back to the queue for the next batch
            self.source.release(arn, [message.receipt_handle for message, _ in spare])
        if not kept:
            return
        result = await self.ctx.gate.invoke_batch(
            mapping, records.event([record for _, record in kept]), deadline)
        if result.status is Status.THROTTLED:
            self.ctx.note(mapping, result.problem)
            return  # the messages come back after their visibility timeout
        if result.status is Status.UNAVAILABLE:
            self.ctx.note(mapping, result.problem)
            await asyncio.sleep(self.ctx.options.poll_s)  # the messages come back later
            return
        if result.status is Status.FAILED:
            self.ctx.note(mapping, "PROBLEM: Function call failed")
            return
        ids = [message.message_id for message, _ in kept]
        failed: list[str] | None = []
        if mapping.reports_failures:
            failed = failed_items(result.payload, ids)
        if failed is None:
            self.ctx.note(mapping, "PROBLEM: Function call failed")
            return
        self.ctx.note(mapping, OK)
        done = [m.receipt_handle for m, _ in kept if m.message_id not in set(failed)]
        if done:
            self.source.delete(arn, done)


def _fitting(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """The leading entries whose event fits in one invocation's payload (at least one),
    and the rest."""
    total = 0
    for count, (_, record) in enumerate(entries):
        total += len(json.dumps(record)) + 2
        if total > PAYLOAD_LIMIT and count:
            return entries[:count], entries[count:]
    return entries, []
