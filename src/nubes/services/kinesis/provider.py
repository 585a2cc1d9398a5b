"""The Kinesis provider: the operation groups assembled into one class, and the retention
sweep.

``start`` settles streams a crash left CREATING or DELETING, then runs the sweep: every
``sweep_interval_s`` it deletes the records past their stream's retention period. Reads
never return such a record, swept or not.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import ClassVar

from nubes.services.base import Provider
from nubes.services.kinesis.core import KinesisCore
from nubes.services.kinesis.records import RecordOps
from nubes.services.kinesis.shards import ShardOps
from nubes.services.kinesis.store import KinesisStore
from nubes.services.kinesis.streams import StreamOps
from nubes.services.kinesis.tags import TagOps

log = logging.getLogger(__name__)


class KinesisProvider(StreamOps, ShardOps, RecordOps, TagOps, Provider):
    service_name: ClassVar[str] = "kinesis"

    def __init__(self, store: KinesisStore, *, clock: Callable[[], float] = time.time,
                 sweep_interval_s: float = 60.0) -> None:
        Provider.__init__(self)
        KinesisCore.__init__(self, store, clock)
        self.sweep_interval_s = sweep_interval_s
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        for stream in self.store.unsettled():
            self.settle(stream)
        if self._sweeper is None:
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep_loop())

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_interval_s)
            try:
                self.sweep()
            except Exception:  # a failed sweep must not end retention for good
                log.exception("kinesis: retention sweep failed")

    def sweep(self) -> int:
        """Delete the records past their stream's retention period; returns how many."""
        deleted = self.store.sweep(self.clock())
        if deleted:
            log.info("kinesis: retention deleted %d records", deleted)
        return deleted

    async def aclose(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            self._sweeper = None
        await self.background.cancel()
