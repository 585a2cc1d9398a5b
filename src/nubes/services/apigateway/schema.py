"""A JSON Schema (draft 4) checker for request validators' body models: ``type``,
``enum``, ``required``, ``properties``, ``additionalProperties``, ``patternProperties``
is not read; ``items`` (one schema), ``minItems``/``maxItems``/``uniqueItems``,
``minLength``/``maxLength``/``pattern``, ``minimum``/``maximum`` (with draft 4's
boolean ``exclusiveMinimum``/``exclusiveMaximum``), ``multipleOf``, ``allOf``,
``anyOf``, ``oneOf``, ``not``, and ``$ref`` to ``#/definitions/...`` within the model.
A ``$ref`` elsewhere (another model) is not followed: it accepts anything."""

from __future__ import annotations

import re
from typing import Any

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool) or
    (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def valid(value: Any, schema: Any, root: Any = None) -> bool:
    """Whether ``value`` satisfies ``schema``."""
    if not isinstance(schema, dict):
        return True
    root = schema if root is None else root
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if not ref.startswith("#/"):
            return True
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        return valid(value, target, root)
    kinds = schema.get("type")
    if kinds is not None:
        names = kinds if isinstance(kinds, list) else [kinds]
        if not any(_TYPES.get(str(name), lambda v: True)(value) for name in names):
            return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    checks = (_object_ok, _array_ok, _string_ok, _number_ok, _combined_ok)
    return all(check(value, schema, root) for check in checks)


def _object_ok(value: Any, schema: dict[str, Any], root: Any) -> bool:
    if not isinstance(value, dict):
        return True
    if any(name not in value for name in schema.get("required") or []):
        return False
    properties = schema.get("properties") or {}
    for name, item in value.items():
        if name in properties:
            if not valid(item, properties[name], root):
                return False
        elif schema.get("additionalProperties") is False:
            return False
        elif isinstance(schema.get("additionalProperties"), dict) and \
                not valid(item, schema["additionalProperties"], root):
            return False
    return True


def _array_ok(value: Any, schema: dict[str, Any], root: Any) -> bool:
    if not isinstance(value, list):
        return True
    if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems",
                                                                         len(value)):
        return False
    if schema.get("uniqueItems") and len({repr(v) for v in value}) != len(value):
        return False
    items = schema.get("items")
    return not isinstance(items, dict) or all(valid(v, items, root) for v in value)


def _string_ok(value: Any, schema: dict[str, Any], root: Any) -> bool:
    if not isinstance(value, str):
        return True
    if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength",
                                                                          len(value)):
        return False
    pattern = schema.get("pattern")
    return not pattern or re.search(str(pattern), value) is not None


def _number_ok(value: Any, schema: dict[str, Any], root: Any) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return True
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and (value < low or (schema.get("exclusiveMinimum") is True
                                            and value == low)):
        return False
    if high is not None and (value > high or (schema.get("exclusiveMaximum") is True
                                              and value == high)):
        return False
    step = schema.get("multipleOf")
    return not step or (value / step).is_integer()


def _combined_ok(value: Any, schema: dict[str, Any], root: Any) -> bool:
    if any(not valid(value, s, root) for s in schema.get("allOf") or []):
        return False
    if schema.get("anyOf") and not any(valid(value, s, root) for s in schema["anyOf"]):
        return False
    if schema.get("oneOf") and sum(valid(value, s, root) for s in schema["oneOf"]) != 1:
        return False
    return not ("not" in schema and valid(value, schema["not"], root))
