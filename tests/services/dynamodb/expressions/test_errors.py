"""AWS's ValidationException messages for condition and filter expressions, word for word."""

from __future__ import annotations

from typing import Any

import pytest

from nubes.services.dynamodb.expressions import ExpressionKind

from .support import N, S, condition, error_of

FILTER = ExpressionKind.FILTER


def filter_error(text: str, values: dict[str, Any] | None = None, **kw: Any) -> str:
    return error_of(condition, text, values, kind=FILTER, **kw)


@pytest.mark.parametrize(
    ("text", "token", "near"),
    [
        ("a =", "<EOF>", "="),
        ("things are not gonna be ok", "are", "things are not"),
        ("a > 4", "4", "> 4"),
        ("attribute_exists(Pictures-RearView)", "-", "Pictures-RearView"),
        ("a in b", "b", "in b"),
        ("a in (b,c,)", ")", ",)"),
        ("a > between", "between", "> between"),
        ("ü > a", "ü", "ü >"),
        ("b[:a] > a", ":a", "[:a]"),
        ("size(a).b > a", ".", ").b"),
        ("a = :v :w", ":w", ":v :w"),
        ("a", "<EOF>", "a"),
        ("a = :v AND", "<EOF>", "AND"),
    ],
)
def test_syntax_errors_name_the_token_and_its_neighbours(text: str, token: str, near: str) -> None:
    expected = f'Invalid FilterExpression: Syntax error; token: "{token}", near: "{near}"'
    assert filter_error(text) == expected


def test_empty_and_too_large() -> None:
    assert filter_error("") == "Invalid FilterExpression: The expression can not be empty;"
    text = "a = :v AND " * 400 + "a = :v"
    size = len(text)
    assert filter_error(text, {":v": N(1)}) == (
        "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; "
        f"expression size: {size}"
    )


@pytest.mark.parametrize("text", ["a=a and a > ((views))", "a=a AND ((a=a AND a=a)) AND a=a"])
def test_redundant_parentheses(text: str) -> None:
    assert (
        filter_error(text) == "Invalid FilterExpression: The expression has redundant parentheses;"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("whatever(a) = :v", "Invalid function name; function: whatever"),
        ("attRIbute_exIsts(a)", "Invalid function name; function: attRIbute_exIsts"),
        (
            "if_not_exists(a, :v)",
            "The function is not allowed in a condition expression; function: if_not_exists",
        ),
        (
            "attribute_not_exists(things) > b",
            "The function is not allowed to be used this way "
            "in an expression; function: attribute_not_exists",
        ),
        (
            "size(things)",
            "The function is not allowed to be used this way in an expression; function: size",
        ),
        (
            "a in (b, attribute_exists(c))",
            "The function is not allowed to be used this way "
            "in an expression; function: attribute_exists",
        ),
        (
            "attribute_exists(views, #a)",
            "Attribute name is a reserved keyword; reserved keyword: views",
        ),
        (":v < abOrT", "Attribute name is a reserved keyword; reserved keyword: abOrT"),
        (
            "#P between :lo and :hi",
            "An expression attribute name used in the document path is "
            "not defined; attribute name: #P",
        ),
        (
            ":a < :b",
            "An expression attribute value used in expression is not defined; attribute value: :a",
        ),
        (
            "attribute_exists(things, a)",
            "Incorrect number of operands for operator or function; "
            "operator or function: attribute_exists, number of operands: 2",
        ),
        (
            "begins_with(a)",
            "Incorrect number of operands for operator or function; "
            "operator or function: begins_with, number of operands: 1",
        ),
        (
            "a > #a",
            "The first operand must be distinct from the remaining operands for this "
            "operator or function; operator: >, first operand: [a]",
        ),
        (
            "contains(ab.bc[1].a, ab.bc[1].#a)",
            "The first operand must be distinct from the "
            "remaining operands for this operator or function; operator: contains, first operand: "
            "[ab, bc, [1], a]",
        ),
        (
            "begins_with(a, :n)",
            "Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N",
        ),
        (
            "begins_with(a, size(b))",
            "Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N",
        ),
        (
            "size(:t) > a",
            "Incorrect operand type for operator or function; "
            "operator or function: size, operand type: BOOL",
        ),
        (
            "attribute_type(a, :n)",
            "Incorrect operand type for operator or function; "
            "operator or function: attribute_type, operand type: N",
        ),
        (
            "attribute_type(a, :s)",
            "Invalid attribute type name found; type: x, "
            "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
        ),
        (
            "attribute_exists(:s)",
            "Operator or function requires a document path; operator or function: attribute_exists",
        ),
        (
            "a BETWEEN :n AND :s",
            "The BETWEEN operator requires same data type for lower and "
            "upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
            "AttributeValue: {S:x}",
        ),
        (
            "a BETWEEN :big AND :n",
            "The BETWEEN operator requires upper bound to be greater than "
            "or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound "
            "operand: AttributeValue: {N:1}",
        ),
    ],
)
def test_semantic_errors(text: str, message: str) -> None:
    values = {":n": N(1), ":big": N(5), ":s": S("x"), ":t": {"BOOL": True}, ":lo": N(1)}
    values[":hi"] = N(2)
    used = {k: v for k, v in values.items() if k in text}
    names = {"#a": "a"} if "#a" in text else None
    assert filter_error(text, used or None, names=names) == f"Invalid FilterExpression: {message}"


def test_error_precedence_follows_aws() -> None:
    # a reserved word is reported before an undefined name, whatever their order
    assert "reserved keyword: views" in filter_error("#x = :v AND views = :v", {":v": N(1)})
    # an undefined name before a wrong number of operands
    assert "attribute name: #x" in filter_error("begins_with(a) AND #x = :v", {":v": N(1)})
    # the kind of the expression prefixes the message
    assert error_of(condition, "status = :v", {":v": N(1)}).startswith(
        "Invalid ConditionExpression: Attribute name is a reserved keyword"
    )


def test_in_takes_at_most_100_operands() -> None:
    values = {f":v{i}": N(i) for i in range(101)}
    text = f"a IN ({', '.join(values)})"
    assert filter_error(text, values) == (
        "Invalid FilterExpression: The IN operator is provided with too many operands; "
        "number of operands: 101"
    )
    del values[":v100"]
    assert condition(f"a IN ({', '.join(values)})", values).evaluate({"a": N(99)})
