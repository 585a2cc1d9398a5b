"""Document paths on items: reading a path, and AWS's rule that paths may not overlap.

Projections and updates both refuse two paths where one is a prefix of the other
("overlap") or where the two use the same document as a map and as a list ("conflict").
"""

from __future__ import annotations

from collections.abc import Iterable

from .ast import PathElement
from .errors import ExpressionKind, conflicting_paths, overlapping_paths
from .values import AttributeValue, Item


def get_path(item: Item, elements: tuple[PathElement, ...]) -> AttributeValue | None:
    """The value at a path, or None where the path leads nowhere."""
    value: AttributeValue | None = item.get(elements[0])  # type: ignore[arg-type]
    for element in elements[1:]:
        if value is None:
            return None
        value = _child(value, element)
    return value


def _child(value: AttributeValue, element: PathElement) -> AttributeValue | None:
    if isinstance(element, int):
        items = value.get("L")
        if items is None or element >= len(items):
            return None
        child: AttributeValue = items[element]
        return child
    members = value.get("M")
    return None if members is None else members.get(element)


def check_distinct_paths(paths: Iterable[tuple[PathElement, ...]], kind: ExpressionKind) -> None:
    """Raise AWS's error for the first two paths that overlap or conflict."""
    seen: list[tuple[PathElement, ...]] = []
    for path in paths:
        for earlier in seen:
            _check_pair(earlier, path, kind)
        seen.append(path)


def _check_pair(
    one: tuple[PathElement, ...], two: tuple[PathElement, ...], kind: ExpressionKind
) -> None:
    for a, b in zip(one, two, strict=False):
        if a == b and type(a) is type(b):
            continue
        if isinstance(a, int) != isinstance(b, int):
            raise conflicting_paths(kind, one, two)
        return
    raise overlapping_paths(kind, one, two)
