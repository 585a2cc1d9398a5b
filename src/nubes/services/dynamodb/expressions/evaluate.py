"""Evaluation of resolved conditions on items: each tree is compiled once into closures.

Compiling binds the request's values in (numbers parsed once), so evaluating a filter over
many items is a chain of plain Python calls. Semantics are DynamoDB's: a comparison with a
missing attribute is false, except ``<>`` which is true; ``<`` and friends hold only
between two values of the same ordered type (S, N, B); ``=`` compares by value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from .ast import And, Between, Call, Compare, Condition, In, Not, Operand, Or, Path, Value
from .paths import get_path
from .values import (
    SET_TYPES,
    AttributeValue,
    Item,
    as_bytes,
    equal,
    set_members,
    size,
    sort_key,
    type_of,
)

Getter = Callable[[Item], AttributeValue | None]
Predicate = Callable[[Item], bool]
Values = Mapping[str, AttributeValue]


def compile_operand(node: Operand, values: Values) -> Getter:
    """A function from an item to the operand's value there (None when missing)."""
    if isinstance(node, Path):
        return _path_getter(node)
    if isinstance(node, Value):
        constant = values[node.name]
        return lambda item: constant
    if isinstance(node, Call) and node.name == "size":
        inner = compile_operand(node.args[0], values)
        return lambda item: _size(inner(item))
    raise TypeError(f"not a condition operand: {node!r}")


def _path_getter(path: Path) -> Getter:
    elements = path.elements
    if len(elements) == 1:
        name = str(elements[0])
        return lambda item: item.get(name)
    return lambda item: get_path(item, elements)


def _size(value: AttributeValue | None) -> AttributeValue | None:
    count = None if value is None else size(value)
    return None if count is None else {"N": str(count)}


def compile_condition(node: Condition, values: Values) -> Predicate:
    """A predicate on items for a resolved condition tree."""
    if isinstance(node, And):
        left, right = compile_condition(node.left, values), compile_condition(node.right, values)
        return lambda item: left(item) and right(item)
    if isinstance(node, Or):
        left, right = compile_condition(node.left, values), compile_condition(node.right, values)
        return lambda item: left(item) or right(item)
    if isinstance(node, Not):
        inner = compile_condition(node.operand, values)
        return lambda item: not inner(item)
    if isinstance(node, Compare):
        return _compare(node, values)
    if isinstance(node, Between):
        return _between(node, values)
    if isinstance(node, In):
        return _in(node, values)
    return _function(node, values)


def _compare(node: Compare, values: Values) -> Predicate:
    left, right = compile_operand(node.left, values), compile_operand(node.right, values)
    if node.op in ("=", "<>"):
        negate = node.op == "<>"

        def equals(item: Item) -> bool:
            a, b = left(item), right(item)
            return (a is not None and b is not None and equal(a, b)) != negate

        return equals
    test = _ORDER_TESTS[node.op]

    def ordered(item: Item) -> bool:
        a, b = left(item), right(item)
        if a is None or b is None:
            return False
        ka, kb = sort_key(a), sort_key(b)
        return ka is not None and kb is not None and ka[0] == kb[0] and test(ka[1], kb[1])

    return ordered


_ORDER_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
}


def _between(node: Between, values: Values) -> Predicate:
    getters = [compile_operand(n, values) for n in (node.operand, node.low, node.high)]

    def between(item: Item) -> bool:
        keys = [_key(g(item)) for g in getters]
        if any(k is None for k in keys) or len({k[0] for k in keys if k}) != 1:
            return False
        x, low, high = (k[1] for k in keys if k)
        return bool(low <= x <= high)

    return between


def _key(value: AttributeValue | None) -> tuple[str, Any] | None:
    return None if value is None else sort_key(value)


def _in(node: In, values: Values) -> Predicate:
    operand = compile_operand(node.operand, values)
    options = [compile_operand(o, values) for o in node.options]

    def in_(item: Item) -> bool:
        value = operand(item)
        if value is None:
            return False
        for option in options:
            candidate = option(item)
            if candidate is not None and equal(value, candidate):
                return True
        return False

    return in_


def _function(node: Call, values: Values) -> Predicate:
    args = [compile_operand(a, values) for a in node.args]
    test = _FUNCTIONS[node.name]
    if len(args) == 1:
        only = args[0]
        return lambda item: test(only(item), None)
    first, second = args
    return lambda item: test(first(item), second(item))


def _begins_with(value: AttributeValue | None, prefix: AttributeValue | None) -> bool:
    if value is None or prefix is None:
        return False
    kind = type_of(value)
    if kind != type_of(prefix) or kind not in ("S", "B"):
        return False
    if kind == "S":
        return bool(value["S"].startswith(prefix["S"]))
    return as_bytes(value["B"]).startswith(as_bytes(prefix["B"]))


def _contains(value: AttributeValue | None, member: AttributeValue | None) -> bool:
    if value is None or member is None:
        return False
    kind, member_kind = type_of(value), type_of(member)
    if kind == "S" and member_kind == "S":
        return bool(member["S"] in value["S"])
    if kind == "B" and member_kind == "B":
        return as_bytes(member["B"]) in as_bytes(value["B"])
    if kind in SET_TYPES and member_kind == kind[0]:
        return _member_key(member_kind, member) in set_members(kind, value[kind])
    if kind == "L":
        return any(equal(element, member) for element in value["L"])
    return False


def _member_key(kind: str, member: AttributeValue) -> Any:
    if kind == "N":
        return Decimal(member["N"])
    if kind == "B":
        return as_bytes(member["B"])
    return member["S"]


def _attribute_type(value: AttributeValue | None, name: AttributeValue | None) -> bool:
    return value is not None and name is not None and type_of(value) == name.get("S")


_FUNCTIONS: dict[str, Callable[[AttributeValue | None, AttributeValue | None], bool]] = {
    "attribute_exists": lambda value, _: value is not None,
    "attribute_not_exists": lambda value, _: value is None,
    "attribute_type": _attribute_type,
    "begins_with": _begins_with,
    "contains": _contains,
}
