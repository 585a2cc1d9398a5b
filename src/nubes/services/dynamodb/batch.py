"""BatchGetItem and BatchWriteItem.

Every key is checked before anything is read or written (a bad key or a duplicate fails
the whole request). BatchGetItem answers up to 16 MB and returns the keys it did not get
to as UnprocessedKeys; BatchWriteItem makes all its writes in one store transaction, so
UnprocessedItems is always empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.dynamodb import capacity
from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.core import required
from nubes.services.dynamodb.item_requests import RequestExpressions
from nubes.services.dynamodb.item_writes import Delete, Put, WriteOp, op_key
from nubes.services.dynamodb.items import ItemOps
from nubes.services.dynamodb.schema import Table
from nubes.services.dynamodb.types import Item, check_key, item_size, validate_item

MAX_GET_KEYS = 100
MAX_WRITES = 25
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
DUPLICATES = "Provided list of item keys contains duplicates"


def _request_items(params: Mapping[str, Any]) -> dict[str, Any]:
    items: dict[str, Any] = required(params, "RequestItems")
    if not items:
        raise exc.ValidationException(
            "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1")
    return items


class BatchOps(ItemOps):
    def batch_get_item(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        requests = _request_items(params)
        if sum(len(spec.get("Keys") or ()) for spec in requests.values()) > MAX_GET_KEYS:
            raise exc.ValidationException("Too many items requested for the BatchGetItem call")
        plans = [self._get_plan(ctx, name, spec) for name, spec in requests.items()]
        responses: dict[str, list[Item]] = {}
        unprocessed: dict[str, Any] = {}
        parts: list[capacity.Consumed] = []
        size = 0
        for name, table, spec, keys, project in plans:
            found = responses.setdefault(name, [])
            for position, key in enumerate(keys):
                if size >= MAX_RESPONSE_BYTES:
                    unprocessed[name] = {**spec, "Keys": keys[position:]}
                    break
                item = self.store.get_item(table, key)
                read = item_size(item) if item is not None else 0
                parts.append(capacity.item_read(table, read, bool(spec.get("ConsistentRead"))))
                if item is not None:
                    size += read
                    found.append(project(item) if project is not None else item)
        out: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
        consumed = capacity.report_all(parts, params.get("ReturnConsumedCapacity"))
        if consumed is not None:
            out["ConsumedCapacity"] = consumed
        return out

    def _get_plan(self, ctx: RequestContext, name: str, spec: Mapping[str, Any]) -> Any:
        table = self.table(ctx, name)
        keys = [validate_item(key) for key in spec.get("Keys") or ()]
        if not keys:
            raise exc.ValidationException(
                "1 validation error detected: Value '[]' at 'requestItems." + name +
                ".member.keys' failed to satisfy constraint: Member must have length greater "
                "than or equal to 1")
        seen: set[tuple[bytes, ...]] = set()
        for key in keys:
            encoded = tuple(check_key(key, table.key.attributes()))
            if encoded in seen:
                raise exc.ValidationException(DUPLICATES)
            seen.add(encoded)
        exprs = RequestExpressions(spec, self.parses) if any(
            name in spec for name in ("ProjectionExpression", "ExpressionAttributeNames")
        ) else None
        project = self.projector(spec, exprs)
        if exprs is not None:
            exprs.check_unused(())
        return name, table, spec, keys, project

    def batch_write_item(self, ctx: RequestContext, params: dict[str, Any]
                         ) -> dict[str, Any]:
        requests = _request_items(params)
        total = sum(len(writes) for writes in requests.values())
        if total > MAX_WRITES or any(not writes for writes in requests.values()):
            raise exc.ValidationException(
                "1 validation error detected: Value at 'requestItems' failed to satisfy "
                "constraint: Map value must satisfy constraint: [Member must have length less "
                f"than or equal to {MAX_WRITES}, Member must have length greater than or equal "
                "to 1]")
        ops: list[WriteOp] = []
        for name, writes in requests.items():
            table = self.table(ctx, name)
            ops.extend(_write_op(table, write) for write in writes)
        seen: set[tuple[int, bytes, bytes]] = set()
        for op in ops:
            key = (op.table.id, *op_key(op))
            if key in seen:
                raise exc.ValidationException(DUPLICATES)
            seen.add(key)
        results = self.store.write(ops)
        out: dict[str, Any] = {"UnprocessedItems": {}}
        mode = params.get("ReturnConsumedCapacity")
        if mode in ("TOTAL", "INDEXES"):
            parts = [capacity.item_write(op.table, result.old, result.new)
                     for op, result in zip(ops, results, strict=True)]
            out["ConsumedCapacity"] = capacity.report_all(parts, mode)
        return out


def _write_op(table: Table, write: Mapping[str, Any]) -> WriteOp:
    put, delete = write.get("PutRequest"), write.get("DeleteRequest")
    if (put is None) == (delete is None):
        raise exc.ValidationException(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes" if put and delete else
            "1 validation error detected: Value null at 'requestItems' failed to satisfy "
            "constraint: Member must not be null")
    if put is not None:
        return Put(table, validate_item(required(put, "Item")))
    assert delete is not None
    return Delete(table, validate_item(required(delete, "Key")))
