"""Resource policies as AWS evaluates them for a service delivering an event: does a
queue's or function's policy let a service principal (``s3.amazonaws.com``) perform an
action on it for a given source ARN and account?

Only what resource policies for service principals use is evaluated: principals
(``*``, ``{"AWS": "*"}``, ``{"Service": ...}``), actions and resources with wildcards,
and the condition operators String(Not)Equals, String(Not)Like, Arn(Not)Equals,
Arn(Not)Like (with ``IfExists``) on ``aws:SourceArn`` and ``aws:SourceAccount``. An
explicit Deny wins; a statement with a condition this cannot evaluate never applies.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Request:
    principal: str  # a service principal, "s3.amazonaws.com"
    action: str  # "sqs:SendMessage", "lambda:InvokeFunction"
    resource: str  # the destination's ARN
    source_arn: str
    source_account: str

    def context(self) -> dict[str, str]:
        return {"aws:sourcearn": self.source_arn, "aws:sourceaccount": self.source_account}


def statements_of(document: str | None) -> list[dict[str, Any]]:
    """The statements of a policy document (JSON text); none if it is absent or invalid."""
    if not document:
        return []
    try:
        parsed = json.loads(document)
    except ValueError:
        return []
    found = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    found = [found] if isinstance(found, dict) else found
    return [s for s in found if isinstance(s, dict)]


def allows(statements: Iterable[Mapping[str, Any]], request: Request) -> bool:
    """Whether the statements allow the request (an explicit Deny wins)."""
    allowed = False
    for statement in statements:
        if not _applies(statement, request):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    return (_principal(statement.get("Principal"), request.principal)
            and any(fnmatch.fnmatchcase(request.action.lower(), a.lower())
                    for a in _listed(statement.get("Action")))
            and (statement.get("Resource") is None
                 or any(fnmatch.fnmatchcase(request.resource, r)
                        for r in _listed(statement.get("Resource"))))
            and _conditions(statement.get("Condition") or {}, request.context()))


def _principal(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return "*" in _listed(principal.get("AWS")) or service in _listed(principal.get("Service"))


def _equals(value: str, pattern: str) -> bool:
    return value == pattern


def _like(value: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern)


# operator (lower case, without IfExists) -> (test, negated: every pattern must pass)
_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "stringequals": (_equals, False),
    "stringnotequals": (lambda v, p: not _equals(v, p), True),
    "stringlike": (_like, False),
    "stringnotlike": (lambda v, p: not _like(v, p), True),
    "arnequals": (_equals, False),
    "arnnotequals": (lambda v, p: not _equals(v, p), True),
    "arnlike": (_like, False),
    "arnnotlike": (lambda v, p: not _like(v, p), True),
}


def _conditions(conditions: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    if not isinstance(conditions, dict):
        return False
    for operator, tests in conditions.items():
        name = operator.lower()
        if_exists = name.endswith("ifexists")
        name = name.removesuffix("ifexists")
        if name not in _OPERATORS or not isinstance(tests, dict):
            return False
        compare, negated = _OPERATORS[name]
        for key, patterns in tests.items():
            value = context.get(key.lower())
            if value is None:
                if if_exists:
                    continue
                return False
            found = [compare(value, p) for p in _listed(patterns)]
            if not (all(found) if negated else any(found)):
                return False
    return True
