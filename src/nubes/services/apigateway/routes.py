"""Which resource and method of a deployed API a request path and method reach.

At each level an exact path part wins over a ``{param}`` and that over a greedy
``{proxy+}`` (which takes the rest of the path, one segment or more); a branch that
leads nowhere is backed out of. A method is the request's, or ``ANY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from nubes.services.apigateway.store import Doc


@dataclass(frozen=True, slots=True)
class Match:
    resource: Doc
    method: Doc
    path_parameters: dict[str, str]


def _children(snapshot: Doc) -> dict[str, list[Doc]]:
    children: dict[str, list[Doc]] = {}
    for resource in snapshot["_resources"].values():
        parent = resource.get("parentId")
        if parent is not None:
            children.setdefault(parent, []).append(resource)
    return children


def _rank(resource: Doc) -> int:
    part = resource["pathPart"]
    return 2 if part.endswith("+}") else 1 if part.startswith("{") else 0


def find_resource(snapshot: Doc, path: str) -> tuple[Doc, dict[str, str]] | None:
    """The resource a path (after the stage) reaches, with its path parameters."""
    segments = [unquote(s) for s in path.split("/") if s]
    children = _children(snapshot)
    root = snapshot["_resources"][snapshot["rootResourceId"]]
    return _walk(root, segments, children, {})


def _walk(resource: Doc, segments: list[str], children: dict[str, list[Doc]],
          params: dict[str, str]) -> tuple[Doc, dict[str, str]] | None:
    if not segments:
        return resource, params
    head = segments[0]
    for child in sorted(children.get(resource["id"], []), key=_rank):
        part = child["pathPart"]
        if part.endswith("+}"):
            return child, {**params, part[1:-2]: "/".join(segments)}
        if part.startswith("{"):
            found = _walk(child, segments[1:], children, {**params, part[1:-1]: head})
        elif part == head:
            found = _walk(child, segments[1:], children, params)
        else:
            continue
        if found is not None:
            return found
    return None


def match(snapshot: Doc, method: str, path: str) -> Match | None:
    found = find_resource(snapshot, path)
    if found is None:
        return None
    resource, params = found
    methods = resource.get("resourceMethods") or {}
    chosen = methods.get(method.upper()) or methods.get("ANY")
    if chosen is None:
        return None
    return Match(resource, chosen, params)
