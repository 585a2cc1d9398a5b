"""Subscription filter policies: SNS's own limits and wording when one is set, and matching
through the shared event-pattern matcher (``nubes.events.patterns``), on the message
attributes or (``FilterPolicyScope`` ``MessageBody``) on the JSON message.

For attributes, String values match as strings, Number values numerically, and a
String.Array as its JSON array (any element matching); Binary attributes are never
compared, as on AWS.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from nubes.events.patterns import Pattern, PatternError, compile_pattern
from nubes.services.sns import exceptions as exc

MAX_KEYS = 5
MAX_COMBINATIONS = 150
MAX_BYTES = 256 * 1024
NUMERIC_LIMIT = 1e9
# The content filters SNS offers (EventBridge's wildcard is not among them).
OPERATORS = frozenset({"prefix", "suffix", "anything-but", "numeric", "exists",
                       "equals-ignore-case", "cidr"})


def _invalid(reason: str) -> Exception:
    return exc.invalid(f"FilterPolicy: {reason}")


def check(policy: str, scope: str) -> None:
    """InvalidParameter (or FilterPolicyLimitExceeded) unless SNS accepts the policy."""
    if len(policy.encode()) > MAX_BYTES:
        raise exc.FilterPolicyLimitExceeded("Filter policy is too large")
    try:
        parsed = json.loads(policy)
    except ValueError as error:
        raise _invalid(f"failed to parse JSON. {error}") from None
    if not isinstance(parsed, dict):
        raise _invalid("Filter policy must be a JSON object")
    if not parsed:
        return  # an empty policy selects every message
    keys: set[str] = set()
    combinations = _walk(parsed, scope, "", keys, 0)
    if len(keys) > MAX_KEYS:
        raise _invalid(f"Filter policy can not have more than {MAX_KEYS} keys")
    if combinations > MAX_COMBINATIONS:
        raise _invalid("Filter policy is too complex")
    try:
        compile_pattern(parsed)
    except PatternError as error:
        raise _invalid(str(error).split("Reason: ", 1)[-1]) from None


def _walk(node: Mapping[str, Any], scope: str, path: str, keys: set[str], depth: int
          ) -> int:
    """The number of value combinations below ``node``, collecting leaf keys."""
    combinations = 1
    for key, value in node.items():
        if key == "$or" and isinstance(value, list):
            combinations *= sum(_walk(alt, scope, path, keys, depth)
                                for alt in value if isinstance(alt, Mapping)) or 1
        elif isinstance(value, Mapping):
            if scope == "MessageAttributes":
                raise exc.invalid("Filter policy scope MessageAttributes does not support "
                                  "nested filter policy")
            combinations *= _walk(value, scope, f"{path}{key}.", keys, depth + 1)
        elif isinstance(value, list):
            keys.add(path + key)
            for item in value:
                _check_value(item)
            combinations *= max(1, len(value))
        else:
            raise _invalid(f'"{key}" must be an object or an array')
    return combinations


def _check_value(item: Any) -> None:
    if isinstance(item, Mapping):
        for kind, argument in item.items():
            if kind not in OPERATORS:
                raise _invalid(f"Unrecognized match type {kind}")
            if kind == "numeric" and isinstance(argument, list):
                for bound in argument[1::2]:
                    if isinstance(bound, int | float) and abs(bound) > NUMERIC_LIMIT:
                        raise _invalid(f"Numeric value {bound} out of range: must be "
                                       "between -1000000000 and 1000000000")
    elif isinstance(item, int | float) and not isinstance(item, bool) and \
            abs(item) > NUMERIC_LIMIT:
        raise _invalid(f"Numeric value {item} out of range: must be between "
                       "-1000000000 and 1000000000")


@lru_cache(maxsize=1024)
def compiled(policy: str) -> Pattern | None:
    """A checked policy compiled once (None: the empty policy, which selects all)."""
    parsed = json.loads(policy)
    return compile_pattern(parsed) if parsed else None


def matches(policy: str, scope: str, message: str, attributes: Mapping[str, Mapping[str, str]]
            ) -> bool:
    """Whether a message passes a subscription's filter policy."""
    pattern = compiled(policy)
    if pattern is None:
        return True
    if scope == "MessageBody":
        try:
            body = json.loads(message)
        except ValueError:
            return False
        return isinstance(body, dict) and pattern.matches(body)
    return pattern.matches(attribute_values(attributes))


def attribute_values(attributes: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """Message attributes as the values a filter policy compares."""
    out: dict[str, Any] = {}
    for name, attribute in attributes.items():
        kind, value = attribute["Type"], attribute["Value"]
        if kind.startswith("Number"):
            number = float(value)
            out[name] = int(number) if number.is_integer() and math.isfinite(number) \
                else number
        elif kind == "String.Array":
            out[name] = json.loads(value)
        elif kind.startswith("String"):
            out[name] = value
    return out
