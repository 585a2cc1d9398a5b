"""Single-item operations: PutItem, GetItem, UpdateItem, DeleteItem.

Each takes its condition as an expression or legacy ``Expected``, its projection as an
expression or ``AttributesToGet``, and UpdateItem its changes as an UpdateExpression or
legacy ``AttributeUpdates``; the write itself is one store transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.dynamodb import capacity, legacy
from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.core import DynamoCore, required
from nubes.services.dynamodb.expressions import Update, UpdateResult
from nubes.services.dynamodb.item_requests import (
    UPDATE_RETURN_VALUES,
    WRITE_RETURN_VALUES,
    Predicate,
    RequestExpressions,
    checker,
    has_expressions,
    on_failure_item,
    return_values,
)
from nubes.services.dynamodb.schema import Table
from nubes.services.dynamodb.types import INVALID, Item, item_size, validate_item

Projector = Callable[[Item], Item]


class ItemOps(DynamoCore):
    # -- shared parts -------------------------------------------------------------------

    def write_condition(self, params: Mapping[str, Any], exprs: RequestExpressions | None
                        ) -> Predicate | None:
        """ConditionExpression or legacy Expected, as a predicate on the item."""
        legacy.refuse_mix(params, ("Expected", "ConditionalOperator"),
                          ("ConditionExpression",))
        if exprs is not None and "ConditionExpression" in params:
            condition = exprs.condition(params["ConditionExpression"])
            assert condition is not None
            return condition.evaluate
        return legacy.conditions(params.get("Expected"), params.get("ConditionalOperator"),
                                 expected=True)

    def projector(self, params: Mapping[str, Any], exprs: RequestExpressions | None
                  ) -> Projector | None:
        """ProjectionExpression or AttributesToGet, as a function on items."""
        legacy.refuse_mix(params, ("AttributesToGet",), ("ProjectionExpression",))
        if exprs is not None and "ProjectionExpression" in params:
            projection = exprs.projection(params["ProjectionExpression"])
            assert projection is not None
            return projection.apply
        names = params.get("AttributesToGet")
        if names is None:
            return None
        if len(set(names)) != len(names):
            raise exc.ValidationException(
                f"{INVALID}Duplicate value in attribute name: {names[0]}")
        return lambda item: {name: item[name] for name in names if name in item}

    def expressions(self, params: Mapping[str, Any]) -> RequestExpressions | None:
        return RequestExpressions(params, self.parses) if has_expressions(params) else None

    # -- operations ---------------------------------------------------------------------

    def put_item(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table = self.table(ctx, params.get("TableName"))
        item = validate_item(required(params, "Item"))
        mode = return_values(params, WRITE_RETURN_VALUES)
        exprs = self.expressions(params)
        predicate = self.write_condition(params, exprs)
        if exprs is not None:
            exprs.check_unused(("ConditionExpression",))
        result = self.store.put_item(table, item, checker(predicate, on_failure_item(params)))
        out: dict[str, Any] = {}
        if mode == "ALL_OLD" and result.old is not None:
            out["Attributes"] = result.old
        self._write_capacity(out, params, table, result.old, result.new)
        return out

    def get_item(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table = self.table(ctx, params.get("TableName"))
        key = validate_item(required(params, "Key"))
        exprs = self.expressions(params)
        project = self.projector(params, exprs)
        if exprs is not None:
            exprs.check_unused(())
        item = self.store.get_item(table, key)
        out: dict[str, Any] = {}
        if item is not None:
            out["Item"] = project(item) if project is not None else item
        mode = params.get("ReturnConsumedCapacity")
        if mode in ("TOTAL", "INDEXES"):
            size = item_size(item) if item is not None else 0
            out["ConsumedCapacity"] = capacity.item_read(
                table, size, bool(params.get("ConsistentRead"))).report(mode)
        return out

    def delete_item(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table = self.table(ctx, params.get("TableName"))
        key = validate_item(required(params, "Key"))
        mode = return_values(params, WRITE_RETURN_VALUES)
        exprs = self.expressions(params)
        predicate = self.write_condition(params, exprs)
        if exprs is not None:
            exprs.check_unused(("ConditionExpression",))
        result = self.store.delete_item(table, key, checker(predicate, on_failure_item(params)))
        out: dict[str, Any] = {}
        if mode == "ALL_OLD" and result.old is not None:
            out["Attributes"] = result.old
        self._write_capacity(out, params, table, result.old, None)
        return out

    def update_item(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table = self.table(ctx, params.get("TableName"))
        key = validate_item(required(params, "Key"))
        mode = return_values(params, UPDATE_RETURN_VALUES)
        exprs = self.expressions(params)
        legacy.refuse_mix(params, ("AttributeUpdates",), ("UpdateExpression",))
        change = self.item_change(table, params, exprs)
        predicate = self.write_condition(params, exprs)
        if exprs is not None:
            exprs.check_unused(("UpdateExpression", "ConditionExpression"))
        with_item = on_failure_item(params)
        outcome: list[UpdateResult | None] = [None]

        def apply(old: Item | None) -> Item:
            if predicate is not None and not predicate(old):
                raise exc.ConditionalCheckFailedException(old if with_item else None)
            new, outcome[0] = change(old if old is not None else dict(key))
            return new

        result = self.store.update_item(table, key, apply)
        out: dict[str, Any] = {}
        attributes = updated_attributes(mode, result.old, result.new, outcome[0])
        if attributes:
            out["Attributes"] = attributes
        self._write_capacity(out, params, table, result.old, result.new)
        return out

    def item_change(self, table: Table, params: Mapping[str, Any],
                    exprs: RequestExpressions | None
                    ) -> Callable[[Item], tuple[Item, UpdateResult | None]]:
        """UpdateExpression or AttributeUpdates as old item -> (new item, what changed)."""
        key_names = table.key.names()
        update = exprs.update(params.get("UpdateExpression")) if exprs is not None else None
        if update is not None:
            check_key_untouched(update, key_names)
            return lambda item: _expression_change(update, item)
        if params.get("AttributeUpdates"):
            spec = params["AttributeUpdates"]
            apply = legacy.attribute_updates(spec, key_names)
            names = list(spec)
            return lambda item: _legacy_change(apply, names, item)
        return lambda item: (item, None)

    def _write_capacity(self, out: dict[str, Any], params: Mapping[str, Any], table: Table,
                        old: Item | None, new: Item | None) -> None:
        mode = params.get("ReturnConsumedCapacity")
        if mode in ("TOTAL", "INDEXES"):
            out["ConsumedCapacity"] = capacity.item_write(table, old, new).report(mode)


def check_key_untouched(update: Update, key_names: list[str]) -> None:
    for name in key_names:
        if name in update.top_level_names:
            raise exc.ValidationException(
                f"{INVALID}Cannot update attribute {name}. This attribute is part of the key")


def _expression_change(update: Update, item: Item) -> tuple[Item, UpdateResult]:
    result = update.apply(item)
    return result.new_item, result


def _legacy_change(apply: Callable[[Item], Item], names: list[str], item: Item
                   ) -> tuple[Item, UpdateResult]:
    new = apply(item)
    return new, UpdateResult(
        new, {name: item[name] for name in names if name in item},
        {name: new[name] for name in names if name in new}, frozenset(names))


def updated_attributes(mode: str, old: Item | None, new: Item | None,
                       result: UpdateResult | None) -> Item | None:
    """UpdateItem's Attributes for ReturnValues ``mode``."""
    if mode == "ALL_OLD":
        return old
    if mode == "ALL_NEW":
        return new
    if result is None:
        return None
    if mode == "UPDATED_OLD":
        return result.updated_old if old is not None else None
    if mode == "UPDATED_NEW":
        return result.updated_new
    return None
