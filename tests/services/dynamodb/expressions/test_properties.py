"""Property tests of the expression languages: printing and parsing round trips, and laws."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from nubes.services.dynamodb.expressions import ExpressionContext, parse_update
from nubes.services.dynamodb.expressions.ast import (
    And,
    Between,
    Call,
    Compare,
    Condition,
    In,
    Not,
    Operand,
    Or,
    Path,
    Value,
    condition_text,
)
from nubes.services.dynamodb.expressions.errors import ExpressionKind
from nubes.services.dynamodb.expressions.parser import KEYWORDS, parse_condition_tree
from nubes.services.dynamodb.expressions.reserved import is_reserved

from .support import condition

KIND = ExpressionKind.CONDITION

identifiers = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True).filter(
    lambda name: not is_reserved(name) and name.upper() not in KEYWORDS
)
placeholders = st.from_regex(r":[a-z0-9_]{1,4}", fullmatch=True)
paths = st.builds(
    lambda head, rest: Path((head, *rest)),
    identifiers,
    st.lists(identifiers | st.integers(0, 20), max_size=3),
)
operands: st.SearchStrategy[Operand] = st.one_of(
    paths, st.builds(Value, placeholders), st.builds(lambda p: Call("size", (p,)), paths)
)
comparators = st.sampled_from(["=", "<>", "<", "<=", ">", ">="])
leaves: st.SearchStrategy[Condition] = st.one_of(
    st.builds(Compare, comparators, operands, operands),
    st.builds(Between, operands, operands, operands),
    st.builds(
        lambda o, opts: In(o, tuple(opts)), operands, st.lists(operands, min_size=1, max_size=3)
    ),
    st.builds(lambda p: Call("attribute_exists", (p,)), paths),
    st.builds(lambda p, v: Call("begins_with", (p, v)), paths, st.builds(Value, placeholders)),
)
conditions: st.SearchStrategy[Condition] = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(And, inner, inner), st.builds(Or, inner, inner), st.builds(Not, inner)
    ),
    max_leaves=8,
)


@given(conditions)
def test_printing_a_tree_and_parsing_it_back_gives_the_same_tree(tree: Condition) -> None:
    assert parse_condition_tree(condition_text(tree), KIND) == tree


@given(st.sampled_from(["OR", "or"]), st.sampled_from(["AND", "And"]))
def test_and_binds_tighter_than_or(or_: str, and_: str) -> None:
    text = f"a = :v {or_} b = :v {and_} c = :v"
    assert parse_condition_tree(text, KIND) == parse_condition_tree(
        "a = :v OR (b = :v AND c = :v)", KIND
    )
    not_first = parse_condition_tree(f"NOT a = :v {and_} b = :v", KIND)
    assert not_first == parse_condition_tree("(NOT a = :v) AND b = :v", KIND)


numbers = st.decimals(
    allow_nan=False, allow_infinity=False, places=4, min_value=-(10**9), max_value=10**9
)
scalars: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.builds(lambda d: {"N": str(d)}, numbers),
    st.builds(lambda s: {"S": s}, st.text(max_size=5)),
    st.builds(lambda b: {"B": b}, st.binary(max_size=5)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
)
values: st.SearchStrategy[dict[str, Any]] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"L": xs}, st.lists(inner, max_size=3)),
        st.builds(lambda m: {"M": m}, st.dictionaries(st.sampled_from("xyz"), inner, max_size=3)),
    ),
    max_leaves=6,
)
items = st.dictionaries(st.sampled_from(["a", "b", "c"]), values, max_size=3)


@given(items, values, st.sampled_from(["a = :v", "a < :v", "attribute_exists(b)", "b IN (:v, a)"]))
def test_not_not_is_the_condition_itself(
    item: dict[str, Any], value: dict[str, Any], text: str
) -> None:
    plain = condition(text, {":v": value} if ":v" in text else None).evaluate(item)
    twice = condition(f"NOT (NOT ({text}))", {":v": value} if ":v" in text else None)
    assert twice.evaluate(item) is plain


@given(items, values)
def test_a_equals_v_after_set_a_to_v(item: dict[str, Any], value: dict[str, Any]) -> None:
    new = parse_update("SET a = :v", ExpressionContext(None, {":v": value})).apply(item).new_item
    assert condition("a = :v", {":v": value}).evaluate(new)
    assert condition("a <> :v", {":v": value}).evaluate(item) is not condition(
        "a = :v", {":v": value}
    ).evaluate(item)


@given(
    st.sets(st.text(min_size=1, max_size=4), min_size=1, max_size=5),
    st.sets(st.text(min_size=1, max_size=4), min_size=1, max_size=5),
)
def test_add_then_delete_of_new_members_restores_the_set(old: set[str], new: set[str]) -> None:
    added = new - old
    if not added:
        return
    item = {"s": {"SS": sorted(old)}}
    members = {":m": {"SS": sorted(added)}}
    after_add = parse_update("ADD s :m", ExpressionContext(None, members)).apply(item).new_item
    assert set(after_add["s"]["SS"]) == old | added
    restored = parse_update("DELETE s :m", ExpressionContext(None, members)).apply(after_add)
    assert set(restored.new_item["s"]["SS"]) == old


@given(numbers, numbers)
def test_numbers_add_and_compare_as_decimals(x: Decimal, y: Decimal) -> None:
    item = {"n": {"N": str(x)}}
    new = parse_update("ADD n :y", ExpressionContext(None, {":y": {"N": str(y)}})).apply(item)
    assert Decimal(new.new_item["n"]["N"]) == x + y
    assert condition("n < :y", {":y": {"N": str(y)}}).evaluate(item) is (x < y)
    assert condition("n = :y", {":y": {"N": f"{x:.6f}"}}).evaluate(item)
