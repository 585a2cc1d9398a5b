"""Projection expressions: nested paths, list indexes, placeholders, and their errors."""

from __future__ import annotations

from typing import Any

import pytest

from nubes.services.dynamodb.expressions import ExpressionContext, parse_projection

from .support import N, S, error_of

ITEM: dict[str, Any] = {
    "a": S("x"),
    "m": {"M": {"b": {"M": {"c": N(1), "d": N(2)}}, "e": N(3)}},
    "l": {"L": [S("l0"), {"L": [S("l10"), S("l11")]}, S("l2"), S("l3")]},
    "dot.ted": N(9),
}


def project(text: str, names: dict[str, str] | None = None) -> dict[str, Any]:
    return parse_projection(text, ExpressionContext(names)).apply(ITEM)


def test_top_level_and_nested_maps() -> None:
    assert project("a") == {"a": S("x")}
    assert project("m.b.c, m.e") == {"m": {"M": {"b": {"M": {"c": N(1)}}, "e": N(3)}}}


def test_list_indexes_keep_order_and_skip_what_is_missing() -> None:
    assert project("l[3], l[0], l[9]") == {"l": {"L": [S("l0"), S("l3")]}}
    assert project("l[1][1]") == {"l": {"L": [{"L": [S("l11")]}]}}
    assert project("m[0], a.b, nope") == {}


def test_names() -> None:
    assert project("#d, #m.#b", {"#d": "dot.ted", "#m": "m", "#b": "e"}) == {
        "dot.ted": N(9),
        "m": {"M": {"e": N(3)}},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "m, m.b",
            "Two document paths overlap with each other; must remove or rewrite one of "
            "these paths; path one: [m], path two: [m, b]",
        ),
        (
            "l[0].a, l.a",
            "Two document paths conflict with each other; must remove or rewrite one "
            "of these paths; path one: [l, [0], a], path two: [l, a]",
        ),
        ("a,", 'Syntax error; token: "<EOF>", near: ","'),
        ("a b", 'Syntax error; token: "b", near: "a b"'),
        ("size(a)", 'Syntax error; token: "(", near: "size(a"'),
        ("name", "Attribute name is a reserved keyword; reserved keyword: name"),
        (
            "#n",
            "An expression attribute name used in the document path is not defined; "
            "attribute name: #n",
        ),
        ("", "The expression can not be empty;"),
    ],
)
def test_errors(text: str, message: str) -> None:
    expected = f"Invalid ProjectionExpression: {message}"
    assert error_of(parse_projection, text, ExpressionContext()) == expected
