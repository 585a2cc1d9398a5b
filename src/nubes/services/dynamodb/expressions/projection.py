"""Projection of an item onto document paths, keeping the nesting of what it selects.

``a.b, c[1], c[3]`` of an item gives ``{"a": {"M": {"b": ...}}, "c": {"L": [c1, c3]}}``:
maps keep the selected keys, lists keep the selected elements in index order (closing
the gaps), and paths that lead nowhere (a missing key, an index out of range, an index
into a map) select nothing, as DynamoDB does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .ast import PathElement
from .paths import get_path
from .values import Item


@dataclass
class _Node:
    """A partial document being built: map keys or list indexes to children or values."""

    is_list: bool
    children: dict[Any, Any]


def project(item: Item, paths: Iterable[tuple[PathElement, ...]]) -> Item:
    """The parts of ``item`` the paths select."""
    root = _Node(False, {})
    for elements in paths:
        value = get_path(item, elements)
        if value is not None:
            _insert(root, elements, value)
    return {name: _finish(child) for name, child in root.children.items()}


def _insert(root: _Node, elements: tuple[PathElement, ...], value: Any) -> None:
    node = root
    for depth, element in enumerate(elements[:-1]):
        child = node.children.get(element)
        if child is None:
            next_is_list = isinstance(elements[depth + 1], int)
            child = node.children[element] = _Node(next_is_list, {})
        node = child
    node.children[elements[-1]] = value


def _finish(child: Any) -> Any:
    if not isinstance(child, _Node):
        return child
    if child.is_list:
        return {"L": [_finish(child.children[i]) for i in sorted(child.children)]}
    return {"M": {key: _finish(value) for key, value in child.children.items()}}
