"""Table lifecycle: CreateTable, DescribeTable, ListTables, DeleteTable.

A new table answers CREATING and becomes ACTIVE once its creation has finished, in a
background task that runs right after the response (so boto3's ``table_exists`` waiter
sees ACTIVE on its first poll); a table found CREATING at start-up (a crash in between)
is finished then. Data operations on a CREATING table are refused with
ResourceNotFoundException, as AWS does (it serves reads and writes only on an ACTIVE
table). DeleteTable answers DELETING and the table is gone at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.core import DynamoCore, check_table_name
from nubes.services.dynamodb.describe import describe_table
from nubes.services.dynamodb.schema import Table
from nubes.services.dynamodb.table_spec import create_table_spec, stream_view

MAX_LIST_LIMIT = 100


class TableOps(DynamoCore):
    def create_table(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        spec = create_table_spec(ctx.account_id, ctx.region, params)
        view = stream_view(params.get("StreamSpecification"))
        table = self.store.create_table(spec, view)  # ResourceInUseException if taken
        self.remember(table)
        self.background.spawn(self._activate(table))
        return {"TableDescription": describe_table(table, None)}

    async def _activate(self, table: Table) -> None:
        await asyncio.sleep(0)
        self.finish_transitions(table)

    def finish_transitions(self, table: Table) -> None:
        """Make a CREATING table (and its CREATING indexes) ACTIVE."""
        fresh = self.store.get_table(table.account, table.region, table.name)
        if fresh is None or fresh.id != table.id:
            return
        indexes = tuple(dataclasses.replace(index, status="ACTIVE") for index in fresh.indexes)
        if fresh.status == "ACTIVE" and indexes == fresh.indexes:
            return
        self.remember(self.store.save_table(
            dataclasses.replace(fresh, status="ACTIVE", indexes=indexes)))

    def describe_table(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table = self.described_table(ctx, params)
        return {"Table": describe_table(table, self.store.stats(table))}

    def list_tables(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("Limit", MAX_LIST_LIMIT)
        if not 1 <= limit <= MAX_LIST_LIMIT:
            bound = "greater than or equal to 1" if limit < 1 else \
                "less than or equal to 100"
            raise exc.ValidationException(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                f"constraint: Member must have value {bound}")
        start = params.get("ExclusiveStartTableName")
        if start is not None:
            check_table_name(start, "exclusiveStartTableName")
        names = self.store.list_tables(ctx.account_id, ctx.region, start, limit + 1)
        out: dict[str, Any] = {"TableNames": names[:limit]}
        if len(names) > limit:
            out["LastEvaluatedTableName"] = names[limit - 1]
        return out

    def delete_table(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table = self.described_table(ctx, params)
        if table.extra.get("DeletionProtectionEnabled"):
            raise exc.ValidationException(
                "Resource cannot be deleted as it is currently protected against deletion. "
                "Disable deletion protection first.")
        stats = self.store.stats(table)
        self.store.delete_table(table)
        self.forget(table)
        return {"TableDescription": describe_table(table, stats, status="DELETING")}
