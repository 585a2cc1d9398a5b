"""The POST policy of a browser upload: decoded, and its conditions checked against the form.

A policy is base64 JSON: ``{"expiration": "...Z", "conditions": [...]}``. Conditions are
``{"field": "value"}`` or ``["eq", "$field", "value"]`` (exact), ``["starts-with", "$field",
"prefix"]`` (a Content-Type list must match item by item) and ``["content-length-range",
min, max]`` (checked against the file as it streams). Field and operator names are
case-insensitive, values are not. A condition on a field the form lacks fails; every form
field except the signature envelope and ``x-ignore-*`` must be named by some condition.
Failures answer as S3 does: 403 ``AccessDenied`` "Invalid according to Policy: ...", and
400 ``InvalidPolicyDocument`` for a document that cannot be read.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nubes.services.s3 import exceptions as exc

# Form fields no condition needs to name (lower-case).
EXEMPT_FIELDS = frozenset({"policy", "x-amz-signature", "awsaccesskeyid", "signature", "file"})
_OPERATORS = ("eq", "starts-with", "content-length-range")


@dataclass(frozen=True, slots=True)
class Condition:
    operator: str  # eq | starts-with
    field: str  # lower-case, without the '$'
    value: str
    as_written: list[Any]  # for the error message, in the policy's spelling


@dataclass(slots=True)
class Policy:
    expiration: datetime
    conditions: list[Condition] = field(default_factory=list)
    length_range: tuple[int, int] | None = None


def _invalid(detail: str) -> exc.S3Error:
    return exc.InvalidPolicyDocument(f"Invalid Policy: {detail}")


def _denied(detail: str) -> exc.S3Error:
    return exc.AccessDenied(f"Invalid according to Policy: {detail}")


def _failed(as_written: list[Any]) -> exc.S3Error:
    return _denied(f"Policy Condition failed: {json.dumps(as_written, ensure_ascii=False)}")


def decode_policy(encoded: str) -> Policy:
    """The policy of a ``policy`` form field, or InvalidPolicyDocument."""
    try:
        document = json.loads(base64.b64decode(encoded, validate=True).decode("utf-8"))
    except (binascii.Error, ValueError):
        raise _invalid("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise _invalid("Invalid JSON.")
    if "expiration" not in document:
        raise _invalid("Policy missing expiration.")
    if "conditions" not in document:
        raise _invalid("Policy missing conditions.")
    unexpected = sorted(set(document) - {"expiration", "conditions"})
    if unexpected:
        raise _invalid(f"Unexpected: '{unexpected[0].lower()}'")
    policy = Policy(_expiration(document["expiration"]))
    if not isinstance(document["conditions"], list):
        raise _invalid("Invalid 'conditions' value: must be a List.")
    for item in document["conditions"]:
        _add_condition(policy, item)
    return policy


def _expiration(value: Any) -> datetime:
    text = value if isinstance(value, str) else json.dumps(value)
    for layout in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise _invalid(f"Invalid 'expiration' value: '{text}'")


def _add_condition(policy: Policy, item: Any) -> None:
    if isinstance(item, dict):
        if len(item) != 1:
            raise _invalid("Invalid Simple-Condition: Simple-Conditions must have exactly one "
                           "property specified.")
        name, value = next(iter(item.items()))
        if not isinstance(value, str):
            raise _invalid("Invalid Simple-Condition: value must be a string.")
        policy.conditions.append(Condition("eq", name.lower(), value, ["eq", f"${name}", value]))
        return
    if not isinstance(item, list):
        raise _invalid("Invalid condition test: must be a List or Object.")
    if not item or not isinstance(item[0], str):
        raise _invalid("Invalid Condition: missing operation identifier.")
    operator = item[0].lower()
    if operator not in _OPERATORS:
        raise _invalid(f"Invalid Condition: unknown operation '{item[0]}'.")
    if len(item) != 3:
        raise _invalid(f"Invalid {item[0]}: wrong number of arguments.")
    if operator == "content-length-range":
        policy.length_range = _length_range(item)
        return
    name, value = item[1], item[2]
    if not isinstance(name, str) or not isinstance(value, str):
        raise _invalid("Invalid JSON.")
    if not name.startswith("$"):
        raise _failed(item)  # S3 reports a condition without '$' as failed
    policy.conditions.append(Condition(operator, name[1:].lower(), value, item))


def _length_range(item: list[Any]) -> tuple[int, int]:
    bounds = []
    for bound in item[1:]:
        if isinstance(bound, bool) or isinstance(bound, float):
            raise _invalid("Invalid JSON.")
        try:
            bounds.append(int(bound))
        except (TypeError, ValueError):
            raise _failed(item) from None
    low, high = bounds
    if low < 0 or high < 0:
        raise _invalid("Invalid content-length-range: ranges must be non-negative.")
    return low, high


def _starts_with(field_name: str, value: str, prefix: str) -> bool:
    if field_name == "content-type" and "," in value:
        return all(item.strip().startswith(prefix) for item in value.split(","))
    return value.startswith(prefix)


def check_policy(policy: Policy, fields: Mapping[str, str], names: Mapping[str, str],
                 *, bucket: str, now: datetime) -> None:
    """Raise S3's error unless the form (``fields``: lower-case name -> value, variables
    expanded; ``names``: lower-case name -> name as sent) satisfies the policy."""
    if now >= policy.expiration:
        raise _denied("Policy expired.")
    values = {**fields, "bucket": bucket}
    for condition in policy.conditions:
        value = values.get(condition.field)
        if value is None:
            raise _failed(condition.as_written)
        if condition.operator == "eq":
            ok = value == condition.value
        else:
            ok = _starts_with(condition.field, value, condition.value)
        if not ok:
            raise _failed(condition.as_written)
    covered = {condition.field for condition in policy.conditions}
    extra = [names[name] for name in fields
             if name not in covered and name not in EXEMPT_FIELDS
             and not name.startswith("x-ignore-")]
    if extra:
        raise _denied(f"Extra input fields: {', '.join(extra)}")
