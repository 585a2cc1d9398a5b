"""The request path, as one ordered list of small handlers (``HANDLERS``).

Reading ``HANDLERS`` tells everything a request goes through. Each handler reads and
fills the ``Exchange``; one that sets ``exchange.response`` ends the chain. A
``ServiceError`` raised anywhere is answered in the protocol of the service addressed.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from botocore.model import OperationModel, ServiceModel

from nubes import __version__
from nubes.accounts import AccountStore
from nubes.config import Settings
from nubes.edge import routing
from nubes.edge.chunked import decoding_stream
from nubes.edge.exchange import Exchange
from nubes.edge.front_doors import FrontDoors, addressed, http_request, json_message
from nubes.edge.s3_post import s3_post_upload
from nubes.edge.sigv4 import credential_scope, verify
from nubes.edge.sns_confirm import sns_subscribe_url
from nubes.errors import (
    AccessDenied,
    MissingAuthentication,
    NotImplementedOperation,
    UnknownOperation,
)
from nubes.metering import Metrics
from nubes.protocol.catalog import service_model
from nubes.protocol.http import Request, Response
from nubes.protocol.parsers import parse_request
from nubes.protocol.router import RestRouter
from nubes.protocol.serializers import serialize_response
from nubes.protocol.sqs_query import is_query_request, query_model
from nubes.services.base import Provider, RequestContext
from nubes.services.lambda_.provider import LambdaProvider
from nubes.services.s3 import cors
from nubes.services.s3.provider import S3Provider
from nubes.services.sns.provider import SnsProvider

log = logging.getLogger("nubes.edge")

Handler = Callable[["Edge", Exchange], Awaitable[None]]

_JSON = ("content-type", "application/json")
_PROMETHEUS = ("content-type", "text/plain; version=0.0.4; charset=utf-8")

# The auth error flavour of each protocol (the codes differ between S3 and the rest).
_FLAVOURS = {"rest-xml": "s3", "json": "json", "rest-json": "rest-json", "query": "query"}


@dataclass
class Edge:
    """What the handlers share: settings, accounts and the providers."""

    settings: Settings
    accounts: AccountStore
    providers: dict[str, Provider]
    metrics: Metrics | None = None
    # API Gateway's and function URLs' endpoints (the HTTP data plane), by kind.
    front_doors: FrontDoors = field(default_factory=FrontDoors)

    def router(self, model: ServiceModel) -> RestRouter:
        return _router(model)


@cache
def _router(model: ServiceModel) -> RestRouter:
    return RestRouter(model)


async def serve_internal(edge: Edge, ex: Exchange) -> None:
    """Nubes' own endpoints: ``/_nubes/...`` and Prometheus' ``/metrics``."""
    path = ex.request.path
    if addressed(ex.request) is not None:
        return  # a request for a user's endpoint, /metrics included (front_door)
    if path == "/metrics" and _unsigned(ex.request):  # signed: S3's bucket "metrics"
        path = "/_nubes/metrics"
    if not path.startswith("/_nubes/"):
        return
    if path == "/_nubes/metrics":
        text = edge.metrics.render() if edge.metrics else ""
        ex.response = Response(200, [_PROMETHEUS], text.encode())
    elif path == "/_nubes/health":
        services = {name: "running" for name in edge.providers}
        health = {"status": "ok", "version": __version__, "services": services}
        ex.response = Response(200, [_JSON], json.dumps(health).encode())
    elif path.startswith("/_nubes/lambda/code/"):
        ex.response = _lambda_code(edge, path.rpartition("/")[2], ex.request.query_dict())
    elif path.startswith("/_nubes/sns/"):
        ex.response = _sns_certificate(edge, path.rpartition("/")[2])
    else:
        ex.response = Response(404, [_JSON], b'{"message":"Not Found"}')


def _unsigned(request: Request) -> bool:
    query = request.query_string
    return "authorization" not in request.headers and "Signature=" not in query


def _lambda_code(edge: Edge, sha: str, query: dict[str, str]) -> Response:
    """A function's zip, for GetFunction's Code.Location link (signed, expiring)."""
    provider = edge.providers.get("lambda")
    found = provider.code_download(sha, query) if isinstance(provider, LambdaProvider) else None
    if found is None:
        return Response(403, [_JSON], b'{"message":"Access Denied"}')
    stream, size = found
    return Response(200, [("content-type", "application/zip"),
                          ("content-length", str(size))], stream)


def _sns_certificate(edge: Edge, name: str) -> Response:
    """The certificate SNS signs messages with (their SigningCertURL)."""
    provider = edge.providers.get("sns")
    found = provider.signing_certificate(name) if isinstance(provider, SnsProvider) else None
    if found is None:
        return Response(404, [_JSON], b'{"message":"Not Found"}')
    return Response(200, [("content-type", "application/x-pem-file")], found)


async def front_door(edge: Edge, ex: Exchange) -> None:
    """A request to a user's HTTP endpoint (an API, a function URL): its front door
    answers, unsigned, with no AWS API involved (``front_doors``)."""
    address = addressed(ex.request)
    if address is None:
        return
    request = http_request(ex.request, address, await ex.read_body())
    try:
        answer = await edge.front_doors.serve(request)
    except Exception:
        log.exception("front door %s %s failed in request %s", address.kind,
                      address.target_id, ex.request_id)
        answer = json_message(500, "Internal Server Error")
    ex.response = Response(answer.status, list(answer.headers), answer.body)


async def route_service(edge: Edge, ex: Exchange) -> None:
    ex.scope = credential_scope(ex.request)
    ex.service = routing.route_service(ex.request, ex.scope).service
    if ex.service == "s3":  # S3's request ids are 16 upper-case hex digits
        ex.request_id = ex.request_id.replace("-", "")[:16].upper()
    ex.model = service_model(ex.service)
    ex.provider = edge.providers.get(ex.service)


async def s3_virtual_host(edge: Edge, ex: Exchange) -> None:
    """``<bucket>.s3.localhost:4566/key`` becomes ``/bucket/key`` (S3 requests only)."""
    if ex.service != "s3":
        return
    bucket = routing.s3_virtual_host_bucket(ex.request.host)
    if bucket is not None:
        ex.request.signed_path = ex.request.path
        ex.request.path = f"/{bucket}{ex.request.path}" if ex.request.path != "/" else f"/{bucket}"


async def s3_cors(edge: Edge, ex: Exchange) -> None:
    """Answer S3 CORS preflights, and add CORS headers to cross-origin requests."""
    origin = ex.request.headers.get("origin")
    provider = ex.provider
    if ex.service != "s3" or not isinstance(provider, S3Provider):
        return
    if ex.request.method != "OPTIONS" and not origin:
        return
    bucket, _, key = ex.request.decoded_path.lstrip("/").partition("/")
    rules = provider.cors_rules(bucket) if bucket else None
    if ex.request.method == "OPTIONS":
        headers = cors.preflight(
            rules, origin, ex.request.headers.get("access-control-request-method"),
            ex.request.headers.get("access-control-request-headers"),
            "OBJECT" if key else "BUCKET",
        )
        ex.response = Response(200, list(headers.items()))
    elif origin:
        ex.extra_headers.update(cors.actual(rules, origin, ex.request.method))


async def find_operation(edge: Edge, ex: Exchange) -> None:
    """The operation: from the path (rest), X-Amz-Target (json) or Action (query)."""
    model = ex.model
    assert model is not None
    request = ex.request
    try:
        if model.protocol in ("rest-xml", "rest-json"):
            ex.operation, ex.uri_params = edge.router(model).match(
                request.method, request.path, request.query_dict(), request.headers
            )
        elif model.protocol == "json" and not is_query_request(model, "x-amz-target" in
                                                                  request.headers):
            target = request.headers.get("x-amz-target", "")
            ex.operation = _operation(model, target.rpartition(".")[2])
        else:
            if model.protocol == "json":
                # A query-compatible json service (SQS) addressed in its old query
                # protocol: parsed and answered (errors too) through its query twin.
                ex.model = model = query_model(model.service_name)
            await ex.read_body()
            action = request.query_dict().get("Action") or _form_action(request.body)
            ex.operation = _operation(model, action)
    except UnknownOperation as error:
        ex.deferred_error = error


def _operation(model: ServiceModel, name: str | None) -> OperationModel:
    if not name or name not in model.operation_names:
        raise UnknownOperation(f"Unknown operation {name!r} for service {model.service_name}.")
    return model.operation_model(name)


def _form_action(body: bytes) -> str | None:
    for pair in body.split(b"&"):
        if pair.startswith(b"Action="):
            return pair[7:].decode("utf-8", "replace")
    return None


def streams_input(operation: OperationModel | None) -> bool:
    """Whether the input is a streaming blob (S3 uploads), read as it arrives.

    botocore's ``has_streaming_input`` also counts plain blob payloads (Lambda's Invoke),
    which are small and read whole; only the ``streaming`` trait makes a stream.
    """
    if operation is None or not operation.has_streaming_input:
        return False
    if operation.metadata.get("protocol") != "rest-xml":
        return False  # only S3's uploads are large; Lambda's InvokeAsync (256 KB) is read whole
    return bool(operation.get_streaming_input().serialization.get("streaming"))


async def read_body(edge: Edge, ex: Exchange) -> None:
    """Read the whole body, unless the operation streams its input (S3 uploads)."""
    if not streams_input(ex.operation):
        await ex.read_body()


async def authenticate(edge: Edge, ex: Exchange) -> None:
    """Verify the SigV4 signature; the access key gives the account."""
    model = ex.model
    assert model is not None
    flavour = _FLAVOURS.get(model.protocol, "json")
    auth = verify(ex.request, edge.accounts, flavour=flavour, now=datetime.now(UTC))
    if auth is None:
        if ex.deferred_error is None and flavour == "s3":
            raise AccessDenied("Access Denied")
        if ex.deferred_error is None:
            raise MissingAuthentication("Missing Authentication Token")
    ex.auth = auth
    if ex.deferred_error is not None:
        raise ex.deferred_error
    if auth is not None and auth.presigned and flavour == "s3":
        _presigned_headers(ex.request)
    if streams_input(ex.operation):
        ex.request.stream = decoding_stream(ex.request, auth, ex.raw_body)


# Query parameters of a presigned URL that sign and authenticate, not headers to apply.
_AUTH_PARAMS = frozenset({
    "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires",
    "x-amz-signedheaders", "x-amz-signature", "x-amz-security-token",
})


def _presigned_headers(request: Request) -> None:
    """Headers a presigned URL carries in its query (``x-amz-meta-*``, Content-Type...).

    SDKs move them there when presigning (the signature covers them), and S3 applies them
    as if they had been sent as headers.
    """
    for name, value in request.query:
        lname = name.lower()
        is_header = lname.startswith("x-amz-") or lname in ("content-type", "content-md5")
        if is_header and lname not in _AUTH_PARAMS and lname not in request.headers:
            request.headers[lname] = value


async def parse_input(edge: Edge, ex: Exchange) -> None:
    operation = ex.operation
    assert operation is not None
    if ex.provider is None or ex.provider.handler(operation.name) is None:
        raise NotImplementedOperation(
            f"Nubes does not implement {ex.service}:{operation.name} yet.",
        )
    ex.params = parse_request(operation, ex.request, ex.uri_params)


async def call_provider(edge: Edge, ex: Exchange) -> None:
    operation, provider, auth = ex.operation, ex.provider, ex.auth
    assert operation is not None and provider is not None and auth is not None
    found = provider.handler(operation.name)
    assert found is not None
    method, is_async = found
    ex.context = RequestContext(
        request=ex.request,
        request_id=ex.request_id,
        service=ex.service or "",
        account_id=auth.account_id,
        region=auth.region or edge.settings.region,
        access_key=auth.access_key,
        operation=operation,
        endpoint=f"{ex.request.scheme}://{ex.request.host or f'localhost:{edge.settings.port}'}",
    )
    result: Any = method(ex.context, ex.params)
    ex.output = await result if is_async or inspect.isawaitable(result) else result


async def serialize_output(edge: Edge, ex: Exchange) -> None:
    assert ex.operation is not None and ex.context is not None
    ex.response = serialize_response(
        ex.operation,
        ex.output or {},
        ex.request_id,
        status=ex.context.status,
        headers=ex.context.headers or None,
    )


HANDLERS: tuple[Handler, ...] = (
    serve_internal,  # /_nubes/health and friends
    front_door,  # <id>.execute-api / <id>.lambda-url: users' endpoints, unsigned
    route_service,  # credential scope, X-Amz-Target, Action, path
    sns_subscribe_url,  # SNS's SubscribeURL: an unsigned ConfirmSubscription GET
    s3_virtual_host,  # <bucket>.s3.localhost -> path-style
    s3_cors,  # browsers: preflights answered, CORS headers added, before auth
    s3_post_upload,  # browsers: POST /<bucket> form uploads, signed by their policy
    find_operation,  # the operation and its URI labels
    read_body,  # whole body, unless the input streams
    authenticate,  # SigV4 -> account and region; streaming bodies verified as read
    parse_input,  # botocore-model-driven parse into the operation's input
    call_provider,  # the service does the work
    serialize_output,  # botocore-model-driven response
)
