"""EventBridge's event-pattern language: a pattern compiled once, then matched against
many events.

A pattern is a JSON object shaped like the events it selects. A key whose value is an
object descends into the event; a key whose value is an array is a *leaf*: the event's
value there matches if it equals any exact value in the array (strings, numbers, null,
booleans) or satisfies any content filter in it (``prefix``, ``suffix``,
``anything-but``, ``numeric``, ``exists``, ``cidr``, ``equals-ignore-case``,
``wildcard``). An event value that is an array matches when any of its elements does. A
``"$or": [pattern, ...]`` member makes its object match when any alternative (with the
object's other members) does.

The semantics follow AWS's event-ruler, which flattens an event into leaf paths: a key
whose value is an object has no leaf value of its own (``exists`` works on leaves only),
and a key below an absent or non-object parent is simply absent. SNS's filter policies
build on the same matchers.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Test = Callable[[Any], bool]  # whether one leaf value of the event matches

_PREFIX = "Event pattern is not valid. Reason: "


class PatternError(ValueError):
    """An invalid pattern; ``message`` is AWS's InvalidEventPatternException message."""

    def __init__(self, reason: str) -> None:
        super().__init__(_PREFIX + reason)
        self.message = _PREFIX + reason


@dataclass(frozen=True, slots=True)
class _Leaf:
    tests: tuple[Test, ...]
    exists: bool  # an {"exists": true} in the array: any value matches
    absent: bool  # an {"exists": false} in the array: no value matches

    def matches(self, values: list[Any]) -> bool:
        if not values:
            return self.absent
        if self.exists:
            return True
        return any(test(value) for value in values for test in self.tests)


@dataclass(frozen=True, slots=True)
class _Node:
    leaves: tuple[tuple[str, _Leaf], ...]
    children: tuple[tuple[str, _Node], ...]
    alternatives: tuple[_Node, ...]  # $or: one of them must match as well

    def matches(self, obj: Mapping[str, Any]) -> bool:
        for key, leaf in self.leaves:
            if not leaf.matches(_leaf_values(obj.get(key, _MISSING))):
                return False
        for key, child in self.children:
            if not any(child.matches(sub) for sub in _objects(obj.get(key, _MISSING))):
                return False
        return not self.alternatives or any(alt.matches(obj) for alt in self.alternatives)


class Pattern:
    """A compiled event pattern."""

    __slots__ = ("_root", "source")

    def __init__(self, root: _Node, source: Mapping[str, Any]) -> None:
        self._root = root
        self.source = source  # the pattern as parsed

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether ``event`` (a parsed JSON object) matches this pattern."""
        return self._root.matches(event)


def compile_pattern(pattern: str | Mapping[str, Any]) -> Pattern:
    """Compile a pattern (JSON text or parsed); raises ``PatternError`` if invalid."""
    if isinstance(pattern, str):
        try:
            parsed = json.loads(pattern, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise PatternError(str(exc)) from None
    else:
        parsed = pattern
    if not isinstance(parsed, Mapping):
        raise PatternError("Filter is not an object")
    return Pattern(_node(parsed), parsed)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Unrecognized token '{name}'")


# -- the event side ---------------------------------------------------------------------

_MISSING = object()


def _leaf_values(value: Any) -> list[Any]:
    """The leaf values at a key: none if absent or an object, the (flattened) elements of
    an array, else the value itself."""
    if value is _MISSING or isinstance(value, Mapping):
        return []
    if isinstance(value, list):
        return list(_flatten(value))
    return [value]


def _flatten(values: Sequence[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, list):
            yield from _flatten(value)
        elif not isinstance(value, Mapping):
            yield value


def _objects(value: Any) -> list[Mapping[str, Any]]:
    """The objects a nested pattern is matched against: the value if it is one, the
    objects of an array, or an empty object (so ``exists: false`` below still holds)."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        found = [v for v in _flatten_objects(value)]
        return found or [{}]
    return [{}]


def _flatten_objects(values: Sequence[Any]) -> Iterator[Mapping[str, Any]]:
    for value in values:
        if isinstance(value, list):
            yield from _flatten_objects(value)
        elif isinstance(value, Mapping):
            yield value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- compiling --------------------------------------------------------------------------


def _node(pattern: Mapping[str, Any]) -> _Node:
    if not pattern:
        raise PatternError("Empty objects are not allowed")
    leaves: list[tuple[str, _Leaf]] = []
    children: list[tuple[str, _Node]] = []
    alternatives: tuple[_Node, ...] = ()
    for key, value in pattern.items():
        if not isinstance(key, str):
            raise PatternError("Filter is not an object")
        if key == "$or":
            alternatives = _alternatives(value)
        elif isinstance(value, Mapping):
            children.append((key, _node(value)))
        elif isinstance(value, list):
            leaves.append((key, _leaf(value)))
        else:
            raise PatternError(f'"{key}" must be an object or an array')
    return _Node(tuple(leaves), tuple(children), alternatives)


def _alternatives(values: Any) -> tuple[_Node, ...]:
    if not isinstance(values, list):
        raise PatternError("It must be an Array followed with $or.")
    if not all(isinstance(v, Mapping) for v in values):
        raise PatternError("Only JSON object is allowed in array of $or relationship.")
    if len(values) < 2:
        raise PatternError("There must have at least 2 Objects in $or relationship.")
    return tuple(_node(v) for v in values)


def _leaf(values: list[Any]) -> _Leaf:
    if not values:
        raise PatternError("Empty arrays are not allowed")
    tests: list[Test] = []
    exists = absent = False
    for value in values:
        if isinstance(value, Mapping):
            if len(value) != 1:
                raise PatternError("Only one key allowed in match expression")
            (kind, argument), = value.items()
            if kind == "exists":
                if not isinstance(argument, bool):
                    raise PatternError("exists match pattern must be either true or false.")
                exists, absent = exists or argument, absent or not argument
                continue
            tests.append(_filter(kind, argument))
        elif isinstance(value, list):
            raise PatternError("Match value must be String, number, true, false, or null")
        else:
            tests.append(_exact(value))
    return _Leaf(tuple(tests), exists, absent)


def _exact(expected: Any) -> Test:
    if expected is None:
        return lambda v: v is None
    if isinstance(expected, bool):
        return lambda v: isinstance(v, bool) and v is expected
    if _is_number(expected):
        return lambda v: _is_number(v) and v == expected
    if isinstance(expected, str):
        return lambda v: isinstance(v, str) and v == expected
    raise PatternError("Match value must be String, number, true, false, or null")


def _filter(kind: str, argument: Any) -> Test:
    builder = _FILTERS.get(kind)
    if builder is None:
        raise PatternError(f"Unrecognized match type {kind}")
    return builder(argument)


def _string_or_ignore_case(kind: str, argument: Any) -> tuple[str, bool]:
    """A ``prefix``/``suffix`` argument: a string, or ``{"equals-ignore-case": str}``."""
    if isinstance(argument, str):
        return argument, False
    if (isinstance(argument, Mapping) and list(argument) == ["equals-ignore-case"]
            and isinstance(argument["equals-ignore-case"], str)):
        return argument["equals-ignore-case"], True
    raise PatternError(f"{kind} match pattern must be a string")


def _prefix(argument: Any) -> Test:
    text, fold = _string_or_ignore_case("prefix", argument)
    if fold:
        low = text.lower()
        return lambda v: isinstance(v, str) and v.lower().startswith(low)
    return lambda v: isinstance(v, str) and v.startswith(text)


def _suffix(argument: Any) -> Test:
    text, fold = _string_or_ignore_case("suffix", argument)
    if fold:
        low = text.lower()
        return lambda v: isinstance(v, str) and v.lower().endswith(low)
    return lambda v: isinstance(v, str) and v.endswith(text)


def _equals_ignore_case(argument: Any) -> Test:
    if not isinstance(argument, str):
        raise PatternError("equals-ignore-case match pattern must be a string")
    low = argument.lower()
    return lambda v: isinstance(v, str) and v.lower() == low


def _wildcard(argument: Any) -> Test:
    if not isinstance(argument, str):
        raise PatternError("wildcard match pattern must be a string")
    regex = wildcard_regex(argument)
    return lambda v: isinstance(v, str) and regex.fullmatch(v) is not None


def wildcard_regex(text: str) -> re.Pattern[str]:
    """A ``wildcard`` value as a regular expression: ``*`` matches any run of characters,
    ``\\*`` a literal star, ``\\\\`` a literal backslash; two ``*`` in a row are refused."""
    parts: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text) or text[i + 1] not in "*\\":
                raise PatternError(f"Invalid escape character at pos {i}")
            parts.append(re.escape(text[i + 1]))
            i += 2
            continue
        if char == "*":
            if i + 1 < len(text) and text[i + 1] == "*":
                raise PatternError(f"Consecutive wildcard characters at pos {i + 1}")
            parts.append(".*")
        else:
            parts.append(re.escape(char))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def _cidr(argument: Any) -> Test:
    if not isinstance(argument, str):
        raise PatternError("cidr match pattern must be a string")
    try:
        network = ipaddress.ip_network(argument.strip(), strict=False)
    except ValueError:
        raise PatternError(f"Nonsensical CIDR IP: {argument}") from None

    def test(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False
    return test


_OPERATORS: Mapping[str, Callable[[float, float], bool]] = {
    "<": lambda v, b: v < b, "<=": lambda v, b: v <= b, "=": lambda v, b: v == b,
    ">": lambda v, b: v > b, ">=": lambda v, b: v >= b,
}


def _numeric(argument: Any) -> Test:
    """``[op, n]`` (``=``, ``<``, ``<=``, ``>``, ``>=``) or a range ``[>|>=, low, <|<=,
    high]``, lower bound first, as event-ruler reads it."""
    if not isinstance(argument, list):
        raise PatternError("Value of numeric must be an array.")
    if not argument or not isinstance(argument[0], str):
        raise PatternError(f"Invalid member in numeric match: {_text(argument[:1])}")
    op = argument[0]
    if op not in _OPERATORS:
        raise PatternError(f"Unrecognized numeric range operator: {op}")
    if len(argument) < 2 or not _is_number(argument[1]):
        raise PatternError(f"Value of {'equals' if op == '=' else op} must be numeric")
    checks = [(_OPERATORS[op], float(argument[1]))]
    if len(argument) > 2:
        if op not in (">", ">="):
            raise PatternError("Too many elements in numeric expression")
        top_op = argument[2]
        if not isinstance(top_op, str):
            raise PatternError(f"Bad value in numeric range: {_text(top_op)}")
        if top_op not in ("<", "<="):
            raise PatternError(f"Bad numeric range operator: {top_op}")
        if len(argument) < 4 or not _is_number(argument[3]):
            raise PatternError(f"Value of {top_op} must be numeric")
        if len(argument) > 4:
            raise PatternError("Too many terms in numeric range expression")
        if float(argument[3]) <= checks[0][1]:
            raise PatternError("Bottom must be less than top")
        checks.append((_OPERATORS[top_op], float(argument[3])))
    frozen = tuple(checks)
    return lambda v: _is_number(v) and all(check(v, bound) for check, bound in frozen)


def _text(value: Any) -> str:
    return json.dumps(value[0] if isinstance(value, list) and value else value)


def _anything_but(argument: Any) -> Test:
    if isinstance(argument, Mapping):
        return _anything_but_filter(argument)
    if not isinstance(argument, list | str) and not _is_number(argument):
        raise PatternError("Value of anything-but must be an array or single string/number "
                           "value.")
    values = argument if isinstance(argument, list) else [argument]
    for value in values:
        if not isinstance(value, str) and not _is_number(value):
            raise PatternError("Inside anything but list, start|null|boolean is not "
                               "supported.")
    strings = frozenset(v for v in values if isinstance(v, str))
    numbers = frozenset(float(v) for v in values if _is_number(v))
    if bool(strings) == bool(numbers):
        raise PatternError("Inside anything but list, either all values are number or "
                           "string, mixed type is not supported")
    if numbers:  # a numeric anything-but takes numbers only
        return lambda v: _is_number(v) and float(v) not in numbers
    return lambda v: not isinstance(v, str) or v not in strings


def _anything_but_filter(argument: Mapping[str, Any]) -> Test:
    if len(argument) != 1:
        raise PatternError("Only one key allowed in match expression")
    (kind, inner), = argument.items()
    excluded: list[Test]
    if kind in ("prefix", "suffix"):
        if not isinstance(inner, str):
            raise PatternError("prefix/suffix match pattern must be a string")
        if not inner:
            raise PatternError("Null prefix/suffix not allowed")
        excluded = [_prefix(inner) if kind == "prefix" else _suffix(inner)]
    elif kind in ("equals-ignore-case", "wildcard"):
        values = inner if isinstance(inner, list) else [inner]
        if not values or not all(isinstance(v, str) for v in values):
            raise PatternError(f"Inside anything-but/{kind} list, number|start|null|boolean "
                               "is not supported.")
        build = _equals_ignore_case if kind == "equals-ignore-case" else _wildcard
        excluded = [build(v) for v in values]
    else:
        raise PatternError(f"Unsupported anything-but pattern: {kind}")
    frozen = tuple(excluded)

    def test(value: Any) -> bool:
        # only strings can be what is excluded; any other value is "anything but" it
        return not isinstance(value, str) or not any(exclude(value) for exclude in frozen)
    return test


_FILTERS: Mapping[str, Callable[[Any], Test]] = {
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": _equals_ignore_case,
    "wildcard": _wildcard,
    "cidr": _cidr,
    "numeric": _numeric,
    "anything-but": _anything_but,
}
