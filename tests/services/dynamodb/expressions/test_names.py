"""ExpressionAttributeNames/Values of a request: their form, and the unused-key checks."""

from __future__ import annotations

import pytest

from nubes.errors import ValidationError
from nubes.services.dynamodb.expressions import (
    ExpressionContext,
    ExpressionKind,
    ValidationException,
    parse_condition,
    parse_projection,
)

from .support import N, error_of


def test_unused_names_and_values_are_refused_after_all_parses() -> None:
    ctx = ExpressionContext({"#a": "a", "#b": "b", "#c": "c"}, {":v": N(1), ":w": N(2)})
    parse_condition("#a = :v", ctx)
    parse_projection("#b", ctx)
    assert error_of(ctx.check_unused) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#c}"
    )
    parse_condition("#c = :v", ctx, ExpressionKind.FILTER)
    assert error_of(ctx.check_unused) == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"
    )


def test_all_unused_keys_are_listed_in_request_order() -> None:
    ctx = ExpressionContext({"#z": "z", "#y": "y"})
    parse_projection("a", ctx)
    assert error_of(ctx.check_unused) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#z, #y}"
    )


def test_everything_used_passes() -> None:
    ctx = ExpressionContext({"#a": "a"}, {":v": N(1)})
    parse_condition("#a = :v", ctx)
    ctx.check_unused()


def test_placeholders_without_expressions() -> None:
    assert error_of(ExpressionContext({"#a": "a"}).check_unused) == (
        "ExpressionAttributeNames can only be specified when using expressions"
    )
    ctx = ExpressionContext(None, {":v": N(1)})
    assert error_of(ctx.check_unused, ("ConditionExpression",)) == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "ConditionExpression is null"
    )
    assert error_of(ctx.check_unused, ("KeyConditionExpression", "FilterExpression")) == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "KeyConditionExpression and FilterExpression are null"
    )


@pytest.mark.parametrize(
    ("names", "values", "message"),
    [
        ({}, None, "ExpressionAttributeNames must not be empty"),
        (None, {}, "ExpressionAttributeValues must not be empty"),
        ({"a": "a"}, None, 'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
        (
            None,
            {"v": N(1)},
            'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"',
        ),
    ],
)
def test_malformed_maps(
    names: dict[str, str] | None, values: dict[str, dict[str, str]] | None, message: str
) -> None:
    assert error_of(ExpressionContext, names, values) == message


def test_errors_are_validation_exceptions_the_edge_can_serialize() -> None:
    assert issubclass(ValidationException, ValidationError)
    assert (ValidationException.code, ValidationException.status) == ("ValidationException", 400)
