"""Applying a resolved update expression to an item.

Every operand is evaluated against the item as it was before the update (so
``SET a = b, b = a`` swaps), then the writes are made on a copy: SET and ADD values, then
removals (REMOVE, and DELETE emptying a set), list elements from the highest index down
so that each index names an element of the original list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .ast import Arith, Call, Operand, Path, PathElement, UpdateAction, UpdateTree, Value
from .errors import incorrect_data_type, invalid_update_path, missing_attribute
from .paths import get_path
from .projection import project
from .values import (
    NUMBER_CONTEXT,
    SET_TYPES,
    AttributeValue,
    Item,
    format_number,
    set_members,
    type_of,
)

_REMOVE = None


@dataclass(frozen=True)
class UpdateResult:
    """The item after an update, and the updated paths' values before and after it.

    ``updated_old`` and ``updated_new`` are what ReturnValues UPDATED_OLD and UPDATED_NEW
    answer: the updated paths projected from the old and the new item.
    """

    new_item: Item
    updated_old: Item
    updated_new: Item
    updated_names: frozenset[str]


def apply_update(
    tree: UpdateTree, values: Mapping[str, AttributeValue], item: Item
) -> UpdateResult:
    """Apply a resolved update tree to ``item`` (not modified) with the request's values."""
    writes = [(action.path.elements, _new_value(action, values, item)) for action in tree.actions]
    new_item = clone_item(item)
    for elements, value in writes:
        if value is not _REMOVE and not isinstance(value, _Nothing):
            _set(new_item, elements, clone(value))
    removals = sorted((e for e, v in writes if v is _REMOVE), key=_removal_order, reverse=True)
    for elements in removals:
        _remove(new_item, elements)
    paths = [elements for elements, _ in writes]
    return UpdateResult(
        new_item=new_item,
        updated_old=project(item, paths),
        updated_new=project(new_item, paths),
        updated_names=frozenset(str(elements[0]) for elements in paths),
    )


def _new_value(action: UpdateAction, values: Mapping[str, AttributeValue], item: Item) -> Any:
    """The value an action writes at its path, or _REMOVE."""
    if action.clause == "REMOVE" or action.value is None:
        return _REMOVE
    value = operand_value(action.value, values, item)
    if action.clause == "SET":
        return value
    current = get_path(item, action.path.elements)
    if action.clause == "ADD":
        return _add(current, value)
    return _delete(current, value)


def operand_value(
    node: Operand, values: Mapping[str, AttributeValue], item: Item
) -> AttributeValue:
    """An update operand's value, evaluated against the item before the update."""
    if isinstance(node, Value):
        return values[node.name]
    if isinstance(node, Path):
        found = get_path(item, node.elements)
        if found is None:
            raise missing_attribute()
        return found
    if isinstance(node, Arith):
        return _arith(node, values, item)
    return _call(node, values, item)


def _arith(node: Arith, values: Mapping[str, AttributeValue], item: Item) -> AttributeValue:
    left, right = operand_value(node.left, values, item), operand_value(node.right, values, item)
    if type_of(left) != "N" or type_of(right) != "N":
        raise incorrect_data_type()
    a, b = Decimal(left["N"]), Decimal(right["N"])
    result = NUMBER_CONTEXT.add(a, b) if node.op == "+" else NUMBER_CONTEXT.subtract(a, b)
    return {"N": format_number(result)}


def _call(node: Call, values: Mapping[str, AttributeValue], item: Item) -> AttributeValue:
    if node.name == "if_not_exists":
        path = node.args[0]
        found = get_path(item, path.elements) if isinstance(path, Path) else None
        return found if found is not None else operand_value(node.args[1], values, item)
    first, second = (operand_value(arg, values, item) for arg in node.args)
    if type_of(first) != "L" or type_of(second) != "L":
        raise incorrect_data_type()
    return {"L": [*first["L"], *second["L"]]}


def _add(current: AttributeValue | None, value: AttributeValue) -> AttributeValue:
    kind = type_of(value)
    if current is None:
        return clone(value)
    if type_of(current) != kind:
        raise incorrect_data_type()
    if kind == "N":
        total = NUMBER_CONTEXT.add(Decimal(current["N"]), Decimal(value["N"]))
        return {"N": format_number(total)}
    present = set_members(kind, current[kind])
    added = [m for m in value[kind] if _member(kind, m) not in present]
    return {kind: [*current[kind], *_unique(kind, added)]}


def _delete(current: AttributeValue | None, value: AttributeValue) -> Any:
    kind = type_of(value)
    if current is None:
        return _REMOVE_NOTHING
    if type_of(current) != kind or kind not in SET_TYPES:
        raise incorrect_data_type()
    gone = set_members(kind, value[kind])
    kept = [m for m in current[kind] if _member(kind, m) not in gone]
    return {kind: kept} if kept else _REMOVE


def _member(kind: str, member: Any) -> Any:
    return next(iter(set_members(kind, [member])))


def _unique(kind: str, members: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for member in members:
        key = _member(kind, member)
        if key not in seen:
            seen.add(key)
            out.append(member)
    return out


class _Nothing:
    """DELETE from a missing attribute: nothing to write and nothing to remove."""


_REMOVE_NOTHING = _Nothing()


def _set(item: Item, elements: tuple[PathElement, ...], value: AttributeValue) -> None:
    if len(elements) == 1:
        item[str(elements[0])] = value
        return
    parent = get_path(item, elements[:-1])
    last = elements[-1]
    if parent is None:
        raise invalid_update_path()
    if isinstance(last, int) and "L" in parent:
        items = parent["L"]
        if last < len(items):
            items[last] = value
        else:
            items.append(value)
    elif isinstance(last, str) and "M" in parent:
        parent["M"][last] = value
    else:
        raise invalid_update_path()


def _remove(item: Item, elements: tuple[PathElement, ...]) -> None:
    if len(elements) == 1:
        item.pop(str(elements[0]), None)
        return
    parent = get_path(item, elements[:-1])
    last = elements[-1]
    if parent is None:
        raise invalid_update_path()
    if isinstance(last, int) and "L" in parent:
        if last < len(parent["L"]):
            del parent["L"][last]
    elif isinstance(last, str) and "M" in parent:
        parent["M"].pop(last, None)
    else:
        raise invalid_update_path()


def _removal_order(elements: tuple[PathElement, ...]) -> tuple[tuple[int, Any], ...]:
    return tuple((1, e) if isinstance(e, int) else (0, e) for e in elements)


def clone(value: AttributeValue) -> AttributeValue:
    """A copy of a value deep enough to be changed without touching the original."""
    kind = type_of(value)
    if kind == "M":
        return {"M": {k: clone(v) for k, v in value["M"].items()}}
    if kind == "L":
        return {"L": [clone(v) for v in value["L"]]}
    if kind in SET_TYPES:
        return {kind: list(value[kind])}
    return dict(value)


def clone_item(item: Item) -> Item:
    return {name: clone(value) for name, value in item.items()}
