"""Which service a request is for, on one port shared by all of them.

In order: the SigV4 credential scope's service, then ``X-Amz-Target``, then the query
protocol's ``Action`` (with its ``Version``), then the path — S3 last, because S3 is
greedy: any path is a bucket or a key. S3's virtual-host addressing
(``<bucket>.s3.localhost:<port>``) is turned into path-style here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl

from nubes.edge.sigv4 import Scope
from nubes.errors import NotImplementedOperation
from nubes.protocol.catalog import (
    ROUTED_SERVICES,
    service_by_target_prefix,
    service_model,
    services_by_signing_name,
)
from nubes.protocol.http import Request


@dataclass(frozen=True, slots=True)
class Route:
    service: str
    # The query protocol's Action, when it was found while routing.
    action: str | None = None


@cache
def _query_services_by_version() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in ROUTED_SERVICES:
        model = service_model(name)
        if model.protocol == "query":
            out.setdefault(model.api_version, name)
    return out


class UnknownService(NotImplementedOperation):
    """A request for a service Nubes does not serve; answered in the protocol it used."""

    def __init__(self, name: str, *, json_protocol: bool) -> None:
        super().__init__(f"Nubes does not serve the {name!r} service.")
        # The model whose protocol the error is written in: json or query.
        self.answer_as = "dynamodb" if json_protocol else "sts"


def route_service(request: Request, scope: Scope | None) -> Route:
    """The service a request is addressed to; S3 takes what no other service claims.

    Raises ``UnknownService`` when the signature or ``X-Amz-Target`` names a service
    Nubes does not serve.
    """
    target = request.headers.get("x-amz-target")
    prefix = target.split(".", 1)[0] if target else None
    by_target = service_by_target_prefix(prefix) if prefix else None
    if scope is not None:
        candidates = services_by_signing_name(scope.service)
        if len(candidates) == 1:
            return Route(candidates[0])
        if by_target in candidates:
            return Route(by_target)
        if candidates:
            return Route(_by_path(candidates, request))
        raise UnknownService(scope.service, json_protocol=target is not None)
    if by_target:
        return Route(by_target)
    if prefix:
        raise UnknownService(prefix, json_protocol=True)
    action, version = _action_and_version(request)
    if action:
        service = _query_services_by_version().get(version or "")
        if service:
            return Route(service, action)
    return Route("s3")


def _by_path(candidates: list[str], request: Request) -> str:
    # Services sharing a signing name (apigateway / apigatewayv2) differ by path.
    if "apigatewayv2" in candidates and request.path.startswith("/v2/"):
        return "apigatewayv2"
    return candidates[0]


def _action_and_version(request: Request) -> tuple[str | None, str | None]:
    params = request.query_dict()
    if "Action" in params:
        return params["Action"], params.get("Version")
    content_type = request.headers.get("content-type", "")
    if request.body and content_type.startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        return form.get("Action"), form.get("Version")
    return None, None


# Hosts under localhost that belong to other services, never to an S3 bucket.
_NOT_BUCKET_LABELS = frozenset({"execute-api", "lambda-url", "s3", "www"})


def s3_virtual_host_bucket(host: str) -> str | None:
    """The bucket named by a virtual-hosted-style Host, or None for path-style.

    Recognises ``<bucket>.s3.<anything>`` and ``<bucket>.s3-<region>.<anything>`` (as AWS
    SDKs build them for an ``s3.`` endpoint) and ``<bucket>.localhost`` (as boto3 builds
    them for ``http://localhost:4566``); never an IP address.
    """
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if not name or name[0] == "[" or name.replace(".", "").isdigit():
        return None
    labels = name.split(".")
    for i, label in enumerate(labels):
        if i > 0 and (label == "s3" or label.startswith("s3-")):
            return ".".join(labels[:i])
    if len(labels) >= 2 and labels[-1] == "localhost":
        if _NOT_BUCKET_LABELS.isdisjoint(labels[:-1]):
            return ".".join(labels[:-1])
    return None
