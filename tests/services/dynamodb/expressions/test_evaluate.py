"""Condition and filter expressions evaluated on items, with DynamoDB's semantics."""

from __future__ import annotations

from typing import Any

import pytest

from .support import N, S, condition

ITEM: dict[str, Any] = {
    "n": N("10.50"),
    "s": S("hello"),
    "b": {"B": b"\x01\x02\x03"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.0"]},
    "l": {"L": [N(1), S("x"), {"M": {"k": S("v")}}]},
    "m": {"M": {"doc": {"M": {"leaf": N(7)}}, "seq": {"L": [S("a"), S("b")]}}},
    "t": {"BOOL": True},
    "z": {"NULL": True},
}


def holds(text: str, values: dict[str, Any] | None = None, **kw: Any) -> bool:
    return condition(text, values, **kw).evaluate(ITEM)


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("n = :v", N("10.5"), True),  # numbers compare as decimals
        ("n = :v", S("10.5"), False),  # different types are never equal
        ("n <> :v", S("10.5"), True),
        ("n < :v", N("11"), True),
        ("n < :v", N("9.99"), False),
        ("n >= :v", N("10.500"), True),
        ("n > :v", S("a"), False),  # no order across types
        ("s < :v", S("help"), True),
        ("s > :v", S("hell"), True),
        ("b < :v", {"B": b"\x01\x03"}, True),
        ("ss = :v", {"SS": ["b", "a"]}, True),  # sets compare as sets
        ("ns = :v", {"NS": ["2", "1"]}, True),
        ("l = :v", {"L": [N("1.0"), S("x"), {"M": {"k": S("v")}}]}, True),
        ("t = :v", {"BOOL": True}, True),
        ("z = :v", {"NULL": True}, True),
        ("m.doc.leaf = :v", N(7), True),
        ("m.seq[1] = :v", S("b"), True),
        ("l[2].k = :v", S("v"), True),
    ],
)
def test_comparisons(text: str, value: dict[str, Any], expected: bool) -> None:
    assert holds(text, {":v": value}) is expected


@pytest.mark.parametrize(
    ("op", "expected"), [("=", False), ("<>", True), ("<", False), (">=", False)]
)
def test_missing_attribute_compares_false_except_not_equal(op: str, expected: bool) -> None:
    assert holds(f"nope {op} :v", {":v": N(1)}) is expected
    assert holds(f"m.nope[3] {op} :v", {":v": N(1)}) is expected


def test_between_and_in() -> None:
    assert condition("n BETWEEN :lo AND :hi", {":lo": N(10), ":hi": N(11)}).evaluate(ITEM)
    assert not condition("s BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(2)}).evaluate(ITEM)
    assert condition("n IN (:a, :b)", {":a": S("x"), ":b": N("10.5")}).evaluate(ITEM)
    assert not condition("n IN (:a)", {":a": S("x")}).evaluate(ITEM)
    assert not condition("nope IN (:a)", {":a": S("x")}).evaluate(ITEM)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("attribute_exists(m.doc.leaf)", None, True),
        ("attribute_exists(m.doc.nope)", None, False),
        ("attribute_not_exists(nope)", None, True),
        ("attribute_not_exists(l[9])", None, True),
        ("attribute_type(ns, :t)", {":t": S("NS")}, True),
        ("attribute_type(ns, :t)", {":t": S("SS")}, False),
        ("begins_with(s, :p)", {":p": S("he")}, True),
        ("begins_with(s, :p)", {":p": S("lo")}, False),
        ("begins_with(b, :p)", {":p": {"B": b"\x01"}}, True),
        ("contains(s, :p)", {":p": S("ell")}, True),
        ("contains(ss, :p)", {":p": S("a")}, True),
        ("contains(ss, :p)", {":p": S("c")}, False),
        ("contains(ns, :p)", {":p": N("2")}, True),
        ("contains(l, :p)", {":p": {"M": {"k": S("v")}}}, True),
        ("contains(l, :p)", {":p": S("y")}, False),
        ("contains(n, :p)", {":p": N("1")}, False),
        ("size(s) = :v", {":v": N(5)}, True),
        ("size(b) = :v", {":v": N(3)}, True),
        ("size(l) > :v", {":v": N(2)}, True),
        ("size(m) = :v", {":v": N(2)}, True),
        ("size(n) = :v", {":v": N(0)}, False),  # a number has no size
        ("size(nope) < :v", {":v": N(1)}, False),
    ],
)
def test_functions(text: str, values: dict[str, Any] | None, expected: bool) -> None:
    assert holds(text, values) is expected


def test_boolean_operators_and_precedence() -> None:
    values = {":t": N(1), ":f": N(2)}
    item = {"a": N(1), "b": N(1), "c": N(1)}

    def check(text: str) -> bool:
        return condition(text, values).evaluate(item)

    assert check("a = :t AND b = :t")
    assert not check("a = :t AND b = :f")
    assert check("a = :f OR b = :t")
    assert check("NOT a = :f")
    assert check("a = :t OR b = :f AND c = :f")  # AND binds tighter than OR
    assert not check("(a = :t OR b = :f) AND c = :f")
    assert not check("NOT a = :t AND b = :t")  # NOT binds tighter than AND
    assert check("not (a = :t and b = :f)")  # keywords are case-insensitive


def test_names_resolve_placeholders_per_path_element() -> None:
    item = {"a.b": N(1), "a": {"M": {"b": N(2)}}}
    assert condition("#ab = :v", {":v": N(1)}, {"#ab": "a.b"}).evaluate(item)
    assert condition("#a.#b = :v", {":v": N(2)}, {"#a": "a", "#b": "b"}).evaluate(item)


def test_parenthesised_operands() -> None:
    assert condition("(n) BETWEEN (:lo) AND (:hi)", {":lo": N(1), ":hi": N(20)}).evaluate(ITEM)


def test_no_item_means_nothing_exists() -> None:
    assert condition("attribute_not_exists(pk)").evaluate(None)
    assert not condition("attribute_exists(pk)").evaluate({})
