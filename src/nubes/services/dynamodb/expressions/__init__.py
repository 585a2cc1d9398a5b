"""DynamoDB's expression languages: parse, check against the request, evaluate on items.

The API the provider uses, one ``ExpressionContext`` per request::

    ctx = ExpressionContext(request.get("ExpressionAttributeNames"),
                            request.get("ExpressionAttributeValues"))
    condition = parse_condition(text, ctx)                # ConditionExpression
    filter_ = parse_condition(text, ctx, ExpressionKind.FILTER)
    key = parse_key_condition(text, ctx, "pk", "sk")      # -> KeyCondition
    projection = parse_projection(text, ctx)
    update = parse_update(text, ctx)
    ctx.check_unused(("ConditionExpression",))            # once, after all the parses

    condition.evaluate(item) -> bool
    projection.apply(item) -> item
    update.apply(item) -> UpdateResult(new_item, updated_old, updated_new, updated_names)
    key.partition_name, key.partition_value, key.sort (SortCondition(name, op, values))

Items and values are in wire form (``{"S": "x"}``, ``{"N": "1.5"}``, ...). Every error
is a ``ValidationException`` (``errors.py``) with AWS's message. Parses of the text alone
(the raw trees) can be kept in a ``ParseCache`` the provider owns and passes in; binding
to a request's names and values is a cheap walk done per request.

Modules: ``lexer`` (tokens), ``parser`` and ``update_parser`` (grammars, raw trees in
``ast``), ``bind`` (names, values and AWS's semantic checks), ``evaluate`` (conditions
compiled to closures), ``key_condition``, ``projection``, ``update`` (application),
``paths``, ``values``, ``names`` (the context), ``reserved``, ``errors``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from .ast import Condition as ConditionTree
from .ast import Path, ProjectionTree, UpdateTree
from .bind import Binder, bind_condition
from .errors import ExpressionKind, ValidationException
from .evaluate import compile_condition
from .key_condition import KeyCondition, SortCondition, key_condition
from .names import ExpressionContext
from .parser import parse_condition_tree, parse_projection_tree
from .paths import check_distinct_paths
from .projection import project
from .update import UpdateResult, apply_update
from .update_parser import bind_update, parse_update_tree
from .values import AttributeValue, Item

T = TypeVar("T")


class ParseCache:
    """A bounded cache of raw parse trees, keyed by expression kind and text."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._trees: OrderedDict[tuple[str, str], object] = OrderedDict()

    def get(self, kind: ExpressionKind, text: str, parse: Callable[[], T]) -> T:
        key = (kind.value, text)
        if key in self._trees:
            self._trees.move_to_end(key)
            return self._trees[key]  # type: ignore[return-value]
        tree = parse()
        self._trees[key] = tree
        if len(self._trees) > self.size:
            self._trees.popitem(last=False)
        return tree


def _parse(cache: ParseCache | None, kind: ExpressionKind, text: str, parse: Callable[[], T]) -> T:
    return parse() if cache is None else cache.get(kind, text, parse)


@dataclass(frozen=True)
class Condition:
    """A condition or filter expression bound to its request."""

    tree: ConditionTree
    predicate: Callable[[Item], bool] = field(compare=False, repr=False)

    def evaluate(self, item: Item | None) -> bool:
        """Whether the item (None or {} when there is none) satisfies the condition."""
        return self.predicate(item or {})


@dataclass(frozen=True)
class Projection:
    tree: ProjectionTree

    @property
    def paths(self) -> tuple[Path, ...]:
        return self.tree.paths

    def apply(self, item: Item) -> Item:
        """The projected item (nesting kept, missing paths skipped)."""
        return project(item, (p.elements for p in self.tree.paths))


@dataclass(frozen=True)
class Update:
    tree: UpdateTree
    values: Mapping[str, AttributeValue] = field(compare=False, repr=False)

    @property
    def top_level_names(self) -> frozenset[str]:
        """The attributes the update touches (to refuse updates of key attributes)."""
        return frozenset(str(a.path.elements[0]) for a in self.tree.actions)

    def apply(self, item: Item | None) -> UpdateResult:
        """The item after the update (``item`` is not modified)."""
        return apply_update(self.tree, self.values, item or {})


def parse_condition(
    text: str,
    ctx: ExpressionContext,
    kind: ExpressionKind = ExpressionKind.CONDITION,
    cache: ParseCache | None = None,
) -> Condition:
    """Parse a ConditionExpression (or, with kind FILTER, a FilterExpression)."""
    raw = _parse(cache, kind, text, lambda: parse_condition_tree(text, kind))
    ctx.mark_parsed(takes_values=True)
    tree = bind_condition(raw, ctx, kind)
    return Condition(tree, compile_condition(tree, ctx.values or {}))


def parse_key_condition(
    text: str,
    ctx: ExpressionContext,
    hash_key: str,
    range_key: str | None = None,
    cache: ParseCache | None = None,
) -> KeyCondition:
    """Parse a KeyConditionExpression for a table or index with these key attributes."""
    kind = ExpressionKind.KEY_CONDITION
    raw = _parse(cache, kind, text, lambda: parse_condition_tree(text, kind))
    ctx.mark_parsed(takes_values=True)
    tree = bind_condition(raw, ctx, kind)
    return key_condition(tree, ctx.values or {}, hash_key, range_key)


def parse_projection(
    text: str, ctx: ExpressionContext, cache: ParseCache | None = None
) -> Projection:
    """Parse a ProjectionExpression."""
    kind = ExpressionKind.PROJECTION
    raw = _parse(cache, kind, text, lambda: parse_projection_tree(text))
    ctx.mark_parsed(takes_values=False)
    binder = Binder(ctx, kind)
    paths = tuple(binder.path(p) for p in raw.paths)
    binder.raise_first()
    check_distinct_paths((p.elements for p in paths), kind)
    return Projection(ProjectionTree(paths))


def parse_update(text: str, ctx: ExpressionContext, cache: ParseCache | None = None) -> Update:
    """Parse an UpdateExpression."""
    raw = _parse(cache, ExpressionKind.UPDATE, text, lambda: parse_update_tree(text))
    ctx.mark_parsed(takes_values=True)
    return Update(bind_update(raw, ctx), ctx.values or {})


__all__ = [
    "Condition",
    "ExpressionContext",
    "ExpressionKind",
    "KeyCondition",
    "ParseCache",
    "Projection",
    "SortCondition",
    "Update",
    "UpdateResult",
    "ValidationException",
    "parse_condition",
    "parse_key_condition",
    "parse_projection",
    "parse_update",
]
