"""Lambda proxy integrations: the event a function receives, and its answer mapped back.

Two payload formats, as AWS documents them ("Set up Lambda proxy integrations in API
Gateway", "Create AWS Lambda proxy integrations for HTTP APIs"):

- **1.0**: REST APIs, and HTTP APIs that ask for it: ``headers`` (last value of each)
  with ``multiValueHeaders`` (all of them), the same pair for the query string,
  ``requestContext.identity``; the answer is ``statusCode``, ``headers``,
  ``multiValueHeaders``, ``body`` and ``isBase64Encoded``, and anything else is a
  malformed answer (502 ``Internal server error``).
- **2.0**: HTTP APIs and function URLs: lower-case headers and query parameters with
  repeated values comma-joined, ``cookies`` apart, ``rawPath``/``rawQueryString``; the
  answer may also carry ``cookies`` (one ``Set-Cookie`` each), and an answer that is not
  an object with a ``statusCode`` is sent as a JSON body with 200.

The builders take the request as the front door got it (``HttpRequest``) plus what the
caller knows of the route, and return the event as a dict; the mappers take the
function's payload (bytes) and return an ``HttpResponse``, or raise ``MalformedResponse``.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from nubes.edge.front_doors import HttpRequest, HttpResponse

# Content types whose bodies pass as text in payload format 2.0 (HTTP APIs and function
# URLs); others, and any body that is not UTF-8, are base64-encoded.
_TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml",
               "application/yaml", "application/x-www-form-urlencoded",
               "application/graphql", "application/ecmascript")
_TEXT_SUFFIXES = ("+json", "+xml", "+yaml")

_IDENTITY_KEYS = ("cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller",
                  "sourceIp", "principalOrgId", "accessKey", "cognitoAuthenticationType",
                  "cognitoAuthenticationProvider", "userArn", "userAgent", "user")


class MalformedResponse(Exception):
    """The function answered something the payload format cannot map (API Gateway's
    "Malformed Lambda proxy response")."""


@dataclass(slots=True)
class Route:
    """What the caller found for the request: the API, stage, route and its parameters.

    ``path`` is the path the event shows (``path`` in 1.0, ``rawPath`` in 2.0);
    ``context_path`` is ``requestContext.path`` (1.0: REST APIs put the stage in front).
    """

    account_id: str
    api_id: str
    stage: str
    request_id: str
    path: str
    context_path: str | None = None
    route_key: str = "$default"  # 2.0: "GET /pets/{id}"; 1.0: the resource path
    resource_id: str | None = None  # REST APIs' resource id
    path_parameters: Mapping[str, str] | None = None
    stage_variables: Mapping[str, str] | None = None
    authorizer: Mapping[str, Any] | None = None
    extended_request_id: str | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def request_time(moment: datetime) -> str:
    """``12/Mar/2020:19:03:58 +0000``, as ``requestTime`` and 2.0's ``time``."""
    return moment.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def is_text(content_type: str | None) -> bool:
    """Whether a body of this type passes as text in payload format 2.0."""
    if not content_type:
        return True  # no type: API Gateway passes the body as it is
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith(_TEXT_TYPES) or media.endswith(_TEXT_SUFFIXES)


def is_binary_media_type(content_type: str | None, binary_media_types: Iterable[str]) -> bool:
    """Whether a REST API treats a body as binary (its ``binaryMediaTypes``, wildcards
    such as ``image/*`` and ``*/*`` allowed)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    types = [t.lower() for t in binary_media_types]
    if "*/*" in types:
        return True
    return bool(media) and any(fnmatch.fnmatchcase(media, t) for t in types)


def _body(body: bytes, binary: bool) -> tuple[str | None, bool]:
    if not body:
        return None, False
    if not binary:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def _with_forwarded(request: HttpRequest) -> list[tuple[str, str]]:
    """The request's headers plus those API Gateway adds (X-Forwarded-*)."""
    headers = list(request.headers)
    names = {name for name, _ in headers}
    if "x-forwarded-for" in names:
        headers = [(n, f"{v}, {request.source_ip}" if n == "x-forwarded-for" else v)
                   for n, v in headers]
    else:
        headers.append(("x-forwarded-for", request.source_ip))
    if "x-forwarded-proto" not in names:
        headers.append(("x-forwarded-proto", request.original.scheme))
    if "x-forwarded-port" not in names:
        host = request.host
        port = host.rpartition(":")[2] if host.rpartition(":")[2].isdigit() else (
            "443" if request.original.scheme == "https" else "80")
        headers.append(("x-forwarded-port", port))
    return headers


def _title(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def event_v1(request: HttpRequest, route: Route, *, binary: bool = False,
             version: str | None = None, title_case: bool = False) -> dict[str, Any]:
    """A payload format 1.0 event (REST APIs; HTTP APIs with ``version="1.0"``).

    ``binary``: the body is base64-encoded (a REST API's binary media type). REST APIs
    pass header names as the client wrote them; Nubes' server sees them lower-cased, so
    ``title_case`` writes them ``Content-Type`` style, as most clients send them.
    """
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in _with_forwarded(request):
        key = _title(name) if title_case else name
        headers[key] = value
        multi_headers.setdefault(key, []).append(value)
    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for key, value in request.query:
        query[key] = value
        multi_query.setdefault(key, []).append(value)
    body, encoded = _body(request.body, binary)
    user_agent = request.header("user-agent")
    identity: dict[str, Any] = dict.fromkeys(_IDENTITY_KEYS)
    identity["sourceIp"] = request.source_ip
    identity["userAgent"] = user_agent
    context: dict[str, Any] = {
        "accountId": route.account_id,
        "apiId": route.api_id,
        "domainName": request.domain_name,
        "domainPrefix": request.target_id,
        "extendedRequestId": route.extended_request_id or route.request_id,
        "httpMethod": request.method,
        "identity": identity,
        "path": route.context_path if route.context_path is not None else route.path,
        "protocol": "HTTP/1.1",
        "requestId": route.request_id,
        "requestTime": request_time(route.now),
        "requestTimeEpoch": epoch_ms(route.now),
        "resourceId": route.resource_id,
        "resourcePath": route.route_key,
        "stage": route.stage,
    }
    if route.authorizer is not None:
        context["authorizer"] = dict(route.authorizer)
    event: dict[str, Any] = {}
    if version is not None:
        event["version"] = version
    event.update({
        "resource": route.route_key,
        "path": route.path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(route.path_parameters) if route.path_parameters else None,
        "stageVariables": dict(route.stage_variables) if route.stage_variables else None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": encoded,
    })
    return event


def event_v2(request: HttpRequest, route: Route) -> dict[str, Any]:
    """A payload format 2.0 event (HTTP APIs, function URLs)."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in _with_forwarded(request):
        if name == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    query: dict[str, str] = {}
    for key, value in request.query:
        query[key] = f"{query[key]},{value}" if key in query else value
    body, encoded = _body(request.body, not is_text(request.header("content-type")))
    context: dict[str, Any] = {
        "accountId": route.account_id,
        "apiId": route.api_id,
        "domainName": request.domain_name,
        "domainPrefix": request.target_id,
        "http": {
            "method": request.method,
            "path": unquote(route.path),
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": request.header("user-agent") or "",
        },
        "requestId": route.request_id,
        "routeKey": route.route_key,
        "stage": route.stage,
        "time": request_time(route.now),
        "timeEpoch": epoch_ms(route.now),
    }
    if route.authorizer is not None:
        context["authorizer"] = dict(route.authorizer)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": route.path,
        "rawQueryString": request.query_string,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = context
    if body is not None:
        event["body"] = body
    if route.path_parameters:
        event["pathParameters"] = dict(route.path_parameters)
    event["isBase64Encoded"] = encoded
    if route.stage_variables:
        event["stageVariables"] = dict(route.stage_variables)
    return event


def _status(value: Any) -> int:
    if isinstance(value, bool):
        raise MalformedResponse("statusCode is not a number")
    if isinstance(value, int):
        status = value
    elif isinstance(value, str) and value.strip().isdigit():
        status = int(value)
    else:
        raise MalformedResponse("statusCode is not a number")
    if not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status} is out of range")
    return status


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise MalformedResponse("a header value is not a string")


def _decoded_body(payload: Mapping[str, Any]) -> bytes:
    body = payload.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResponse("body is not a string")
    if payload.get("isBase64Encoded") is True:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as error:
            raise MalformedResponse("body is not valid base64") from error
    return body.encode("utf-8")


def _object(payload: bytes) -> Any:
    try:
        return json.loads(payload) if payload.strip() else None
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedResponse("the function's answer is not JSON") from error


def response_v1(payload: bytes) -> HttpResponse:
    """A function's 1.0 answer as the HTTP response; ``MalformedResponse`` otherwise."""
    answer = _object(payload)
    if not isinstance(answer, dict) or "statusCode" not in answer:
        raise MalformedResponse("the answer has no statusCode")
    unknown = set(answer) - {"statusCode", "headers", "multiValueHeaders", "body",
                             "isBase64Encoded"}
    if unknown:
        raise MalformedResponse(f"unexpected fields {sorted(unknown)}")
    status = _status(answer["statusCode"])
    headers: list[tuple[str, str]] = []
    single = answer.get("headers") or {}
    multi = answer.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedResponse("headers are not an object")
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse("multiValueHeaders values are not lists")
        headers.extend((str(name), _scalar(v)) for v in values)
    for name, value in single.items():
        if value is not None and str(name).lower() not in {n.lower() for n in multi}:
            headers.append((str(name), _scalar(value)))
    return HttpResponse(status, headers, _decoded_body(answer))


def response_v2(payload: bytes, *, default_content_type: str = "application/json"
                ) -> HttpResponse:
    """A function's 2.0 answer as the HTTP response.

    An object with a ``statusCode`` is read as a response (``headers`` with
    comma-joined values, ``cookies``, ``body``, ``isBase64Encoded``); anything else
    valid JSON is the body of a 200 ``application/json`` answer, as AWS infers it.
    """
    answer = _object(payload)
    if not isinstance(answer, dict) or "statusCode" not in answer:
        body = payload.strip() or b"null"  # the function's answer, as it wrote it
        return HttpResponse(200, [("content-type", "application/json")], body)
    status = _status(answer["statusCode"])
    single = answer.get("headers") or {}
    cookies = answer.get("cookies") or []
    if not isinstance(single, dict):
        raise MalformedResponse("headers are not an object")
    if not isinstance(cookies, list):
        raise MalformedResponse("cookies are not a list")
    headers = [(str(name), _scalar(value)) for name, value in single.items()
               if value is not None]
    headers.extend(("set-cookie", _scalar(cookie)) for cookie in cookies)
    if default_content_type and not any(n.lower() == "content-type" for n, _ in headers):
        headers.append(("content-type", default_content_type))
    return HttpResponse(status, headers, _decoded_body(answer))


def error_response(status: int, message: str) -> HttpResponse:
    return HttpResponse(status, [("content-type", "application/json")],
                        json.dumps({"message": message}).encode())


def header_map(headers: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Lower-case names, repeated values comma-joined (2.0's view of headers)."""
    out: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        out[key] = f"{out[key]},{value}" if key in out else value
    return out
