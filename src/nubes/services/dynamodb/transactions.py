"""TransactWriteItems and TransactGetItems: up to 100 actions, all or nothing.

The writes run as one store group: every action's condition is checked against the
items as they are, and only if all hold is anything written; otherwise
TransactionCanceledException lists, per action in order, ConditionalCheckFailed (with
the item when ReturnValuesOnConditionCheckFailure is ALL_OLD), another code, or None.
A ClientRequestToken makes a successful call idempotent for ten minutes: the token is
recorded in the store with the writes (see ``idempotency``), so retries survive restarts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nubes.errors import ServiceError, ValidationError
from nubes.services.base import RequestContext
from nubes.services.dynamodb import capacity
from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.core import required
from nubes.services.dynamodb.idempotency import ClientToken
from nubes.services.dynamodb.item_requests import RequestExpressions, checker, on_failure_item
from nubes.services.dynamodb.item_writes import (
    ConditionCheck,
    Delete,
    Put,
    TransactionAborted,
    Update,
    WriteOp,
    WriteResult,
)
from nubes.services.dynamodb.items import ItemOps, check_key_untouched
from nubes.services.dynamodb.types import Item, check_key, item_size, validate_item

MAX_ACTIONS = 100
ACTIONS = ("ConditionCheck", "Put", "Delete", "Update")


def _actions(params: Mapping[str, Any], allowed: tuple[str, ...]) -> list[tuple[str, Any]]:
    items = required(params, "TransactItems")
    if not 1 <= len(items) <= MAX_ACTIONS:
        bound = "greater than or equal to 1" if not items else \
            f"less than or equal to {MAX_ACTIONS}"
        raise exc.ValidationException(
            "1 validation error detected: Value at 'transactItems' failed to satisfy "
            f"constraint: Member must have length {bound}")
    actions = []
    for item in items:
        present = [name for name in allowed if item.get(name) is not None]
        if len(present) != 1:
            raise exc.ValidationException(
                "TransactItems can only contain one of Check, Put, Update or Delete")
        actions.append((present[0], item[present[0]]))
    return actions


def _reason(failure: Exception | None) -> dict[str, Any]:
    if failure is None:
        return {"Code": "None"}
    if isinstance(failure, exc.ConditionalCheckFailedException):
        reason: dict[str, Any] = {"Code": "ConditionalCheckFailed",
                                  "Message": exc.CONDITION_FAILED}
        if failure.item is not None:
            reason["Item"] = failure.item
        return reason
    if isinstance(failure, ValidationError):
        return {"Code": "ValidationError", "Message": failure.message}
    if isinstance(failure, ServiceError):
        return {"Code": failure.code, "Message": failure.message}
    return {"Code": "ValidationError", "Message": str(failure)}


class TransactionOps(ItemOps):
    def transact_write_items(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        token = ClientToken.of(ctx.account_id, ctx.region, params)
        if token is not None:
            # A retry is answered even if its tables changed since; the store checks the
            # token again in the write's own transaction, so a concurrent twin writes once.
            replayed = self.store.replayed(token)
            if replayed is not None:
                return replayed
        ops = [self._write_op(ctx, kind, spec)
               for kind, spec in _actions(params, ACTIONS)]
        mode = params.get("ReturnConsumedCapacity")

        def respond(done: Sequence[WriteOp], results: list[WriteResult]) -> dict[str, Any]:
            if mode not in ("TOTAL", "INDEXES"):
                return {}
            return {"ConsumedCapacity": capacity.report_all(
                [capacity.item_write(op.table, result.old, result.new, transactional=True)
                 for op, result in zip(done, results, strict=True)], mode)}

        try:
            return self.store.transact_write(ops, token, respond)
        except TransactionAborted as aborted:
            raise exc.TransactionCanceledException(
                [_reason(failure) for failure in aborted.failures]) from None

    def _write_op(self, ctx: RequestContext, kind: str, spec: Mapping[str, Any]) -> WriteOp:
        table = self.table(ctx, spec.get("TableName"))
        exprs = RequestExpressions(spec, self.parses)
        condition = exprs.condition(spec.get("ConditionExpression"))
        check = checker(condition.evaluate if condition is not None else None,
                        on_failure_item(spec))
        if kind == "Put":
            exprs.check_unused(("ConditionExpression",))
            return Put(table, validate_item(required(spec, "Item")), check)
        key = validate_item(required(spec, "Key"))
        if kind == "Delete":
            exprs.check_unused(("ConditionExpression",))
            return Delete(table, key, check)
        if kind == "ConditionCheck":
            required(spec, "ConditionExpression")
            exprs.check_unused(("ConditionExpression",))
            assert check is not None
            return ConditionCheck(table, key, check)
        update = exprs.update(required(spec, "UpdateExpression"))
        assert update is not None
        check_key_untouched(update, table.key.names())
        exprs.check_unused(("UpdateExpression", "ConditionExpression"))

        def apply(old: Item | None) -> Item:
            if check is not None:
                check(old)
            return update.apply(old if old is not None else dict(key)).new_item

        return Update(table, key, apply)

    def transact_get_items(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        reads = []
        projections = []
        for _kind, spec in _actions(params, ("Get",)):
            table = self.table(ctx, spec.get("TableName"))
            exprs = RequestExpressions(spec, self.parses)
            projections.append(exprs.projection(spec.get("ProjectionExpression")))
            exprs.check_unused(())
            reads.append((table, validate_item(required(spec, "Key"))))
        keys = {(table.id, *check_key(key, table.key.attributes())) for table, key in reads}
        if len(keys) < len(reads):
            raise exc.ValidationException(
                "Transaction request cannot include multiple operations on one item")
        items = self.store.transact_get(reads)
        responses: list[dict[str, Any]] = []
        parts = []
        for (table, _key), item, projection in zip(reads, items, projections, strict=True):
            size = item_size(item) if item is not None else 0
            parts.append(capacity.item_read(table, size, True, transactional=True))
            if item is None:
                responses.append({})
            else:
                responses.append({"Item": projection.apply(item) if projection else item})
        out: dict[str, Any] = {"Responses": responses}
        consumed = capacity.report_all(parts, params.get("ReturnConsumedCapacity"))
        if consumed is not None:
            out["ConsumedCapacity"] = consumed
        return out
