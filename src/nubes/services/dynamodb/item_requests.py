"""What the item operations share: a request's expressions, its condition as the store's
check, and ReturnValues.

``RequestExpressions`` parses each expression of one request against its
ExpressionAttributeNames/Values (parses cached by text in the provider's ``ParseCache``)
and checks, once all are parsed, that every placeholder was used. A condition, whether
an expression or legacy ``Expected``, becomes a ``Predicate`` on the item as it is, and
``checker`` turns it into the store's ``Check`` raising ConditionalCheckFailedException
(with the item when ReturnValuesOnConditionCheckFailure is ALL_OLD).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nubes.errors import ValidationError
from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.expressions import (
    Condition,
    ExpressionContext,
    ExpressionKind,
    KeyCondition,
    ParseCache,
    Projection,
    Update,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
)
from nubes.services.dynamodb.item_writes import Check
from nubes.services.dynamodb.types import Item, validate_item

Predicate = Callable[[Item | None], bool]

WRITE_RETURN_VALUES = ("NONE", "ALL_OLD")
UPDATE_RETURN_VALUES = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")


def expression_values(values: Mapping[str, Any] | None) -> Item | None:
    """ExpressionAttributeValues validated, with AWS's wording for a bad value."""
    if values is None:
        return None
    checked: Item = {}
    for name, value in values.items():
        try:
            checked.update(validate_item({name: value}))
        except ValidationError as error:
            raise exc.ValidationException(
                f"ExpressionAttributeValues contains invalid value: {error.message} for key "
                f"{name}") from None
    return checked


class RequestExpressions:
    """The expressions of one request, bound to its names and values."""

    def __init__(self, params: Mapping[str, Any], cache: ParseCache) -> None:
        self.ctx = ExpressionContext(params.get("ExpressionAttributeNames"),
                                     expression_values(params.get("ExpressionAttributeValues")))
        self.cache = cache

    def condition(self, text: str | None, kind: ExpressionKind = ExpressionKind.CONDITION
                  ) -> Condition | None:
        return None if text is None else parse_condition(text, self.ctx, kind, self.cache)

    def projection(self, text: str | None) -> Projection | None:
        return None if text is None else parse_projection(text, self.ctx, self.cache)

    def update(self, text: str | None) -> Update | None:
        return None if text is None else parse_update(text, self.ctx, self.cache)

    def key_condition(self, text: str, hash_key: str, range_key: str | None) -> KeyCondition:
        return parse_key_condition(text, self.ctx, hash_key, range_key, self.cache)

    def check_unused(self, value_expressions: Sequence[str]) -> None:
        self.ctx.check_unused(tuple(value_expressions))


def has_expressions(params: Mapping[str, Any]) -> bool:
    return "ExpressionAttributeNames" in params or "ExpressionAttributeValues" in params or \
        any(name.endswith("Expression") for name in params)


def return_values(params: Mapping[str, Any], allowed: Sequence[str]) -> str:
    mode = params.get("ReturnValues") or "NONE"
    if mode not in UPDATE_RETURN_VALUES:
        raise exc.ValidationException(
            f"1 validation error detected: Value '{mode}' at 'returnValues' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(UPDATE_RETURN_VALUES)}]")
    if mode not in allowed:
        raise exc.ValidationException(
            f"ReturnValues can only be {' or '.join(allowed[::-1])}" if len(allowed) == 2
            else "Return values set to invalid value")
    return str(mode)


def on_failure_item(params: Mapping[str, Any]) -> bool:
    """Whether ReturnValuesOnConditionCheckFailure asks for the item (ALL_OLD)."""
    mode = params.get("ReturnValuesOnConditionCheckFailure") or "NONE"
    if mode not in ("NONE", "ALL_OLD"):
        raise exc.ValidationException(
            f"1 validation error detected: Value '{mode}' at "
            "'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must "
            "satisfy enum value set: [ALL_OLD, NONE]")
    return bool(mode == "ALL_OLD")


def checker(predicate: Predicate | None, with_item: bool) -> Check | None:
    """The store's check for a condition: ConditionalCheckFailedException when false."""
    if predicate is None:
        return None

    def check(item: Item | None) -> None:
        if not predicate(item):
            raise exc.ConditionalCheckFailedException(item if with_item else None)

    return check


def condition_predicate(condition: Condition | None) -> Predicate | None:
    return None if condition is None else condition.evaluate
