"""The boolean expressions of structured filter patterns, and how they are evaluated.

JSON patterns (``{ $.level = "ERROR" && $.latency > 100 }``) and space-delimited patterns
(``[ip, ..., status = 5*]``) share these nodes: a ``Compare`` or ``Check`` reads a value by
its path through a resolver (a JSON selector, or a named field) and ``And``/``Or`` combine
them. A path that resolves to nothing yields ``MISSING``, which no comparison matches.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

Path = tuple[str | int, ...]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
Resolver = Callable[[Path], object]


class ValueKind(StrEnum):
    STRING = "string"  # compared as text; '*' matches any run of characters
    NUMBER = "number"  # compared as a number
    REGEX = "regex"  # %...%: searched in the text


class CheckKind(StrEnum):
    IS_NULL = "IS NULL"
    IS_TRUE = "IS TRUE"
    IS_FALSE = "IS FALSE"
    EXISTS = "EXISTS"
    NOT_EXISTS = "NOT EXISTS"


ORDERING = frozenset({"<", "<=", ">", ">="})
OPERATORS = ORDERING | {"=", "!="}


def glob_regex(text: str) -> re.Pattern[str]:
    """A whole-text regex for ``text`` where ``*`` matches any run of characters."""
    return re.compile(".*".join(re.escape(part) for part in text.split("*")), re.DOTALL)


@dataclass(frozen=True, slots=True)
class Value:
    """The right-hand side of a comparison."""

    text: str
    kind: ValueKind

    @property
    def number(self) -> float:
        return float(self.text)

    def regex(self) -> re.Pattern[str]:
        if self.kind is ValueKind.REGEX:
            return re.compile(self.text)
        return glob_regex(self.text)


def as_number(value: object) -> float | None:
    """A JSON or text value as a number, or None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def as_text(value: object) -> str:
    """A JSON or text value as the text a string comparison sees."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _order(left: float, op: str, right: float) -> bool:
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


@dataclass(frozen=True, slots=True)
class Compare:
    path: Path
    op: str
    value: Value
    _regex: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compiled once per pattern, not per event.
        object.__setattr__(self, "_regex", None if self.value.kind is ValueKind.NUMBER
                           else self.value.regex())

    def evaluate(self, resolve: Resolver) -> bool:
        actual = resolve(self.path)
        if actual is MISSING:
            return False
        if self.op in ORDERING:
            number = as_number(actual)
            return number is not None and _order(number, self.op, self.value.number)
        equal = self._equal(actual)
        return equal if self.op == "=" else not equal

    def _equal(self, actual: object) -> bool:
        if self.value.kind is ValueKind.NUMBER:
            return as_number(actual) == self.value.number
        assert self._regex is not None
        if actual is None:
            return False  # null is tested with IS NULL, never equal to a string
        text = as_text(actual)
        if self.value.kind is ValueKind.REGEX:
            return self._regex.search(text) is not None
        return self._regex.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class Check:
    path: Path
    kind: CheckKind

    def evaluate(self, resolve: Resolver) -> bool:
        actual = resolve(self.path)
        if self.kind is CheckKind.EXISTS:
            return actual is not MISSING
        if self.kind is CheckKind.NOT_EXISTS:
            return actual is MISSING
        if self.kind is CheckKind.IS_NULL:
            return actual is None
        return actual is (self.kind is CheckKind.IS_TRUE)


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Expr, ...]

    def evaluate(self, resolve: Resolver) -> bool:
        return all(item.evaluate(resolve) for item in self.items)


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Expr, ...]

    def evaluate(self, resolve: Resolver) -> bool:
        return any(item.evaluate(resolve) for item in self.items)


Expr = Compare | Check | And | Or


def json_resolver(document: object) -> Resolver:
    """Resolve selector paths (``("a", 0, "b")`` for ``$.a[0].b``) in a parsed document."""

    def resolve(path: Path) -> object:
        node = document
        for step in path:
            if isinstance(step, int):
                if not isinstance(node, list) or not -len(node) <= step < len(node):
                    return MISSING
                node = node[step]
            elif isinstance(node, dict) and step in node:
                node = node[step]
            else:
                return MISSING
        return node

    return resolve


def expression_paths(expr: Expr) -> list[Path]:
    """Every path an expression reads (to check that delimited fields are named)."""
    if isinstance(expr, And | Or):
        return [path for item in expr.items for path in expression_paths(item)]
    return [expr.path]
