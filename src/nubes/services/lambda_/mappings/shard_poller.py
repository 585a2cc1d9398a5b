"""One poller per shard of a Kinesis or DynamoDB stream mapping: batches in order, the
checkpoint advanced only after a batch succeeded.

The checkpoint (the position of the last record processed) lives in the store, so a
process killed mid-batch leaves it where it was and the batch runs again after restart.
A failed batch is retried (every ``poll_s``) until it succeeds, MaximumRetryAttempts are
used up, or its oldest record is older than MaximumRecordAgeInSeconds; with
BisectBatchOnFunctionError a failed batch is split in two first (a split is not counted
as a retry). A batch given up on is described in an on-failure record sent to
DestinationConfig.OnFailure, and the shard moves on. With ReportBatchItemFailures the
checkpoint moves to just before the first failed record and the rest is retried.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from nubes.services.lambda_.mappings import records
from nubes.services.lambda_.mappings.batches import Result, Status, failed_items
from nubes.services.lambda_.mappings.filters import keeps
from nubes.services.lambda_.mappings.models import OK, Mapping, State
from nubes.services.lambda_.mappings.sources import StreamItem, StreamSource
from nubes.services.lambda_.mappings.work import PollerContext

PAYLOAD_LIMIT = 6 * 1024 * 1024  # a synchronous invocation's payload


class LeaseLost(Exception):
    """Another process took the shard: stop without touching it."""


@dataclass
class Part:
    """A run of records to invoke together, and how often it failed."""

    entries: list[tuple[StreamItem, dict[str, Any]]]
    attempts: int = 0
    invokes: int = 0


class ShardPoller:
    def __init__(self, ctx: PollerContext, source: StreamSource, uuid: str, shard: str
                 ) -> None:
        self.ctx = ctx
        self.source = source
        self.uuid = uuid
        self.shard = shard

    async def run(self) -> None:
        try:
            while True:
                mapping = self.ctx.store.get(self.uuid)
                if mapping is None or mapping.state is not State.ENABLED:
                    return
                if not await self._once(mapping):
                    await asyncio.sleep(self.ctx.options.poll_s)
        except LeaseLost:
            return

    async def _once(self, mapping: Mapping) -> bool:
        """Process one batch; False when there was nothing (yet) to process."""
        problem = self.ctx.gate.problem(mapping)
        if problem is not None:
            self.ctx.note(mapping, problem)
            return False
        after = self.ctx.store.checkpoint(self.uuid, self.shard) or 0
        items = self.source.read(mapping.source_arn, self.shard, after, mapping.batch_size)
        if not items:
            return False
        if (mapping.window_s and len(items) < mapping.batch_size
                and time.time() < items[0].arrival + mapping.window_s):
            return False  # let the batch fill until the window closes
        role = self.ctx.gate.invoke_identity(mapping)
        items = _fitting(items, mapping, self.shard, role)
        entries = []
        for item in items:
            record = records.stream_record(mapping, item, self.shard, role)
            if keeps(mapping.filters, records.filterable_stream(record)):
                entries.append((item, record))
        if entries:
            await self._deliver(mapping, [Part(entries)])
        self._advance(items[-1].position)  # past the records filtered out, too
        return True

    def _advance(self, position: int) -> None:
        if not self.ctx.store.advance(self.uuid, self.shard, self.ctx.owner, position):
            raise LeaseLost

    async def _deliver(self, mapping: Mapping, pending: list[Part]) -> None:
        while pending:
            part = pending[0]
            if _too_old(mapping, part):
                self._give_up(mapping, part, "RecordAgeExceeded", None)
                pending.pop(0)
                continue
            items = [item for item, _ in part.entries]
            result = await self.ctx.gate.invoke_batch(
                mapping, records.event([record for _, record in part.entries]))
            if result.status is Status.UNAVAILABLE:
                self.ctx.note(mapping, result.problem)
                await asyncio.sleep(self.ctx.options.poll_s)
                continue
            part.invokes += 1
            failed = self._failed(mapping, result, items)
            if failed is not None and not failed:
                self.ctx.note(mapping, OK)
                self._advance(items[-1].position)
                pending.pop(0)
                continue
            if failed:
                first = items.index(failed[0])
                if first:
                    self._advance(items[first - 1].position)
                part.entries = part.entries[first:]
            self.ctx.note(mapping, "PROBLEM: Function call failed")
            if mapping.bisect and len(part.entries) > 1:
                half = len(part.entries) // 2
                pending[0:1] = [Part(part.entries[:half]), Part(part.entries[half:])]
                continue
            part.attempts += 1
            if mapping.max_retries != -1 and part.attempts > mapping.max_retries:
                self._give_up(mapping, part, "RetryAttemptsExhausted", result)
                pending.pop(0)
            elif _too_old(mapping, part):
                self._give_up(mapping, part, "RecordAgeExceeded", result)
                pending.pop(0)
            else:
                await asyncio.sleep(self.ctx.options.poll_s)

    def _failed(self, mapping: Mapping, result: Result, items: list[StreamItem]
                ) -> list[StreamItem] | None:
        """The records that failed ([] none), or None when the whole batch did."""
        if result.status is not Status.OK:
            return None
        if not mapping.reports_failures:
            return []
        named = failed_items(result.payload, [item.sequence_number for item in items])
        if named is None:
            return None
        return [item for item in items if item.sequence_number in named]

    def _give_up(self, mapping: Mapping, part: Part, condition: str, result: Result | None
                 ) -> None:
        items = [item for item, _ in part.entries]
        if mapping.on_failure:
            request_id = result.request_id if result else str(uuid.uuid4())
            body = records.on_failure(mapping, self.shard, items, condition, part.invokes,
                                      request_id, result.response_context() if result else None)
            self.ctx.publish(mapping, mapping.on_failure, json.dumps(body))
        self._advance(items[-1].position)


def _too_old(mapping: Mapping, part: Part) -> bool:
    oldest = part.entries[0][0].arrival
    return mapping.max_age_s != -1 and time.time() - oldest > mapping.max_age_s


def _fitting(items: list[StreamItem], mapping: Mapping, shard: str, role: str
             ) -> list[StreamItem]:
    """The leading records whose event fits in one invocation's payload (at least one)."""
    total = 0
    for count, item in enumerate(items):
        total += len(json.dumps(records.stream_record(mapping, item, shard, role))) + 2
        if total > PAYLOAD_LIMIT and count:
            return items[:count]
    return items
