"""What the DynamoDB operation groups share: the store, the caches, background work.

Tables are cached by (account, region, name) for a second (another process may change a
table; a write made with a stale one is retried by the store, which checks versions) and
dropped at once when this process changes or deletes them. Data-plane operations use the
cache, but re-read a table found still being created before refusing it; control-plane
operations always read the store. Expression parses are cached
by text in one ``ParseCache``; binding to a request's names and values is per request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from nubes.services.background import BackgroundTasks
from nubes.services.base import RequestContext
from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.expressions import ParseCache
from nubes.services.dynamodb.schema import Table
from nubes.services.dynamodb.store import DynamoStore

log = logging.getLogger(__name__)

TABLE_CACHE_SECONDS = 1.0
# Table statuses in which reads and writes are served: AWS refuses them on a CREATING table
# with ResourceNotFoundException (and a DELETING table is gone here at once).
SERVING = ("ACTIVE", "UPDATING")


def required(params: Mapping[str, Any], name: str, wire_name: str | None = None) -> Any:
    """A required member, or AWS's "Member must not be null" ValidationException."""
    value = params.get(name)
    if value is None:
        where = wire_name or name[:1].lower() + name[1:]
        raise exc.ValidationException(
            f"1 validation error detected: Value null at '{where}' failed to satisfy "
            "constraint: Member must not be null")
    return value


def check_table_name(name: str, where: str = "tableName") -> None:
    """AWS's length and pattern checks of a table (or index) name."""
    prefix = f"1 validation error detected: Value '{name}' at '{where}' failed to satisfy " \
             "constraint: Member must "
    if len(name) < 3:
        raise exc.ValidationException(prefix + "have length greater than or equal to 3")
    if len(name) > 255:
        raise exc.ValidationException(prefix + "have length less than or equal to 255")
    if not all(ch.isascii() and (ch.isalnum() or ch in "_.-") for ch in name):
        raise exc.ValidationException(
            prefix + "satisfy regular expression pattern: [a-zA-Z0-9_.-]+")


class DynamoCore:
    """The state every operation group of the provider reads."""

    def __init__(self, store: DynamoStore) -> None:
        self.store = store
        self.parses = ParseCache(4096)
        self._tables: dict[tuple[str, str, str], tuple[Table, float]] = {}
        self.background = BackgroundTasks("dynamodb")

    # -- tables -------------------------------------------------------------------------

    def find_table(self, ctx: RequestContext, name: str, *, cached: bool = True
                   ) -> Table | None:
        """The caller's table named ``name`` (from the cache unless ``cached`` is false),
        or None."""
        if name.startswith("arn:"):
            name = name.rsplit("/", 1)[-1]
        key = (ctx.account_id, ctx.region, name)
        entry = self._tables.get(key) if cached else None
        now = time.monotonic()
        if entry is not None and now - entry[1] < TABLE_CACHE_SECONDS:
            return entry[0]
        table = self.store.get_table(*key)
        if table is None:
            self._tables.pop(key, None)
            return None
        self._tables[key] = (table, now)
        return table

    def table(self, ctx: RequestContext, name: str | None) -> Table:
        """A table for a data-plane operation: ResourceNotFoundException when it is missing
        or still CREATING ("its status might not be ACTIVE", AWS says)."""
        if name is None:
            required({}, "TableName")
        assert name is not None
        table = self.find_table(ctx, name)
        if table is not None and not table.settled():
            # Another process may have finished the creation since this one cached it.
            table = self.find_table(ctx, name, cached=False)
        if table is None or table.status not in SERVING:
            raise exc.ResourceNotFoundException()
        return table

    def described_table(self, ctx: RequestContext, params: Mapping[str, Any]) -> Table:
        """A table for a control-plane operation (the message names the table), read from
        the store: its status must be current (waiters poll it), and such calls are rare."""
        name = required(params, "TableName")
        table = self.find_table(ctx, name, cached=False)
        if table is None:
            raise exc.table_not_found(name)
        return table

    def remember(self, table: Table) -> Table:
        """Cache a table this process just changed (or forget it, once deleted)."""
        self._tables[(table.account, table.region, table.name)] = (table, time.monotonic())
        return table

    def forget(self, table: Table) -> None:
        self._tables.pop((table.account, table.region, table.name), None)

