"""Key condition expressions: the shapes Query accepts, as KeyCondition, and AWS's errors."""

from __future__ import annotations

from typing import Any

import pytest

from nubes.services.dynamodb.expressions import (
    ExpressionContext,
    KeyCondition,
    SortCondition,
    parse_key_condition,
)

from .support import N, S, error_of

VALUES = {":p": S("p"), ":a": N(1), ":b": N(5), ":s": S("pre")}


def key(
    text: str, range_key: str | None = "sk", names: dict[str, str] | None = None
) -> KeyCondition:
    used = {k: v for k, v in VALUES.items() if k in text}
    return parse_key_condition(text, ExpressionContext(names, used or None), "pk", range_key)


def key_error(text: str, range_key: str | None = "sk") -> str:
    return error_of(key, text, range_key)


def test_partition_only() -> None:
    condition = key("pk = :p")
    assert (condition.partition_name, condition.partition_value, condition.sort) == (
        "pk",
        S("p"),
        None,
    )


@pytest.mark.parametrize(
    ("text", "op", "values"),
    [
        ("pk = :p AND sk = :a", "=", (N(1),)),
        ("pk = :p AND sk < :a", "<", (N(1),)),
        ("pk = :p AND sk <= :a", "<=", (N(1),)),
        ("pk = :p AND sk > :a", ">", (N(1),)),
        ("pk = :p AND sk >= :a", ">=", (N(1),)),
        ("pk = :p AND :a < sk", ">", (N(1),)),  # a value first is turned round
        ("pk = :p AND sk BETWEEN :a AND :b", "BETWEEN", (N(1), N(5))),
        ("begins_with(sk, :s) AND pk = :p", "BEGINS_WITH", (S("pre"),)),
        ("(pk = :p) AND (sk = :a)", "=", (N(1),)),
    ],
)
def test_sort_conditions(text: str, op: str, values: tuple[dict[str, Any], ...]) -> None:
    assert key(text).sort == SortCondition("sk", op, values)


def test_names_and_matches() -> None:
    condition = key("#k = :p AND #s BETWEEN :a AND :b", names={"#k": "pk", "#s": "sk"})
    assert condition.matches({"pk": S("p"), "sk": N(3)})
    assert not condition.matches({"pk": S("p"), "sk": N(6)})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pk = :p OR sk = :a", "Invalid operator used in KeyConditionExpression: OR"),
        ("NOT pk = :p", "Invalid operator used in KeyConditionExpression: NOT"),
        ("pk IN (:p)", "Invalid operator used in KeyConditionExpression: IN"),
        ("pk <> :p", "Invalid operator used in KeyConditionExpression: <>"),
        (
            "attribute_exists(pk)",
            "Invalid operator used in KeyConditionExpression: attribute_exists",
        ),
        ("contains(pk, :p)", "Invalid operator used in KeyConditionExpression: contains"),
        (
            "pk = :p AND begins_with(:s, sk)",
            "Invalid condition in KeyConditionExpression: "
            "begins_with operator must have the key attribute as its first operand",
        ),
        (
            "pk = sk",
            "Invalid condition in KeyConditionExpression: Multiple attribute names used "
            "in one condition",
        ),
        ("pk.x = :p", "KeyConditionExpressions cannot have conditions on nested attributes"),
        ("pk = :p AND size(sk) > :a", "KeyConditionExpressions cannot contain nested operations"),
        (":p = :p", "Invalid condition in KeyConditionExpression: No key attribute specified"),
        (
            "pk = :p AND sk > :a AND sk < :b",
            "KeyConditionExpressions must only contain one condition per key",
        ),
        ("pk = :p AND sk = :a AND c = :b", "Conditions can be of length 1 or 2 only"),
        ("sk = :a", "Query condition missed key schema element: pk"),
        ("pk > :p", "Query key condition not supported"),
        ("pk = :p AND c = :a", "Query condition missed key schema element: sk"),
        (
            "pk = :p AND sk BETWEEN :b AND :a",
            "Invalid KeyConditionExpression: The BETWEEN "
            "operator requires upper bound to be greater than or equal to lower bound; lower bound "
            "operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}",
        ),
        (
            "pk = :p AND begins_with(sk, :a)",
            "Invalid KeyConditionExpression: Incorrect operand "
            "type for operator or function; operator or function: begins_with, operand type: N",
        ),
        ("pk = ", 'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "="'),
    ],
)
def test_errors(text: str, message: str) -> None:
    assert key_error(text) == message


def test_non_key_attribute_on_a_hash_only_table() -> None:
    assert key_error("pk = :p AND c = :a", range_key=None) == "Query key condition not supported"
