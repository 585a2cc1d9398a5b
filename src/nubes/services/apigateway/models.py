"""API Gateway's rules without HTTP or storage: ids as AWS forms them, resource paths,
and patch operations (the ``patchOperations`` every Update* takes)."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable, Mapping
from typing import Any

from nubes.services.apigateway import exceptions as exc

_ALPHABET = string.ascii_lowercase + string.digits

# The lengths of AWS's ids, by kind (REST API and API key ids are 10 characters, root
# resources 10, other resources, deployments, authorizers and usage plans 6).
ID_LENGTHS = {"restapi": 10, "root": 10, "resource": 6, "deployment": 6, "authorizer": 6,
              "apikey": 10, "usageplan": 6, "model": 6, "validator": 6}

HTTP_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"})

_PATH_PART = re.compile(r"^(\{[A-Za-z0-9._-]+\+?\}|[A-Za-z0-9._:@~$&'()*,;=!-]+)$")


def new_id(kind: str) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(ID_LENGTHS[kind]))


def new_key_value() -> str:
    """A generated API key value: 40 characters, as AWS generates them."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(40))


def check_path_part(part: str, siblings: Iterable[str]) -> None:
    """A resource's path part is valid and distinct from its siblings' (one variable
    child per parent, as API Gateway allows)."""
    if not _PATH_PART.match(part):
        raise exc.bad_request(
            "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning"
            " and the end and an optional plus sign before the closing brace.")
    for sibling in siblings:
        if sibling == part:
            raise exc.ConflictException(
                f"Another resource with the same parent already has this name: {part}")
        if sibling.startswith("{") and part.startswith("{"):
            raise exc.bad_request(
                f"A sibling ({sibling}) of this resource already has a variable path part -- only "
                "one is allowed")


def child_path(parent_path: str, part: str) -> str:
    return ("" if parent_path == "/" else parent_path) + "/" + part


def method_name(value: Any) -> str:
    name = str(value or "").upper()
    if name not in HTTP_METHODS:
        raise exc.bad_request("Invalid HttpMethod specified. Valid options are GET,PUT,POST,"
                              "DELETE,PATCH,OPTIONS,HEAD,ANY")
    return name


# -- patch operations ---------------------------------------------------------------------

_BOOLEANS = frozenset({
    "apiKeyRequired", "disableExecuteApiEndpoint", "enabled", "cacheClusterEnabled",
    "tracingEnabled", "metricsEnabled", "dataTraceEnabled", "cachingEnabled",
    "requireAuthorizationForCacheControl", "generateDistinctId"})
_INTEGERS = frozenset({
    "timeoutInMillis", "minimumCompressionSize", "authorizerResultTtlInSeconds",
    "burstLimit", "limit", "offset", "throttlingBurstLimit", "cacheTtlInSeconds"})
_FLOATS = frozenset({"rateLimit", "throttlingRateLimit"})


def typed(name: str, value: Any) -> Any:
    """A patch value (always a string on the wire) as the member named ``name`` holds it."""
    if value is None or not isinstance(value, str):
        return value
    if value == "" and name in _INTEGERS | _FLOATS:
        return None  # an empty number clears the member (minimumCompressionSize "")
    try:
        if name in _BOOLEANS:
            return value.lower() == "true"
        if name in _INTEGERS:
            return int(value)
        if name in _FLOATS:
            return float(value)
    except ValueError as error:
        raise exc.bad_request(f"Invalid value for {name}: {value}") from error
    return value


def segments(path: str) -> list[str]:
    """A patch path's segments, with JSON Pointer's ``~1`` (/) and ``~0`` (~) decoded."""
    if not path.startswith("/"):
        raise exc.bad_request(f"Invalid patch path {path}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def apply_patch(doc: dict[str, Any], operations: Iterable[Mapping[str, Any]],
                allowed: Iterable[str], *, maps: Iterable[str] = (),
                lists: Iterable[str] = ()) -> dict[str, Any]:
    """``doc`` with ``operations`` applied.

    ``allowed`` names the members a path may start with; ``maps`` those that are maps
    of strings (``/variables/name`` sets one entry); ``lists`` those that are lists of
    strings, where ``add`` and ``remove`` take the item from the path
    (``/binaryMediaTypes/image~1png``). Other paths set or remove one member.
    """
    allowed_set, map_set, list_set = set(allowed), set(maps), set(lists)
    for operation in operations:
        op = operation.get("op")
        path = operation.get("path") or ""
        parts = segments(path)
        head = parts[0]
        if head not in allowed_set:
            raise exc.bad_request(f"Invalid patch path {path}")
        value = operation.get("value")
        if head in list_set:
            _patch_list(doc, head, op, parts, value, path)
        elif head in map_set and len(parts) == 2:
            entries = dict(doc.get(head) or {})
            if op == "remove":
                entries.pop(parts[1], None)
            else:
                entries[parts[1]] = value
            doc[head] = entries
        elif len(parts) == 1:
            if op == "remove":
                doc.pop(head, None)
            elif op in ("replace", "add"):
                doc[head] = typed(head, value)
                if doc[head] is None:
                    del doc[head]
            else:
                raise exc.bad_request(f"Invalid patch operation specified. Must be one of:"
                                      f" [add, remove, replace] ({op})")
        else:
            _patch_nested(doc, parts, op, value)
    return doc


def _patch_list(doc: dict[str, Any], head: str, op: Any, parts: list[str], value: Any,
                path: str) -> None:
    items = list(doc.get(head) or [])
    item = parts[1] if len(parts) > 1 else value
    if op == "add":
        if item and item not in items:
            items.append(item)
    elif op == "remove":
        if item in items:
            items.remove(item)
    elif op == "replace" and len(parts) > 1:
        items = [value if existing == parts[1] else existing for existing in items]
    else:
        raise exc.bad_request(f"Invalid patch path {path}")
    doc[head] = items


def _patch_nested(doc: dict[str, Any], parts: list[str], op: Any, value: Any) -> None:
    target = doc
    for part in parts[:-1]:
        child = target.get(part)
        if not isinstance(child, dict):
            child = {}
            target[part] = child
        target = child
    if op == "remove":
        target.pop(parts[-1], None)
    else:
        target[parts[-1]] = typed(parts[-1], value)


def public(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A document without its internal members (those starting with ``_``)."""
    return {key: value for key, value in doc.items() if not key.startswith("_")}
