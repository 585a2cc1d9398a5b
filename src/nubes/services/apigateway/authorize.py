"""Lambda authorizers at call time: the identity read from the request, the function
called (TOKEN and REQUEST events as AWS documents them), its IAM policy evaluated
against the method ARN, and the result cached for the authorizer's TTL.

Policy evaluation: a statement applies when its ``Action`` matches
``execute-api:Invoke`` and one of its ``Resource`` ARNs matches the method ARN
(``*`` any characters, ``?`` one, case-sensitive); an applicable Deny wins, then an
Allow; none is an implicit deny. ``NotAction`` / ``NotResource`` / ``Condition`` are
not read (a statement using them does not apply).
"""

from __future__ import annotations

import fnmatch
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nubes.services.apigateway.functions import CallStatus, FunctionCaller
from nubes.services.apigateway.store import Doc


@dataclass(frozen=True, slots=True)
class Verdict:
    """What an authorizer decided: allowed (with what the integration sees), or the
    status and message the client gets."""

    allowed: bool
    status: int = 200
    message: str | None = None
    error_type: str | None = None
    upper_message: bool = False  # the explicit-deny bodies say "Message", as AWS's do
    response_type: str | None = None  # the gateway response that shapes the error
    principal_id: str | None = None
    context: dict[str, Any] | None = None
    usage_key: str | None = None


_CACHE_SIZE = 10_000  # authorizer results kept per process

UNAUTHORIZED = Verdict(False, 401, "Unauthorized", "UnauthorizedException",
                       response_type="UNAUTHORIZED")
CONFIG_ERROR = Verdict(False, 500, None, "AuthorizerConfigurationException",
                       response_type="AUTHORIZER_CONFIGURATION_ERROR")


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def evaluate(policy: Any, method_arn: str) -> bool | None:
    """True (allowed), False (explicitly denied), None (no statement allows)."""
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    allowed: bool | None = None
    for statement in statements or []:
        if not isinstance(statement, dict):
            continue
        actions = _listed(statement.get("Action"))
        if not any(fnmatch.fnmatchcase("execute-api:invoke", a.lower()) for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(method_arn, r) for r in
                   _listed(statement.get("Resource"))):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


@dataclass(slots=True)
class _Cached:
    expires: float
    principal_id: str
    policy: Any
    context: dict[str, Any] | None
    usage_key: str | None


def identity_of(authorizer: Doc, read: Callable[[str], str | None]) -> list[str] | None:
    """The values of the authorizer's identity sources, None if one is missing."""
    values: list[str] = []
    for source in str(authorizer.get("identitySource") or "").split(","):
        source = source.strip()
        if not source:
            continue
        value = read(source)
        if value is None or value == "":
            return None
        values.append(value)
    return values


class Authorizers:
    """Calls authorizers and keeps their results for their TTL (in this process)."""

    def __init__(self, functions: FunctionCaller,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.functions = functions
        self.clock = clock
        self._cache: dict[tuple[str, str, tuple[str, ...]], _Cached] = {}

    async def decide(self, api_id: str, account: str, region: str, authorizer: Doc,
                     identity: list[str], event: dict[str, Any], method_arn: str
                     ) -> Verdict:
        ttl = int(authorizer.get("authorizerResultTtlInSeconds") or 0)
        key = (api_id, authorizer["id"], tuple(identity))
        now = self.clock()
        cached = self._cache.get(key) if ttl > 0 and identity else None
        if cached is None or cached.expires <= now:
            fresh = await self._call(api_id, account, region, authorizer, event)
            if isinstance(fresh, Verdict):
                return fresh
            cached = fresh
            cached.expires = now + ttl
            if ttl > 0 and identity:
                self._keep(key, cached, now)
        decision = evaluate(cached.policy, method_arn)
        if decision is True:
            return Verdict(True, principal_id=cached.principal_id, context=cached.context,
                           usage_key=cached.usage_key)
        if decision is False:
            return Verdict(False, 403, "User is not authorized to access this resource "
                           "with an explicit deny", "AccessDeniedException", True,
                           response_type="ACCESS_DENIED")
        return Verdict(False, 403, "User is not authorized to access this resource",
                       "AccessDeniedException", True, response_type="ACCESS_DENIED")

    def _keep(self, key: tuple[str, str, tuple[str, ...]], result: _Cached, now: float
              ) -> None:
        """Cache a result; past ``_CACHE_SIZE`` entries, expired ones go, then the
        oldest."""
        if len(self._cache) >= _CACHE_SIZE:
            for stale in [k for k, v in self._cache.items() if v.expires <= now]:
                del self._cache[stale]
            while len(self._cache) >= _CACHE_SIZE:
                del self._cache[next(iter(self._cache))]
        self._cache[key] = result

    async def _call(self, api_id: str, account: str, region: str, authorizer: Doc,
                    event: dict[str, Any]) -> _Cached | Verdict:
        function_arn = function_of_uri(str(authorizer.get("authorizerUri") or ""))
        if function_arn is None:
            return CONFIG_ERROR
        source = f"arn:aws:execute-api:{region}:{account}:{api_id}/authorizers/" \
                 f"{authorizer['id']}"
        called = await self.functions.call(function_arn, json.dumps(event).encode(),
                                           source_arn=source, source_account=account,
                                           timeout_s=30.0)
        if called.status is CallStatus.FUNCTION_ERROR:
            try:
                message = json.loads(called.payload).get("errorMessage")
            except (ValueError, AttributeError):
                message = None
            return UNAUTHORIZED if message == "Unauthorized" else CONFIG_ERROR
        if called.status is not CallStatus.OK:
            return CONFIG_ERROR
        try:
            answer = json.loads(called.payload)
        except ValueError:
            return CONFIG_ERROR
        if not isinstance(answer, dict) or "principalId" not in answer or \
                not isinstance(answer.get("policyDocument"), dict):
            return CONFIG_ERROR
        context = answer.get("context")
        if context is not None and (not isinstance(context, dict) or any(
                isinstance(v, (dict, list)) for v in context.values())):
            return CONFIG_ERROR  # context values must be strings, numbers or booleans
        return _Cached(0.0, str(answer["principalId"]), answer["policyDocument"],
                       context, answer.get("usageIdentifierKey"))


_FUNCTION_URI = re.compile(r"^arn:aws[a-z-]*:apigateway:[^:]+:lambda:path/[^/]+/functions/"
                           r"(?P<arn>.+)/invocations$")


def function_of_uri(uri: str) -> str | None:
    """The function ARN of a Lambda integration or authorizer URI."""
    match = _FUNCTION_URI.match(uri)
    return match.group("arn") if match else None
