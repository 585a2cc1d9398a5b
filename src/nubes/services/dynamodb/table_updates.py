"""UpdateTable: billing mode and throughput, streams, deletion protection, table class,
and online global secondary index creation (CREATING, backfilled, then ACTIVE) and
deletion."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Mapping
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.describe import describe_table
from nubes.services.dynamodb.schema import IndexKind, Table
from nubes.services.dynamodb.table_spec import (
    MAX_GSIS,
    PAY_PER_REQUEST,
    PROVISIONED,
    check_projected,
    index_spec,
    invalid,
    stream_view,
    throughput,
)
from nubes.services.dynamodb.tables import TableOps


class TableUpdateOps(TableOps):
    def update_table(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table = self.described_table(ctx, params)
        if table.status != "ACTIVE":
            raise exc.ResourceInUseException(
                f"Attempt to change a resource which is still in use: Table is being "
                f"{'created' if table.status == 'CREATING' else 'updated'}: {table.name}")
        changed = self._settings(table, params)
        if changed is not table:
            table = self.remember(self.store.save_table(changed))
        if params.get("StreamSpecification"):
            table = self._stream(table, params["StreamSpecification"])
        for update in params.get("GlobalSecondaryIndexUpdates") or ():
            table = self._index_update(table, params, update)
        self.remember(table)
        return {"TableDescription": describe_table(table, self.store.stats(table))}

    def _settings(self, table: Table, params: Mapping[str, Any]) -> Table:
        extra = dict(table.extra)
        billing = params.get("BillingMode") or extra.get("BillingMode", PROVISIONED)
        if "BillingMode" in params or "ProvisionedThroughput" in params:
            extra["ProvisionedThroughput"] = throughput(
                params.get("ProvisionedThroughput") or (
                    extra.get("ProvisionedThroughput") if billing == PROVISIONED else None),
                billing)
            if billing != extra.get("BillingMode"):
                extra["BillingModeChanged"] = True
                if billing == PAY_PER_REQUEST:
                    extra["PayPerRequestSince"] = time.time()
            extra["BillingMode"] = billing
        if "DeletionProtectionEnabled" in params:
            extra["DeletionProtectionEnabled"] = bool(params["DeletionProtectionEnabled"])
        if "TableClass" in params:
            extra["TableClass"] = params["TableClass"]
        if "SSESpecification" in params:
            extra["SSE"] = params["SSESpecification"]
        if extra == table.extra:
            return table
        return dataclasses.replace(table, extra=extra)

    def _stream(self, table: Table, spec: Mapping[str, Any]) -> Table:
        view = stream_view(spec)
        if view is not None and table.stream_enabled():
            raise exc.ValidationException(
                f"Table already has an enabled stream: TableName: {table.name}")
        if view is None and not table.stream_enabled():
            raise exc.ValidationException(
                f"Table does not have an enabled stream: TableName: {table.name}")
        return self.store.set_stream(table, view)

    def _index_update(self, table: Table, params: Mapping[str, Any],
                      update: Mapping[str, Any]) -> Table:
        if "Create" in update:
            return self._create_index(table, params, update["Create"])
        if "Delete" in update:
            name = update["Delete"]["IndexName"]
            index = table.index(name)
            if index is None or index.kind is not IndexKind.GLOBAL:
                raise exc.ResourceNotFoundException(
                    f"Requested resource not found: Index: {name} not found")
            return self.store.delete_index(table, name)
        if "Update" in update:
            name = update["Update"]["IndexName"]
            index = table.index(name)
            if index is None:
                raise exc.ResourceNotFoundException(
                    f"Requested resource not found: Index: {name} not found")
            provisioned = throughput(update["Update"].get("ProvisionedThroughput"),
                                     table.extra.get("BillingMode", PROVISIONED), name)
            changed = dataclasses.replace(index, extra={**index.extra,
                                                        "ProvisionedThroughput": provisioned})
            indexes = tuple(changed if i.name == name else i for i in table.indexes)
            return self.store.save_table(dataclasses.replace(table, indexes=indexes))
        return table

    def _create_index(self, table: Table, params: Mapping[str, Any],
                      spec: Mapping[str, Any]) -> Table:
        definitions = {**table.attribute_definitions, **{
            item["AttributeName"]: item["AttributeType"]
            for item in params.get("AttributeDefinitions") or ()}}
        index = index_spec(spec, IndexKind.GLOBAL, definitions,
                           table.extra.get("BillingMode", PROVISIONED))
        if table.index(index.name) is not None:
            raise invalid(f"Index with name: {index.name} already exists")
        if sum(i.kind is IndexKind.GLOBAL for i in table.indexes) >= MAX_GSIS:
            raise exc.LimitExceededException(
                f"Subscriber limit exceeded: The number of global secondary indexes for a "
                f"table cannot exceed {MAX_GSIS}")
        check_projected([*table.indexes, index])
        used = {name: definitions[name] for name in index.key.names()}
        table = self.store.save_table(dataclasses.replace(
            table, attribute_definitions={**table.attribute_definitions, **used}))
        table = self.store.add_index(table, dataclasses.replace(index, status="CREATING"))
        self.background.spawn(self._activate_index(table))
        return table

    async def _activate_index(self, table: Table) -> None:
        await asyncio.sleep(0.05)
        self.finish_transitions(table)
