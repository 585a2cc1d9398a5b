"""The DynamoDB provider: the operation groups assembled into one class, and the TTL
reaper.

Tables live in ``DynamoStore``. The provider's ``start`` finishes table and index
transitions a crash left unfinished, and runs the Time to Live reaper: every
``ttl_interval_s`` it asks the store to delete expired items (each deletion its own
transaction, recorded in the stream as the service's) and to forget TransactWriteItems'
client tokens older than ten minutes. Reads may still return an item past its expiry
until the reaper gets to it, as on DynamoDB.
"""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar

from nubes.services.base import Provider
from nubes.services.dynamodb.batch import BatchOps
from nubes.services.dynamodb.core import DynamoCore
from nubes.services.dynamodb.query import QueryOps
from nubes.services.dynamodb.store import DynamoStore
from nubes.services.dynamodb.table_meta import TableMetaOps
from nubes.services.dynamodb.table_updates import TableUpdateOps
from nubes.services.dynamodb.transactions import TransactionOps

log = logging.getLogger(__name__)


class DynamoDBProvider(TableUpdateOps, TableMetaOps, QueryOps, BatchOps, TransactionOps,
                       Provider):
    service_name: ClassVar[str] = "dynamodb"

    def __init__(self, store: DynamoStore, *, ttl_interval_s: float = 5.0) -> None:
        Provider.__init__(self)
        DynamoCore.__init__(self, store)
        self.ttl_interval_s = ttl_interval_s
        self._reaper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        for table in self.store.unsettled_tables():
            self.finish_transitions(table)
        if self._reaper is None:
            self._reaper = asyncio.get_running_loop().create_task(self._reap())

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_interval_s)
            try:
                self._sweep()
            except Exception:  # a failed sweep must not end TTL for good
                log.exception("dynamodb: TTL sweep failed")

    def _sweep(self) -> None:
        deleted = self.store.sweep_expired()
        if deleted:
            log.info("dynamodb: TTL deleted %d expired items", deleted)
        self.store.sweep_client_tokens()

    async def aclose(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            await asyncio.gather(self._reaper, return_exceptions=True)
            self._reaper = None
        await self.background.cancel()
