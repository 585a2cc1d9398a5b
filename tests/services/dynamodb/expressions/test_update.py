"""Update expressions: SET, REMOVE, ADD, DELETE applied to items, and their errors."""

from __future__ import annotations

from typing import Any

import pytest

from nubes.services.dynamodb.expressions import ValidationException

from .support import N, S, error_of, update

ITEM: dict[str, Any] = {
    "pk": S("k"),
    "n": N(5),
    "l": {"L": [S("a"), S("b"), S("c")]},
    "m": {"M": {"x": N(1), "seq": {"L": [N(1)]}}},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
}


def apply(text: str, values: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    return update(text, values, **kw).apply(ITEM).new_item


def test_set_values_paths_and_arithmetic() -> None:
    new = apply("SET a = :v, b = n + :one, c = n - :one, m.y = :v", {":v": S("v"), ":one": N(1)})
    assert new["a"] == S("v") and new["b"] == N(6) and new["c"] == N(4)
    assert new["m"]["M"]["y"] == S("v")
    assert ITEM["m"]["M"].get("y") is None  # the input item is not modified


def test_set_evaluates_every_operand_against_the_old_item() -> None:
    new = apply("SET n = l, l = n")
    assert new["n"] == ITEM["l"] and new["l"] == N(5)


def test_arithmetic_keeps_decimal_precision() -> None:
    new = update("SET n = n + :d", {":d": N("0.1")}).apply({"n": N("0.2")}).new_item
    assert new["n"] == N("0.3")
    big = "12345678901234567890123456789012345678"
    assert update("SET n = n - :d", {":d": N(big)}).apply({"n": N(big)}).new_item["n"] == N(0)


def test_if_not_exists_and_list_append() -> None:
    values = {":zero": N(0), ":one": N(1), ":new": {"L": [S("d")]}, ":empty": {"L": []}}
    new = apply(
        "SET n = if_not_exists(n, :zero) + :one, c = if_not_exists(c, :zero) + :one, "
        "l = list_append(l, :new), f = list_append(if_not_exists(f, :empty), :new)",
        values,
    )
    assert new["n"] == N(6) and new["c"] == N(1)
    assert new["l"] == {"L": [S("a"), S("b"), S("c"), S("d")]}
    assert new["f"] == {"L": [S("d")]}
    assert apply("SET l = list_append(:new, l)", values)["l"]["L"][0] == S("d")


def test_list_elements() -> None:
    assert apply("SET l[1] = :v", {":v": S("B")})["l"]["L"] == [S("a"), S("B"), S("c")]
    assert apply("SET l[9] = :v", {":v": S("z")})["l"]["L"][-1] == S("z")  # past the end appends
    assert apply("REMOVE l[0], l[2]")["l"]["L"] == [S("b")]  # indexes of the original list
    assert apply("REMOVE l[7]")["l"] == ITEM["l"]


def test_remove() -> None:
    new = apply("REMOVE n, m.x, nothing")
    assert "n" not in new and new["m"]["M"] == {"seq": {"L": [N(1)]}}


def test_add_numbers_and_sets() -> None:
    new = apply(
        "ADD n :two, fresh :two, ss :s, ns :ns, newset :s",
        {":two": N(2), ":s": {"SS": ["b", "c"]}, ":ns": {"NS": ["2.0", "3"]}},
    )
    assert new["n"] == N(7) and new["fresh"] == N(2)
    assert new["ss"] == {"SS": ["a", "b", "c"]}
    assert new["ns"] == {"NS": ["1", "2", "3"]}
    assert new["newset"] == {"SS": ["b", "c"]}


def test_delete_from_sets() -> None:
    new = apply(
        "DELETE ss :a, ns :all, nothing :a", {":a": {"SS": ["a"]}, ":all": {"NS": ["1", "2"]}}
    )
    assert new["ss"] == {"SS": ["b"]}
    assert "ns" not in new  # a set emptied is removed
    assert "nothing" not in new


def test_clauses_in_any_order_and_case() -> None:
    new = apply("remove n set a = :v add c :one", {":v": S("v"), ":one": N(1)})
    assert "n" not in new and new["a"] == S("v") and new["c"] == N(1)


def test_updated_old_and_new_are_the_updated_paths() -> None:
    result = update("SET m.x = :v, a = :v REMOVE n", {":v": N(9)}).apply(ITEM)
    assert result.updated_old == {"m": {"M": {"x": N(1)}}, "n": N(5)}
    assert result.updated_new == {"m": {"M": {"x": N(9)}}, "a": N(9)}
    assert result.updated_names == {"m", "a", "n"}


def test_top_level_names() -> None:
    assert update("SET a.b = :v REMOVE c[0]", {":v": N(1)}).top_level_names == {"a", "c"}


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        (
            "SET a = :v, a.b = :v",
            {":v": N(1)},
            "Invalid UpdateExpression: Two document paths "
            "overlap with each other; must remove or rewrite one of these paths; path one: [a], "
            "path two: [a, b]",
        ),
        (
            "SET f = :v REMOVE f",
            {":v": N(1)},
            "Invalid UpdateExpression: Two document paths "
            "overlap with each other; must remove or rewrite one of these paths; path one: [f], "
            "path two: [f]",
        ),
        (
            "SET a[0] = :v, a.b = :v",
            {":v": N(1)},
            "Invalid UpdateExpression: Two document paths "
            "conflict with each other; must remove or rewrite one of these paths; "
            "path one: [a, [0]], path two: [a, b]",
        ),
        (
            "SET a = :v SET b = :v",
            {":v": N(1)},
            'Invalid UpdateExpression: The "SET" section '
            "can only be used once in an update expression;",
        ),
        (
            "INVALID SYNTAX HERE",
            None,
            'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"',
        ),
        (
            "ADD hits : incr",
            None,
            'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"',
        ),
        (
            "SET a = :v, updated = :v =",
            {":v": N(1)},
            'Invalid UpdateExpression: Syntax error; token: "=", near: ":v ="',
        ),
        ("ADD numx 1", None, 'Invalid UpdateExpression: Syntax error; token: "1", near: "numx 1"'),
        (
            "DELETE setx",
            None,
            'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "setx"',
        ),
        (
            "SET a = b + c - d",
            None,
            'Invalid UpdateExpression: Syntax error; token: "-", near: "c - d"',
        ),
        ("", None, "Invalid UpdateExpression: The expression can not be empty;"),
        (
            "SET #x = :v",
            {":v": N(1)},
            "Invalid UpdateExpression: An expression attribute name "
            "used in the document path is not defined; attribute name: #x",
        ),
        (
            "SET a = :nope",
            None,
            "Invalid UpdateExpression: An expression attribute value used "
            "in expression is not defined; attribute value: :nope",
        ),
        (
            "SET year = :v",
            {":v": N(1)},
            "Invalid UpdateExpression: Attribute name is a reserved "
            "keyword; reserved keyword: year",
        ),
        (
            "SET a = list_append(a, :m)",
            {":m": {"M": {}}},
            "Invalid UpdateExpression: Incorrect "
            "operand type for operator or function; operator or function: list_append, operand "
            "type: M",
        ),
        (
            "SET a = if_not_exists(:v, :v)",
            {":v": N(1)},
            "Invalid UpdateExpression: Operator or "
            "function requires a document path; operator or function: if_not_exists",
        ),
        (
            "SET a = if_not_exists(a)",
            None,
            "Invalid UpdateExpression: Incorrect number of "
            "operands for operator or function; operator or function: if_not_exists, number of "
            "operands: 1",
        ),
        (
            "SET a = size(a)",
            None,
            "Invalid UpdateExpression: The function is not allowed in an "
            "update expression; function: size",
        ),
        (
            "SET a = nope(a)",
            None,
            "Invalid UpdateExpression: Invalid function name; function: nope",
        ),
        (
            "ADD n :s",
            {":s": S("x")},
            "Invalid UpdateExpression: Incorrect operand type for "
            "operator or function; operator: ADD, operand type: STRING, typeSet: "
            "ALLOWED_FOR_ADD_OPERAND",
        ),
        (
            "DELETE ss :n",
            {":n": N(1)},
            "Invalid UpdateExpression: Incorrect operand type for "
            "operator or function; operator: DELETE, operand type: NUMBER, typeSet: "
            "ALLOWED_FOR_ADD_OPERAND",
        ),
    ],
)
def test_parse_errors(text: str, values: dict[str, Any] | None, message: str) -> None:
    assert error_of(update, text, values) == message


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        (
            "SET a = l + :one",
            {":one": N(1)},
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "SET a = list_append(n, l)",
            None,
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "ADD ss :n",
            {":n": N(1)},
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "DELETE ss :ns",
            {":ns": {"NS": ["1"]}},
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "SET a = nothing",
            None,
            "The provided expression refers to an attribute that does not exist in the item",
        ),
        (
            "SET nothing.x = :one",
            {":one": N(1)},
            "The document path provided in the update expression is invalid for update",
        ),
        (
            "SET n.x = :one",
            {":one": N(1)},
            "The document path provided in the update expression is invalid for update",
        ),
        (
            "SET m[0] = :one",
            {":one": N(1)},
            "The document path provided in the update expression is invalid for update",
        ),
    ],
)
def test_apply_errors(text: str, values: dict[str, Any] | None, message: str) -> None:
    parsed = update(text, values)
    assert error_of(parsed.apply, ITEM) == message


def test_add_delete_operand_errors_are_counted() -> None:
    with pytest.raises(ValidationException) as raised:
        update("ADD n :s", {":s": S("x")})
    assert raised.value.counted
