"""Cross-origin resource sharing as S3 evaluates it against a bucket's CORS rules.

The first rule whose AllowedOrigins, AllowedMethods and AllowedHeaders all admit the
request wins; its answer is the set of ``Access-Control-*`` headers. Both the preflight
(``OPTIONS``) and the actual request are evaluated here; the edge sends the headers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nubes.services.s3 import exceptions as exc

_VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
_NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution "
    "of Origin, request method / Access-Control-Request-Method or "
    "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
)


@dataclass(frozen=True, slots=True)
class CorsRequest:
    origin: str
    method: str  # the actual method, or Access-Control-Request-Method for a preflight
    headers: tuple[str, ...] = ()  # Access-Control-Request-Headers, lower-cased


def wildcard_match(pattern: str, value: str) -> bool:
    """S3's patterns hold at most one '*', matching any run of characters."""
    if "*" not in pattern:
        return pattern == value
    head, _, tail = pattern.partition("*")
    return len(value) >= len(head) + len(tail) and value.startswith(head) and value.endswith(tail)


def matching_rule(rules: Sequence[Mapping[str, Any]], request: CorsRequest
                  ) -> Mapping[str, Any] | None:
    for rule in rules:
        if request.method not in rule.get("AllowedMethods", ()):
            continue
        if not any(wildcard_match(o, request.origin) for o in rule.get("AllowedOrigins", ())):
            continue
        allowed = [h.lower() for h in rule.get("AllowedHeaders", ())]
        if all(any(wildcard_match(a, h) for a in allowed) for h in request.headers):
            return rule
    return None


def cors_headers(rule: Mapping[str, Any], request: CorsRequest, *, preflight: bool
                 ) -> dict[str, str]:
    """The Access-Control-* headers S3 answers with for a matching rule."""
    wildcard = "*" in rule.get("AllowedOrigins", ())
    headers = {
        "Access-Control-Allow-Origin": "*" if wildcard else request.origin,
        "Access-Control-Allow-Methods": ", ".join(rule["AllowedMethods"]),
        "Vary": _VARY,
    }
    if not wildcard:
        headers["Access-Control-Allow-Credentials"] = "true"
    if preflight and request.headers:
        headers["Access-Control-Allow-Headers"] = ", ".join(request.headers)
    if rule.get("ExposeHeaders"):
        headers["Access-Control-Expose-Headers"] = ", ".join(rule["ExposeHeaders"])
    if rule.get("MaxAgeSeconds") is not None:
        headers["Access-Control-Max-Age"] = str(rule["MaxAgeSeconds"])
    return headers


def preflight(rules: Sequence[Mapping[str, Any]] | None, origin: str | None,
              method: str | None, request_headers: str | None, resource: str
              ) -> dict[str, str]:
    """Answer an OPTIONS preflight: the headers to send with 200, or raise S3's 400/403."""
    if not origin:
        raise exc.BadRequest("Insufficient information. Origin request header needed.")
    if not method:
        raise exc.BadRequest("Invalid Access-Control-Request-Method: null")
    fields = {"Method": method, "ResourceType": resource}
    if not rules:
        raise exc.AccessForbidden("CORSResponse: CORS is not enabled for this bucket.",
                                  fields=fields)
    names = tuple(h.strip().lower() for h in (request_headers or "").split(",") if h.strip())
    request = CorsRequest(origin, method.upper(), names)
    rule = matching_rule(rules, request)
    if rule is None:
        raise exc.AccessForbidden(_NOT_ALLOWED, fields=fields)
    return cors_headers(rule, request, preflight=True)


def actual(rules: Sequence[Mapping[str, Any]] | None, origin: str, method: str
           ) -> dict[str, str]:
    """Headers for a cross-origin request that is not a preflight ({} when none match)."""
    if not rules:
        return {}
    request = CorsRequest(origin, method.upper())
    rule = matching_rule(rules, request)
    return cors_headers(rule, request, preflight=False) if rule else {}
