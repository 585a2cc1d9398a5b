"""Finds the operation of a rest-json / rest-xml request from its method, path and query.

Each operation's ``requestUri`` ("/{Bucket}/{Key+}?uploads") is compiled once into a path
regex and a set of literal query parts. Operations sharing a path pattern are ranked by
specificity: literal path segments, then literal query keys, then whether the request
carries the operation's *required* query/header members. S3's few irreducible
ambiguities live in ``S3_QUIRKS`` below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel

from nubes.errors import UnknownOperation

# S3's quirks. ``skip``: operations never routed by path (ListDirectoryBuckets is a
# directory-bucket endpoint call); ``prefer``: of two operations on the same URI, the
# current one wins over the deprecated one; ``dispatch``: PUT/GET/POST/DELETE on an
# object, decided by query keys and headers in this order (first match wins).
S3_QUIRKS: dict[str, object] = {
    "skip": frozenset({"ListDirectoryBuckets"}),
    "prefer": {
        "GetBucketLifecycle": "GetBucketLifecycleConfiguration",
        "PutBucketLifecycle": "PutBucketLifecycleConfiguration",
        "GetBucketNotification": "GetBucketNotificationConfiguration",
        "PutBucketNotification": "PutBucketNotificationConfiguration",
    },
    "dispatch": {
        ("PUT", "/{Bucket}/{Key+}"): (
            ("UploadPartCopy", ("partNumber", "uploadId"), ("x-amz-copy-source",)),
            ("UploadPart", ("partNumber", "uploadId"), ()),
            ("CopyObject", (), ("x-amz-copy-source",)),
            ("PutObject", (), ()),
        ),
        ("GET", "/{Bucket}/{Key+}"): (
            ("ListParts", ("uploadId",), ()),
            ("GetObject", (), ()),
        ),
        ("POST", "/{Bucket}/{Key+}"): (("CompleteMultipartUpload", ("uploadId",), ()),),
        ("DELETE", "/{Bucket}/{Key+}"): (
            ("AbortMultipartUpload", ("uploadId",), ()),
            ("DeleteObject", (), ()),
        ),
    },
}

_LABEL = re.compile(r"\{([^}]+)\}")

Rule = tuple[str, tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class _Route:
    operation: OperationModel
    query: tuple[tuple[str, str | None], ...]  # literal query parts; None: any value
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    rank: tuple[int, int]  # (literal path segments, literal query keys)

    def accepts(self, query: dict[str, str]) -> bool:
        for key, value in self.query:
            got = query.get(key)
            if got is None or (value is not None and got != value):
                return False
        return True

    def present(self, query: dict[str, str], headers: dict[str, str]) -> tuple[bool, int]:
        """Whether every required query/header member is present, and how many are."""
        count = sum(1 for key in self.required_query if key in query)
        count += sum(1 for key in self.required_headers if key in headers)
        return count == len(self.required_query) + len(self.required_headers), count


@dataclass(frozen=True, slots=True)
class _PathGroup:
    """Routes sharing one path pattern, best rank first (ties kept in model order)."""

    pattern: re.Pattern[str]
    labels: tuple[str, ...]
    routes: tuple[_Route, ...]
    dispatch: tuple[tuple[_Route, tuple[str, ...], tuple[str, ...]], ...]


def _compile_path(template: str) -> tuple[re.Pattern[str], tuple[str, ...], int]:
    parts: list[str] = []
    labels: list[str] = []
    pos = 0
    for found in _LABEL.finditer(template):
        parts.append(re.escape(template[pos : found.start()]))
        name = found.group(1)
        if name.endswith("+"):
            labels.append(name[:-1])
            parts.append("(.+)")
        else:
            labels.append(name)
            parts.append("([^/]+)")
        pos = found.end()
    parts.append(re.escape(template[pos:]))
    body = "".join(parts)
    if body.endswith("/"):
        body = body[:-1]
    literal_segments = sum(1 for seg in template.split("/") if seg and "{" not in seg)
    return re.compile(f"^{body}/?$"), tuple(labels), literal_segments


def _query_literals(template: str) -> tuple[tuple[str, str | None], ...]:
    if not template:
        return ()
    out: list[tuple[str, str | None]] = []
    for part in template.split("&"):
        key, sep, value = part.partition("=")
        out.append((key, value if sep else None))
    return tuple(out)


def _required(operation: OperationModel) -> tuple[tuple[str, ...], tuple[str, ...]]:
    shape = operation.input_shape
    if shape is None:
        return (), ()
    query: list[str] = []
    headers: list[str] = []
    for name in shape.required_members:
        member = shape.members[name]
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "querystring":
            query.append(wire)
        elif location == "header":
            headers.append(wire.lower())
    return tuple(query), tuple(headers)


class RestRouter:
    """Matches requests to the operations of one rest-json or rest-xml service."""

    def __init__(self, service: ServiceModel) -> None:
        self._service = service
        quirks = S3_QUIRKS if service.service_name == "s3" else {}
        skip = quirks.get("skip", frozenset())
        prefer = quirks.get("prefer", {})
        dispatch = quirks.get("dispatch", {})
        assert isinstance(skip, frozenset) and isinstance(prefer, dict)
        assert isinstance(dispatch, dict)
        deprecated = set(prefer)
        grouped: dict[tuple[str, str], list[_Route]] = {}
        for name in service.operation_names:
            if name in skip or name in deprecated:
                continue
            operation = service.operation_model(name)
            method = operation.http["method"]
            path, _, query = operation.http["requestUri"].partition("?")
            required_query, required_headers = _required(operation)
            literals = _query_literals(query)
            _, _, segments = _compile_path(path)
            route = _Route(
                operation, literals, required_query, required_headers, (segments, len(literals))
            )
            grouped.setdefault((method, path), []).append(route)
        self._by_method: dict[str, list[_PathGroup]] = {}
        for (method, path), routes in grouped.items():
            pattern, labels, _ = _compile_path(path)
            routes.sort(key=lambda route: route.rank, reverse=True)
            rules: tuple[Rule, ...] = dispatch.get((method, path), ())
            by_name = {route.operation.name: route for route in routes}
            table = tuple((by_name[name], q, h) for name, q, h in rules if name in by_name)
            group = _PathGroup(pattern, labels, tuple(routes), table)
            self._by_method.setdefault(method, []).append(group)
        for groups in self._by_method.values():
            groups.sort(key=lambda group: group.routes[0].rank[0], reverse=True)

    def match(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str]
    ) -> tuple[OperationModel, dict[str, str]]:
        """The operation for this request and its decoded URI labels; UnknownOperation if none."""
        best: tuple[tuple[int, int, bool, int], _Route, _PathGroup, re.Match[str]] | None = None
        for group in self._by_method.get(method, ()):
            found = group.pattern.match(path)
            if found is None:
                continue
            for route in group.routes:
                if best is not None and route.rank < best[0][:2]:
                    break
                if not route.accepts(query):
                    continue
                score = (*route.rank, *route.present(query, headers))
                if best is None or score > best[0]:
                    best = (score, route, group, found)
        if best is None:
            raise UnknownOperation(
                f"No operation of {self._service.service_name} matches {method} {path}"
            )
        _, route, group, found = best
        if group.dispatch and not route.query:
            route = _dispatch(group, query, headers) or route
        params = {
            label: unquote(value) for label, value in zip(group.labels, found.groups(), strict=True)
        }
        return route.operation, params


def _dispatch(group: _PathGroup, query: dict[str, str], headers: dict[str, str]) -> _Route | None:
    """The first quirk rule whose query keys and headers are all present."""
    for route, keys, names in group.dispatch:
        if all(key in query for key in keys) and all(name in headers for name in names):
            return route
    return None
