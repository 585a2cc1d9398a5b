"""Key condition expressions: a resolved condition checked for the shape Query accepts.

A key condition is ``pk = :v``, optionally ``AND`` one condition on the sort key (``=``,
``<``, ``<=``, ``>``, ``>=``, ``BETWEEN``, ``begins_with``). Anything else gets the error
AWS gives for it; the checks follow the order DynamoDB applies them (as recorded by
dynalite's tests against DynamoDB).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .ast import And, Between, Call, Compare, Condition, In, Not, Operand, Or, Path, Value
from .errors import ValidationException
from .evaluate import compile_condition
from .values import AttributeValue, Item

_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NOT_KEY_FUNCTIONS = frozenset(
    {"attribute_exists", "attribute_not_exists", "attribute_type", "contains"}
)


@dataclass(frozen=True)
class SortCondition:
    """The condition on the sort key: op is = < <= > >= BETWEEN or BEGINS_WITH."""

    name: str
    op: str
    values: tuple[AttributeValue, ...]


@dataclass(frozen=True)
class KeyCondition:
    partition_name: str
    partition_value: AttributeValue
    sort: SortCondition | None
    predicate: Callable[[Item], bool] = field(compare=False, repr=False)

    def matches(self, item: Item) -> bool:
        """Whether an item satisfies the whole key condition."""
        return self.predicate(item)


@dataclass(frozen=True)
class _Part:
    name: str
    op: str
    operands: tuple[Operand, ...]


def key_condition(
    node: Condition,
    values: Mapping[str, AttributeValue],
    hash_key: str,
    range_key: str | None,
) -> KeyCondition:
    """The KeyCondition of a resolved tree, for a table or index with these keys."""
    parts: dict[str, _Part] = {}
    _collect(node, parts)
    if len(parts) > 2:
        raise ValidationException("Conditions can be of length 1 or 2 only")
    partition = _check_schema(parts, hash_key, range_key)
    sort = parts.get(range_key) if range_key is not None else None
    return KeyCondition(
        partition_name=hash_key,
        partition_value=_value(partition.operands[0], values),
        sort=None if sort is None else _sort(sort, values),
        predicate=compile_condition(node, values),
    )


def _collect(node: Condition, parts: dict[str, _Part]) -> None:
    if isinstance(node, And):
        _collect(node.left, parts)
        _collect(node.right, parts)
        return
    if isinstance(node, Or | Not | In):
        word = {Or: "OR", Not: "NOT", In: "IN"}[type(node)]
        raise _bad_operator(word)
    if isinstance(node, Compare) and node.op == "<>":
        raise _bad_operator("<>")
    if isinstance(node, Call) and node.name in _NOT_KEY_FUNCTIONS:
        raise _bad_operator(node.name)
    part = _part(node)
    if part.name in parts:
        raise ValidationException("KeyConditionExpressions must only contain one condition per key")
    parts[part.name] = part


def _bad_operator(word: str) -> ValidationException:
    return ValidationException(f"Invalid operator used in KeyConditionExpression: {word}")


def _part(node: Compare | Between | Call) -> _Part:
    if isinstance(node, Compare):
        operands: tuple[Operand, ...] = (node.left, node.right)
        op = node.op
    elif isinstance(node, Between):
        operands, op = (node.operand, node.low, node.high), "BETWEEN"
    else:
        operands, op = node.args, "BEGINS_WITH"
    if op in ("BETWEEN", "BEGINS_WITH") and not isinstance(operands[0], Path):
        word = "BETWEEN" if op == "BETWEEN" else "begins_with"
        raise ValidationException(
            f"Invalid condition in KeyConditionExpression: {word} operator must have the key "
            "attribute as its first operand"
        )
    index = _key_operand(operands)
    if index == 1:
        operands, op = (operands[1], operands[0]), _FLIPPED[op]
    key = operands[0]
    assert isinstance(key, Path)
    return _Part(str(key.elements[0]), op, operands[1:])


def _key_operand(operands: tuple[Operand, ...]) -> int:
    """Which operand is the key attribute, with AWS's errors for the other shapes."""
    found = -1
    for index, operand in enumerate(operands):
        if isinstance(operand, Path):
            if found >= 0:
                raise ValidationException(
                    "Invalid condition in KeyConditionExpression: Multiple attribute names used "
                    "in one condition"
                )
            if len(operand.elements) > 1:
                raise ValidationException(
                    "KeyConditionExpressions cannot have conditions on nested attributes"
                )
            found = index
        elif not isinstance(operand, Value):
            raise ValidationException("KeyConditionExpressions cannot contain nested operations")
    if found < 0:
        raise ValidationException(
            "Invalid condition in KeyConditionExpression: No key attribute specified"
        )
    return found


def _check_schema(parts: dict[str, _Part], hash_key: str, range_key: str | None) -> _Part:
    partition = parts.get(hash_key)
    if partition is None:
        raise ValidationException(f"Query condition missed key schema element: {hash_key}")
    if partition.op != "=":
        raise ValidationException("Query key condition not supported")
    for name in parts:
        if name not in (hash_key, range_key):
            if range_key is not None and range_key not in parts:
                raise ValidationException(f"Query condition missed key schema element: {range_key}")
            raise ValidationException("Query key condition not supported")
    return partition


def _value(operand: Operand, values: Mapping[str, AttributeValue]) -> AttributeValue:
    assert isinstance(operand, Value)
    return values[operand.name]


def _sort(part: _Part, values: Mapping[str, AttributeValue]) -> SortCondition:
    return SortCondition(part.name, part.op, tuple(_value(o, values) for o in part.operands))
