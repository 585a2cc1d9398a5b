"""The legacy (pre-expression) parameters, evaluated directly on items in wire form.

``Expected`` (with ``ConditionalOperator``), ``QueryFilter`` and ``ScanFilter`` become
predicates; ``KeyConditions`` the store's key range; ``AttributeUpdates`` a function from
the old item to the new one; ``AttributesToGet`` a list of top-level names. Semantics are
DynamoDB's comparison operators: a missing attribute satisfies only NE, NULL and
NOT_CONTAINS; ordering operators compare S, N and B values of the same type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.expressions.values import (
    SET_TYPES,
    as_bytes,
    equal,
    set_members,
    sort_key,
    type_of,
)
from nubes.services.dynamodb.item_requests import Predicate
from nubes.services.dynamodb.types import (
    INVALID,
    AttributeValue,
    Item,
    add_numbers,
    validate_value,
)

ARGUMENTS = {"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0,
             "CONTAINS": 1, "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "BETWEEN": 2}
ORDER_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "LT": lambda a, b: bool(a < b), "LE": lambda a, b: bool(a <= b),
    "GT": lambda a, b: bool(a > b), "GE": lambda a, b: bool(a >= b)}


def refuse_mix(params: Mapping[str, Any], legacy: Sequence[str], modern: Sequence[str]) -> None:
    """AWS's error when a request mixes legacy and expression parameters."""
    old = [name for name in legacy if name in params]
    new = [name for name in modern if name in params]
    if old and new:
        raise exc.ValidationException(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(old)}}} Expression parameters: "
            f"{{{', '.join(new)}}}")


# -- conditions ----------------------------------------------------------------------------


def _arguments(name: str, spec: Mapping[str, Any]) -> tuple[str, list[AttributeValue]]:
    op = spec.get("ComparisonOperator")
    values = [validate_value(v) for v in spec.get("AttributeValueList") or ()]
    if op == "IN":
        if not values:
            raise _count(op)
        return op, values
    if op not in ARGUMENTS:
        raise exc.ValidationException(
            f"1 validation error detected: Value '{op}' at 'comparisonOperator' failed to "
            "satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, "
            "NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]")
    if len(values) != ARGUMENTS[op]:
        raise _count(op)
    return op, values


def _count(op: str) -> exc.ValidationException:
    return exc.ValidationException(
        f"{INVALID}Invalid number of argument(s) for the {op} ComparisonOperator")


def compare(op: str, value: AttributeValue | None, args: list[AttributeValue]) -> bool:
    """A legacy ComparisonOperator applied to an attribute's value (None: missing)."""
    if op == "NULL":
        return value is None
    if op == "NOT_NULL":
        return value is not None
    if op == "NE":
        return value is None or not equal(value, args[0])
    if op == "NOT_CONTAINS":
        return value is None or not _contains(value, args[0])
    if value is None:
        return False
    if op == "EQ":
        return equal(value, args[0])
    if op == "IN":
        return any(equal(value, arg) for arg in args)
    if op == "CONTAINS":
        return _contains(value, args[0])
    if op == "BEGINS_WITH":
        return _begins_with(value, args[0])
    keys = [sort_key(v) for v in (value, *args)]
    if any(k is None for k in keys) or len({k[0] for k in keys if k}) != 1:
        return False
    own, *bounds = (k[1] for k in keys if k)
    if op == "BETWEEN":
        return bool(bounds[0] <= own <= bounds[1])
    return ORDER_TESTS[op](own, bounds[0])


def _contains(value: AttributeValue, member: AttributeValue) -> bool:
    kind, member_kind = type_of(value), type_of(member)
    if kind == "S" and member_kind == "S":
        return bool(member["S"] in value["S"])
    if kind == "B" and member_kind == "B":
        return as_bytes(member["B"]) in as_bytes(value["B"])
    if kind in SET_TYPES and member_kind == kind[0]:
        probe = set_members(kind, [member[member_kind]])
        return probe <= set_members(kind, value[kind])
    if kind == "L":
        return any(equal(element, member) for element in value["L"])
    return False


def _begins_with(value: AttributeValue, prefix: AttributeValue) -> bool:
    kind = type_of(value)
    if kind != type_of(prefix):
        return False
    if kind == "S":
        return bool(value["S"].startswith(prefix["S"]))
    if kind == "B":
        return as_bytes(value["B"]).startswith(as_bytes(prefix["B"]))
    return False


def _expected_one(name: str, spec: Mapping[str, Any]) -> Callable[[Item], bool]:
    if "ComparisonOperator" in spec:
        if "Value" in spec or "Exists" in spec:
            raise exc.ValidationException(
                f"{INVALID}Value or Exists cannot be used with ComparisonOperator for "
                f"Attribute: {name}")
        op, args = _arguments(name, spec)
        return lambda item: compare(op, item.get(name), args)
    exists = spec.get("Exists", True)
    if "Value" in spec:
        if not exists:
            raise exc.ValidationException(
                f"{INVALID}Value cannot be used when Exists is false for Attribute: {name}")
        value = validate_value(spec["Value"])
        return lambda item: compare("EQ", item.get(name), [value])
    if exists:
        state = "true" if "Exists" in spec else "null"
        raise exc.ValidationException(
            f"{INVALID}Value must be provided when Exists is {state} for Attribute: {name}")
    return lambda item: name not in item


def conditions(spec: Mapping[str, Mapping[str, Any]] | None, operator: str | None,
               *, expected: bool = False) -> Predicate | None:
    """Expected (``expected=True``), QueryFilter or ScanFilter as a predicate."""
    if not spec:
        if operator is not None:
            raise exc.ValidationException(
                f"{INVALID}ConditionalOperator can only be used when Filter or Expected has "
                "two or more elements")
        return None
    if expected:
        tests = [_expected_one(name, one) for name, one in spec.items()]
    else:
        tests = [_filter_one(name, one) for name, one in spec.items()]
    if operator is not None and len(tests) < 2:
        raise exc.ValidationException(
            f"{INVALID}ConditionalOperator can only be used when Filter or Expected has two "
            "or more elements")
    combine = any if operator == "OR" else all
    return lambda item: combine(test(item or {}) for test in tests)


def _filter_one(name: str, spec: Mapping[str, Any]) -> Callable[[Item], bool]:
    op, args = _arguments(name, spec)
    return lambda item: compare(op, item.get(name), args)


# -- key conditions ------------------------------------------------------------------------

KEY_OPS = frozenset({"EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN"})


def key_conditions(spec: Mapping[str, Mapping[str, Any]], hash_key: str,
                   range_key: str | None) -> tuple[AttributeValue, tuple[str, list[Any]] | None]:
    """(partition value, (sort op, values) or None) of a legacy KeyConditions."""
    parsed = {name: _arguments(name, one) for name, one in spec.items()}
    if len(parsed) > 2:
        raise exc.ValidationException("Conditions can be of length 1 or 2 only")
    if hash_key not in parsed:
        raise exc.ValidationException(f"Query condition missed key schema element: {hash_key}")
    for name, (op, _values) in parsed.items():
        if name not in (hash_key, range_key):
            raise exc.ValidationException("Query condition missed key schema element: "
                                          f"{range_key}" if range_key else
                                          "Query key condition not supported")
        if (name == hash_key and op != "EQ") or op not in KEY_OPS:
            raise exc.ValidationException(
                "Attempted conditional constraint is not an indexable operation")
    op, values = parsed[hash_key]
    sort = parsed.get(range_key) if range_key is not None else None
    return values[0], sort


# -- AttributeUpdates ----------------------------------------------------------------------


def attribute_updates(spec: Mapping[str, Mapping[str, Any]], key_names: Sequence[str]
                      ) -> Callable[[Item], Item]:
    """AttributeUpdates as a function from the old item (or the key) to the new one."""
    actions: list[tuple[str, str, AttributeValue | None]] = []
    for name, one in spec.items():
        if name in key_names:
            raise exc.ValidationException(
                f"{INVALID}Cannot update attribute {name}. This attribute is part of the key")
        action = one.get("Action") or "PUT"
        value = validate_value(one["Value"]) if one.get("Value") is not None else None
        if value is None and action != "DELETE":
            raise exc.ValidationException(
                f"{INVALID}Only DELETE action is allowed when no attribute value is specified")
        if action == "DELETE" and value is not None and type_of(value) not in SET_TYPES:
            raise exc.ValidationException(
                f"{INVALID}DELETE action with value is not supported for the type "
                f"{type_of(value)}")
        actions.append((name, action, value))

    def apply(item: Item) -> Item:
        new = dict(item)
        for name, action, value in actions:
            _apply_one(new, name, action, value)
        return new

    return apply


def _apply_one(item: Item, name: str, action: str, value: AttributeValue | None) -> None:
    current = item.get(name)
    if action == "PUT":
        assert value is not None
        item[name] = value
    elif value is None:
        item.pop(name, None)
    elif action == "DELETE":
        if current is None:
            return
        kind = type_of(value)
        if type_of(current) != kind:
            raise exc.ValidationException("Type mismatch for attribute to update")
        gone = set_members(kind, value[kind])
        kept = [m for m in current[kind] if not set_members(kind, [m]) <= gone]
        if kept:
            item[name] = {kind: kept}
        else:
            item.pop(name)
    else:
        item[name] = _add(current, value)


def _add(current: AttributeValue | None, value: AttributeValue) -> AttributeValue:
    kind = type_of(value)
    if kind not in ("N", "L", *SET_TYPES):
        raise exc.ValidationException(
            f"{INVALID}ADD action is not supported for the type {kind}")
    if current is None:
        return value
    if type_of(current) != kind:
        raise exc.ValidationException("Type mismatch for attribute to update")
    if kind == "N":
        return {"N": add_numbers(current["N"], value["N"])}
    if kind == "L":
        return {"L": [*current["L"], *value["L"]]}
    present = set_members(kind, current[kind])
    added = [m for m in value[kind] if not set_members(kind, [m]) <= present]
    return {kind: [*current[kind], *added]}

