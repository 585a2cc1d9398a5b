"""REST APIs' resource policies at call time: who may invoke which methods.

A statement applies when its principal names the caller (``*``, ``{"AWS": "*"}``, the
caller's account id or root ARN), an ``Action`` matches ``execute-api:Invoke``, a
``Resource`` matches the method ARN (AWS's shorthand ``execute-api:/stage/GET/path`` is
expanded to the API's ARN; ``*`` and ``?`` are wildcards), and its conditions hold.
Conditions read: ``IpAddress`` / ``NotIpAddress`` on ``aws:SourceIp``; ``StringEquals``,
``StringNotEquals``, ``StringLike``, ``StringNotLike`` on ``aws:SourceIp``,
``aws:UserAgent``, ``aws:Referer``, ``aws:PrincipalAccount``; ``aws:SourceVpc`` and
``aws:SourceVpce`` are never present (no VPCs), so ``StringEquals`` on them fails and
``StringNotEquals`` holds. A statement with any other condition does not apply. An
applicable Deny wins; otherwise an applicable Allow allows.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
from collections.abc import Mapping
from typing import Any


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _principal_matches(principal: Any, account: str | None) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    names = _listed(principal.get("AWS"))
    if "*" in names:
        return True
    return account is not None and any(
        name in (account, f"arn:aws:iam::{account}:root") for name in names)


def _ip_in(value: str | None, ranges: list[str]) -> bool:
    if value is None:
        return False
    try:
        address = ipaddress.ip_address(value)
        return any(address in ipaddress.ip_network(r, strict=False) for r in ranges)
    except ValueError:
        return False


def _conditions(conditions: Mapping[str, Any], context: Mapping[str, str | None]) -> bool:
    for operator, tests in conditions.items():
        if not isinstance(tests, dict):
            return False
        for key, wanted in tests.items():
            value = context.get(key.lower())
            values = _listed(wanted)
            if operator == "IpAddress":
                held = _ip_in(value, values)
            elif operator == "NotIpAddress":
                held = not _ip_in(value, values)
            elif operator == "StringEquals":
                held = value is not None and value in values
            elif operator == "StringNotEquals":
                held = value is None or value not in values
            elif operator == "StringLike":
                held = value is not None and any(fnmatch.fnmatchcase(value, v)
                                                 for v in values)
            elif operator == "StringNotLike":
                held = value is None or not any(fnmatch.fnmatchcase(value, v)
                                                for v in values)
            else:
                return False
            if not held:
                return False
    return True


def allows(policy_text: str | None, method_arn: str, api_arn: str,
           context: Mapping[str, str | None], account: str | None) -> bool | None:
    """True (allowed), False (explicitly denied), None (no statement allows); always
    True when the API has no policy."""
    if not policy_text:
        return True
    try:
        policy = json.loads(policy_text) if isinstance(policy_text, str) else policy_text
    except ValueError:
        return None
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    allowed: bool | None = None
    for statement in statements or []:
        if not isinstance(statement, dict) or \
                not _principal_matches(statement.get("Principal"), account):
            continue
        if not any(fnmatch.fnmatchcase("execute-api:invoke", a.lower())
                   for a in _listed(statement.get("Action"))):
            continue
        resources = [api_arn + r[len("execute-api:"):] if r.startswith("execute-api:/")
                     else r for r in _listed(statement.get("Resource"))]
        if not any(fnmatch.fnmatchcase(method_arn, r) for r in resources):
            continue
        if not _conditions(statement.get("Condition") or {}, context):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def masked(arn: str) -> str:
    """The ARN with its account masked but the last four digits, as AWS's messages."""
    parts = arn.split(":")
    if len(parts) > 4 and len(parts[4]) == 12:
        parts[4] = "********" + parts[4][-4:]
    return ":".join(parts)
