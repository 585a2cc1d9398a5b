"""Route selection for HTTP APIs, as AWS documents it.

The most specific route wins: a full match of method and path first, then routes with
path variables (literal segments preferred, left to right), then greedy ``{proxy+}``
routes (the longest literal prefix first), and ``$default`` last. A route for the
request's method beats an ``ANY`` route of the same path. A greedy variable takes one
or more segments, so ``ANY /{proxy+}`` does not match ``/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from nubes.services.apigatewayv2.common import DEFAULT_ROUTE, parse_route_key


@dataclass(frozen=True, slots=True)
class _Pattern:
    route_key: str
    method: str
    segments: tuple[str, ...]  # "{name}" for variables; the greedy one last as "{name+}"
    greedy: bool
    rank: tuple[object, ...]  # lower is more specific


@dataclass(frozen=True, slots=True)
class Match:
    route_key: str
    path_parameters: dict[str, str]


class RouteTable:
    """The routes of one deployment, compiled once."""

    def __init__(self, route_keys: list[str]) -> None:
        self.has_default = DEFAULT_ROUTE in route_keys
        patterns = []
        for key in route_keys:
            parsed = parse_route_key(key)
            if parsed is None:
                continue
            method, path = parsed
            segments = tuple(path.split("/")[1:]) if path != "/" else ()
            greedy = bool(segments) and segments[-1].endswith("+}")
            kinds = tuple(1 if s.startswith("{") else 0 for s in segments)
            literals = -kinds.count(0)
            rank = (greedy, literals if greedy else 0, kinds, method == "ANY")
            patterns.append(_Pattern(key, method, segments, greedy, rank))
        self.patterns = sorted(patterns, key=lambda p: p.rank)

    def match(self, method: str, path: str) -> Match | None:
        """The route for a request (``path`` percent-encoded), or None (404)."""
        parts = tuple(path.split("/")[1:]) if path not in ("", "/") else ()
        for pattern in self.patterns:
            if pattern.method not in (method, "ANY"):
                continue
            found = _bind(pattern, parts)
            if found is not None:
                return Match(pattern.route_key, found)
        return Match(DEFAULT_ROUTE, {}) if self.has_default else None


def _bind(pattern: _Pattern, parts: tuple[str, ...]) -> dict[str, str] | None:
    segments = pattern.segments
    if pattern.greedy:
        fixed = segments[:-1]
        if len(parts) <= len(fixed):
            return None
    elif len(parts) != len(segments):
        return None
    else:
        fixed = segments
    params: dict[str, str] = {}
    for segment, part in zip(fixed, parts, strict=False):
        if segment.startswith("{"):
            if not part:
                return None
            params[segment[1:-1]] = unquote(part)
        elif segment != part:
            return None
    if pattern.greedy:
        rest = "/".join(parts[len(fixed):])
        if not rest:
            return None
        params[segments[-1][1:-2]] = unquote(rest)
    return params
