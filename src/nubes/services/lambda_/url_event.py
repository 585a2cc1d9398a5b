"""What a function behind a function URL sees and sends back: the request as API Gateway's
payload format 2.0 with function URLs' values, and the function's result as HTTP.

Function URLs fill the 2.0 shape their own way: ``routeKey`` and ``stage`` are
``$default``, ``apiId`` and ``domainPrefix`` are the URL's id, ``accountId`` is
``anonymous`` for AuthType NONE, ``requestContext.authorizer.iam`` names the signer for
AWS_IAM, and there are no path parameters or stage variables. A result that is not an
object with a ``statusCode`` is the body itself (status 200, ``application/json``).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nubes.edge.front_doors import HttpRequest, HttpResponse

# Request bodies of these content types are passed as text; others base64.
_TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml",
               "application/x-www-form-urlencoded", "application/yaml", "+json", "+xml")
_DEFAULT_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who signed an AWS_IAM request."""

    access_key: str
    account_id: str


def event(request: HttpRequest, *, url_id: str, account_id: str, request_id: str,
          caller: Caller | None, now: float | None = None) -> dict[str, Any]:
    """The payload-2.0 event of one request to a function URL."""
    now = time.time() if now is None else now
    headers, cookies = _headers(request)
    path = request.path.partition("?")[0] or "/"
    context: dict[str, Any] = {
        "accountId": account_id if caller is not None else "anonymous",
        "apiId": url_id,
        "domainName": _domain_name(request, url_id),
        "domainPrefix": url_id,
        "http": {"method": request.method, "path": path, "protocol": "HTTP/1.1",
                 "sourceIp": request.source_ip,
                 "userAgent": request.header("user-agent") or ""},
        "requestId": request_id,
        "routeKey": "$default",
        "stage": "$default",
        "time": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now * 1000),
    }
    if caller is not None:
        context["authorizer"] = {"iam": {
            "accessKey": caller.access_key, "accountId": caller.account_id,
            "callerId": caller.access_key, "cognitoIdentity": None, "principalOrgId": None,
            "userArn": f"arn:aws:iam::{caller.account_id}:root",
            "userId": caller.account_id,
        }}
    out: dict[str, Any] = {
        "version": "2.0", "routeKey": "$default", "rawPath": path,
        "rawQueryString": request.query_string, "headers": headers,
    }
    if cookies:
        out["cookies"] = cookies
    query = _query(request)
    if query:
        out["queryStringParameters"] = query
    out["requestContext"] = context
    if request.body:
        text = _is_text(request.header("content-type") or "")
        if text:
            try:
                out["body"] = request.body.decode()
            except UnicodeDecodeError:
                text = False
        if not text:
            out["body"] = base64.b64encode(request.body).decode()
        out["isBase64Encoded"] = not text
    else:
        out["isBase64Encoded"] = False
    return out


def _domain_name(request: HttpRequest, url_id: str) -> str:
    if request.path_form or not request.host:
        return f"{url_id}.lambda-url.localhost"
    return request.domain_name


def _headers(request: HttpRequest) -> tuple[dict[str, str], list[str]]:
    """Headers (repeats joined with commas) and the cookies, which leave the headers."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        if name == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", request.original.scheme)
    port = request.host.rpartition(":")[2] if ":" in request.host else "80"
    headers.setdefault("x-forwarded-port", port)
    headers.setdefault("x-amzn-trace-id",
                       f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}")
    return headers, cookies


def _query(request: HttpRequest) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in request.query:
        out[name] = f"{out[name]},{value}" if name in out else value
    return out


def _is_text(content_type: str) -> bool:
    kind = content_type.lower()
    return any(marker in kind for marker in _TEXT_TYPES)


# -- the function's answer ----------------------------------------------------------------

class MalformedResponse(ValueError):
    """A result that cannot be made into an HTTP response (answered 502)."""


def response(payload: bytes) -> HttpResponse:
    """The HTTP response a function's result maps to; ``MalformedResponse`` if none."""
    try:
        result = json.loads(payload) if payload else None
    except (ValueError, UnicodeDecodeError):
        return HttpResponse(200, [("content-type", _DEFAULT_TYPE)], payload)
    if not isinstance(result, dict) or "statusCode" not in result:
        return HttpResponse(200, [("content-type", _DEFAULT_TYPE)], payload)
    status = result["statusCode"]
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status!r}")
    headers = _response_headers(result.get("headers"))
    for cookie in _strings(result.get("cookies"), "cookies"):
        headers.append(("set-cookie", cookie))
    if not any(name == "content-type" for name, _ in headers):
        headers.append(("content-type", _DEFAULT_TYPE))
    return HttpResponse(status, headers, _body(result))


def _response_headers(given: Any) -> list[tuple[str, str]]:
    if given is None:
        return []
    if not isinstance(given, dict):
        raise MalformedResponse("headers")
    headers = []
    for name, value in given.items():
        if isinstance(value, (dict, list)) or value is None:
            raise MalformedResponse(f"header {name}")
        text = str(value).lower() if isinstance(value, bool) else str(value)
        headers.append((str(name).lower(), text))
    return headers


def _strings(given: Any, member: str) -> list[str]:
    if given is None:
        return []
    if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
        raise MalformedResponse(member)
    return given


def _body(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        return json.dumps(body).encode()
    if result.get("isBase64Encoded") is True:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedResponse("body is not base64") from None
    return body.encode()
