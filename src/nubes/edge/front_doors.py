"""The HTTP data plane: requests addressed to a user's endpoint, not to an AWS API.

API Gateway's APIs (REST and HTTP, host ``<id>.execute-api...``) and Lambda's function
URLs (``<id>.lambda-url...``) take end-user traffic: plain, unsigned HTTP that must reach
the user's function, not the AWS control plane. The edge recognises such a request early
(``addressed``) and hands it, as an ``HttpRequest``, to the *front door* registered for
its kind; the door answers an ``HttpResponse``.

Two ways to address an endpoint on Nubes' one port:

- by host: ``<id>.execute-api.localhost[:port]``, ``<id>.lambda-url.localhost[:port]``,
  and the AWS-shaped ``<id>.execute-api.<region>.amazonaws.com`` and
  ``<id>.lambda-url.<region>.on.aws`` (for clients that build AWS URLs themselves);
- by path, for clients that cannot set a host: ``/_nubes/execute-api/<id>/<stage>/...``
  and ``/_nubes/lambda-url/<id>/...``.

API Gateway's REST APIs (v1) and HTTP APIs (v2) share the ``execute-api`` host form, so
several doors may register under one kind; the one that ``owns`` the id serves it. Ids
are unique across the doors of a kind (``FrontDoors.new_id``).
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import parse_qsl

from nubes.edge.sigv4 import AuthResult, KeyLookup, verify
from nubes.protocol.http import Request

EXECUTE_API = "execute-api"
LAMBDA_URL = "lambda-url"
KINDS = (EXECUTE_API, LAMBDA_URL)

_PATH_PREFIX = "/_nubes/"
_AWS_SUFFIXES = {EXECUTE_API: ".amazonaws.com", LAMBDA_URL: ".on.aws"}


@dataclass(slots=True)
class HttpRequest:
    """One end-user request to an endpoint, as a front door sees it.

    ``path`` is percent-encoded as received, with the path-form prefix
    (``/_nubes/<kind>/<id>``) removed: for ``execute-api`` it still starts with the
    stage (``/prod/pets/1``), or is the whole path a ``$default`` stage serves; ``stage``
    is its first segment, the candidate stage name. ``headers`` keeps repeated headers
    as separate pairs (lower-case names), for multiValueHeaders and cookies.
    """

    kind: str
    target_id: str
    method: str
    path: str
    query_string: str  # raw, as received
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    host: str  # the Host header as sent ("" when none)
    stage: str | None  # execute-api only: the first path segment
    path_form: bool  # addressed as /_nubes/<kind>/<id>/..., not by host
    original: Request = field(repr=False)  # as received: what a SigV4 signature covers

    def header(self, name: str) -> str | None:
        """The first value of a header (``name`` lower-case)."""
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]

    @property
    def query(self) -> list[tuple[str, str]]:
        """Decoded query parameters in order, repeated keys kept."""
        return parse_qsl(self.query_string, keep_blank_values=True)

    @property
    def path_after_stage(self) -> str:
        """The path without its first segment (the stage): ``/prod/pets`` -> ``/pets``."""
        rest = self.path[1:].partition("/")
        return "/" + rest[2] if rest[1] else "/"

    @property
    def domain_name(self) -> str:
        """The endpoint's host name, without the port, as requestContext.domainName."""
        if self.path_form or not self.host:
            return f"{self.target_id}.{self.kind}.localhost"
        return _without_port(self.host)


def _without_port(host: str) -> str:
    name, sep, port = host.rpartition(":")
    return name if sep and port.isdigit() else host


@dataclass(slots=True)
class HttpResponse:
    """A front door's answer: headers as pairs, so several Set-Cookie headers work."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def json_message(status: int, message: str) -> HttpResponse:
    """An error as API Gateway and function URLs answer them: ``{"message": ...}``."""
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return HttpResponse(status, [("content-type", "application/json")], body)



class FrontDoor(Protocol):
    """What serves one kind of endpoint (API Gateway v1, v2; function URLs)."""

    def owns(self, target_id: str) -> bool:
        """Whether ``target_id`` is one of this door's APIs or URLs (any account)."""
        ...

    async def serve(self, request: HttpRequest) -> HttpResponse: ...


class FrontDoors:
    """The registered front doors, by kind; several may share a kind (v1 and v2)."""

    def __init__(self) -> None:
        self._doors: dict[str, list[FrontDoor]] = {}

    def register(self, kind: str, door: FrontDoor) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown front door kind {kind!r}")
        self._doors.setdefault(kind, []).append(door)

    def door_for(self, kind: str, target_id: str) -> FrontDoor | None:
        for door in self._doors.get(kind, ()):
            if door.owns(target_id):
                return door
        return None

    def new_id(self, kind: str, length: int = 10) -> str:
        """A fresh id no door of ``kind`` owns: lower-case letters and digits, as AWS's."""
        alphabet = string.ascii_lowercase + string.digits
        while True:
            candidate = "".join(secrets.choice(alphabet) for _ in range(length))
            if self.door_for(kind, candidate) is None:
                return candidate

    async def serve(self, request: HttpRequest) -> HttpResponse:
        door = self.door_for(request.kind, request.target_id)
        if door is None:
            return json_message(404, "Not Found")
        return await door.serve(request)


@dataclass(frozen=True, slots=True)
class Address:
    """Where a request is addressed: the kind, the id, and the path the endpoint sees."""

    kind: str
    target_id: str
    path: str
    path_form: bool


def addressed(request: Request) -> Address | None:
    """The endpoint a request is addressed to, or None for an AWS API request."""
    path = request.path
    if path.startswith(_PATH_PREFIX):
        for kind in KINDS:
            prefix = f"{_PATH_PREFIX}{kind}/"
            if path.startswith(prefix):
                target_id, slash, rest = path[len(prefix):].partition("/")
                if target_id:
                    return Address(kind, target_id, slash + rest or "/", True)
    host = request.headers.get("host", "")
    kind_and_id = _host_target(host.lower())
    if kind_and_id is None:
        return None
    return Address(kind_and_id[0], kind_and_id[1], path or "/", False)


def _host_target(host: str) -> tuple[str, str] | None:
    if ".execute-api." not in host and ".lambda-url." not in host:
        return None
    name = _without_port(host)
    target_id, _, rest = name.partition(".")
    kind, _, domain = rest.partition(".")
    if not target_id or kind not in KINDS:
        return None
    if domain == "localhost":
        return kind, target_id
    region, _, suffix = domain.partition(".")
    if region and "." + suffix == _AWS_SUFFIXES[kind]:
        return kind, target_id
    return None


def http_request(request: Request, address: Address, body: bytes) -> HttpRequest:
    """The request as its front door sees it (``body`` read whole)."""
    stage = None
    if address.kind == EXECUTE_API:
        stage = address.path[1:].partition("/")[0] or None
    return HttpRequest(
        kind=address.kind, target_id=address.target_id, method=request.method,
        path=address.path, query_string=request.query_string,
        headers=request.raw_headers or list(request.headers.items()), body=body,
        source_ip=request.client_ip or "127.0.0.1",
        host=request.headers.get("host", ""), stage=stage, path_form=address.path_form,
        original=request,
    )


def verify_signature(request: HttpRequest, keys: KeyLookup) -> AuthResult | None:
    """The SigV4 signature of an endpoint request (function URLs with AuthType AWS_IAM).

    None when the request is unsigned; raises a ``ServiceError`` when the signature is
    malformed, wrong, out of date, or made with an unknown key. The signature covers the
    request as the client sent it (the path-form prefix included).
    """
    return verify(request.original, keys, flavour="rest-json", now=datetime.now(UTC))
