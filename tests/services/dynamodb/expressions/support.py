"""Helpers shared by the expression tests: wire values and a one-call parse of each kind."""

from __future__ import annotations

from typing import Any

import pytest

from nubes.services.dynamodb.expressions import (
    Condition,
    ExpressionContext,
    ExpressionKind,
    Update,
    ValidationException,
    parse_condition,
    parse_update,
)


def N(value: object) -> dict[str, Any]:  # noqa: N802 - reads like the wire type
    return {"N": str(value)}


def S(value: str) -> dict[str, Any]:  # noqa: N802
    return {"S": value}


def condition(
    text: str,
    values: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
    kind: ExpressionKind = ExpressionKind.CONDITION,
) -> Condition:
    return parse_condition(text, ExpressionContext(names, values), kind)


def update(
    text: str, values: dict[str, Any] | None = None, names: dict[str, str] | None = None
) -> Update:
    return parse_update(text, ExpressionContext(names, values))


def error_of(call: Any, *args: Any, **kwargs: Any) -> str:
    """The message of the ValidationException a call raises."""
    with pytest.raises(ValidationException) as raised:
        call(*args, **kwargs)
    return raised.value.message
