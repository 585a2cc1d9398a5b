"""The supervisor of every mapping's pollers in this process.

Every ``poll_s`` (or when an operation wakes it) it settles mappings left in a
transitional state (Creating, Enabling, Updating, Disabling -> Enabled or Disabled;
Deleting -> gone), then makes this process run a poller for each unit of work of an
enabled mapping whose lease it can take or renew in the store, and stops the pollers
of units it no longer holds or that are no longer wanted. Leases are renewed halfway
through, so a live process keeps its units and a dead one's expire after ``lease_s``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Coroutine
from typing import Any

from nubes.services.lambda_.mappings.batches import FunctionGate
from nubes.services.lambda_.mappings.models import Kind, Mapping, State
from nubes.services.lambda_.mappings.queue_poller import QueuePoller
from nubes.services.lambda_.mappings.shard_poller import ShardPoller
from nubes.services.lambda_.mappings.sources import Sources, StreamSource
from nubes.services.lambda_.mappings.store import MappingStore
from nubes.services.lambda_.mappings.work import PollerContext, Publish, RunnerOptions
from nubes.waiting import wait_set

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (mapping uuid, unit)


class MappingRunner:
    def __init__(self, store: MappingStore, sources: Sources, gate: FunctionGate,
                 publish: Publish, options: RunnerOptions) -> None:
        self.store = store
        self.sources = sources
        self.options = options
        self.ctx = PollerContext(store, gate, publish, options, uuid.uuid4().hex)
        self._tasks: dict[Key, asyncio.Task[None]] = {}
        self._leases: dict[Key, float] = {}  # when the leases we hold end
        self._wake: asyncio.Event | None = None
        self._loop_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start supervising (idempotent; needs the running event loop)."""
        if self._loop_task is None:
            self._wake = asyncio.Event()
            self._loop_task = asyncio.get_running_loop().create_task(self._run())

    def wake(self) -> None:
        """Look at the mappings soon (from the loop's thread)."""
        if self._wake is not None:
            self._wake.set()

    async def close(self) -> None:
        tasks = [t for t in (self._loop_task, *self._tasks.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for mapping_id, unit in self._tasks:
            self.store.release(mapping_id, unit, self.ctx.owner)
        self._tasks.clear()
        self._loop_task = None

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            try:
                self._tick()
            except Exception:
                log.exception("lambda: supervising event source mappings failed")
            self._wake.clear()
            await wait_set(self._wake, self.options.poll_s)

    def _tick(self) -> None:
        wanted: dict[Key, Mapping] = {}
        for mapping in self.store.all():
            if mapping.state not in (State.ENABLED, State.DISABLED):
                mapping = self._settle(mapping)
            if mapping.state is State.ENABLED:
                wanted.update({(mapping.uuid, unit): mapping for unit in self._units(mapping)})
        for key, task in list(self._tasks.items()):
            if key not in wanted or task.done():
                self._stop(key)
        now = time.time()
        for key, mapping in wanted.items():
            if key in self._tasks:
                if self._leases[key] - now < self.options.lease_s / 2:
                    self._renew(key, now)
            elif self.store.claim(*key, self.ctx.owner, self.options.lease_s, now):
                self._leases[key] = now + self.options.lease_s
                self._tasks[key] = asyncio.get_running_loop().create_task(
                    self._poller(mapping, key[1]))

    def _renew(self, key: Key, now: float) -> None:
        if self.store.claim(*key, self.ctx.owner, self.options.lease_s, now):
            self._leases[key] = now + self.options.lease_s
        else:
            self._stop(key)

    def _stop(self, key: Key) -> None:
        task = self._tasks.pop(key)
        self._leases.pop(key, None)
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.error("lambda: a poller of mapping %s stopped", key[0],
                      exc_info=task.exception())
        task.cancel()
        self.store.release(*key, self.ctx.owner)

    def _poller(self, mapping: Mapping, unit: str) -> Coroutine[Any, Any, None]:
        if mapping.kind is Kind.SQS:
            assert self.sources.sqs is not None
            return QueuePoller(self.ctx, self.sources.sqs, mapping.uuid).run()
        source = self._stream(mapping)
        assert source is not None
        return ShardPoller(self.ctx, source, mapping.uuid, unit).run()

    def _stream(self, mapping: Mapping) -> StreamSource | None:
        return self.sources.kinesis if mapping.kind is Kind.KINESIS else self.sources.dynamodb

    # -- units --------------------------------------------------------------------------

    def _units(self, mapping: Mapping) -> list[str]:
        if mapping.kind is Kind.SQS:
            return [f"poller-{n}" for n in range(self._queue_pollers(mapping))]
        units = self.store.units(mapping.uuid)
        source = self._stream(mapping)
        for shard in (source.shards(mapping.source_arn) if source else None) or []:
            if shard not in units:  # a shard that appeared later: read from its start
                self.store.add_unit(mapping.uuid, shard, 0)
                units[shard] = 0
        return sorted(units)

    def _queue_pollers(self, mapping: Mapping) -> int:
        # Each poller runs one batch at a time: ScalingConfig's MaximumConcurrency caps them.
        return min(self.options.sqs_pollers, mapping.max_concurrency or self.options.sqs_pollers)

    def _prepare(self, mapping: Mapping) -> None:
        """Create the units of a new mapping, streams' at their StartingPosition."""
        if mapping.kind is Kind.SQS:
            for n in range(self._queue_pollers(mapping)):
                self.store.add_unit(mapping.uuid, f"poller-{n}", None)
            return
        source = self._stream(mapping)
        for shard in (source.shards(mapping.source_arn) if source else None) or []:
            start = source.start(mapping.source_arn, shard, mapping.starting_position or
                                 "LATEST", mapping.starting_timestamp) if source else 0
            self.store.add_unit(mapping.uuid, shard, start)

    def _settle(self, mapping: Mapping) -> Mapping:
        """Finish the transition a mapping is in: the mapping as it is now."""
        if mapping.state is State.DELETING:
            self.store.delete(mapping.uuid)
            mapping.state = State.DELETING  # not enabled: its pollers stop
            return mapping
        if mapping.state is State.CREATING or mapping.kind is Kind.SQS:
            self._prepare(mapping)  # (an SQS mapping's concurrency may have changed)
        target = State.ENABLED if mapping.enabled else State.DISABLED
        if self.store.set_state(mapping.uuid, mapping.state.value, target.value):
            mapping.state = target
        return self.store.get(mapping.uuid) or mapping
