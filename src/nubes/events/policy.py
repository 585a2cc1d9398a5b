"""Resource policies as AWS evaluates them for a service delivering an event, or for
a caller of a public endpoint: does a queue's or function's policy let a principal
(``s3.amazonaws.com``, an account's ``arn:aws:iam::<id>:root``, or ``*`` for anyone)
perform an action on it, for a given source ARN and account?

Only what such policies use is evaluated: principals (``*``, ``{"AWS": ...}`` naming
``*``, an account id or ARN, ``{"Service": ...}``), actions and resources with
wildcards, and the condition operators String(Not)Equals, String(Not)Like,
Arn(Not)Equals, Arn(Not)Like and Bool (with ``IfExists``) on ``aws:SourceArn``,
``aws:SourceAccount`` and the request's extra keys (``lambda:FunctionUrlAuthType``). An
explicit Deny wins; a statement with a condition this cannot evaluate never applies.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Request:
    principal: str  # a service principal "s3.amazonaws.com", an account's root ARN, "*"
    action: str  # "sqs:SendMessage", "lambda:InvokeFunction"
    resource: str  # the destination's ARN
    source_arn: str = ""  # "" when the caller has none (then conditions on it fail)
    source_account: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)  # more condition keys

    def context(self) -> dict[str, str]:
        known = {"aws:sourcearn": self.source_arn, "aws:sourceaccount": self.source_account}
        return {**{k: v for k, v in known.items() if v},
                **{k.lower(): v for k, v in self.extra.items()}}


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


def _principal(principal: Any, caller: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    named = _listed(principal.get("AWS"))
    account = caller.split(":")[4] if caller.startswith("arn:") else None
    return ("*" in named or caller in named or (account is not None and account in named)
            or caller in _listed(principal.get("Service")))


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
    "bool": (lambda v, p: v.lower() == p.lower(), False),
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
