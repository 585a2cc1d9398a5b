"""Function URLs, the data plane: the ``lambda-url`` front door.

A request to ``<url-id>.lambda-url.localhost:<port>`` (or ``/_nubes/lambda-url/<url-id>/``)
goes, in order, through: the URL's CORS (a preflight is answered here, without invoking);
its auth (NONE: the function's resource policy must let ``*`` call
``lambda:InvokeFunctionUrl`` with ``lambda:FunctionUrlAuthType`` NONE; AWS_IAM: a valid
SigV4 signature for service ``lambda``, from the function's account or one the policy
allows); the invocation, through the same path as Invoke (concurrency, metering, logs);
and the mapping of the result to HTTP, with CORS headers added. The event and the
mapping are payload format 2.0's, shared with HTTP APIs (``apigw.lambda_proxy``); function
URLs fill it their way: ``routeKey`` and ``stage`` are ``$default``, ``apiId`` and
``domainPrefix`` the URL's id, ``accountId`` is ``anonymous`` for AuthType NONE, and
``requestContext.authorizer.iam`` names the signer of an AWS_IAM request.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from nubes.apigw.lambda_proxy import MalformedResponse, Route, event_v2, response_v2
from nubes.edge.front_doors import HttpRequest, HttpResponse, verify_signature
from nubes.edge.sigv4 import KeyLookup
from nubes.errors import ServiceError
from nubes.events import policy
from nubes.runtime.api import Invocation, TooManyRequests
from nubes.services.lambda_.arns import FunctionRef
from nubes.services.lambda_.invoke import MAX_RESPONSE, MAX_SYNC_PAYLOAD
from nubes.services.lambda_.provider import LambdaProvider
from nubes.services.lambda_.url_store import FunctionUrl

log = logging.getLogger(__name__)

ACTION = "lambda:InvokeFunctionUrl"


def message(status: int, text: str, error_type: str | None = None) -> HttpResponse:
    """Function URLs' own errors: ``{"Message": ...}``."""
    headers = [("content-type", "application/json")]
    if error_type:
        headers.append(("x-amzn-errortype", error_type))
    return HttpResponse(status, headers, json.dumps({"Message": text}).encode())


@dataclass(frozen=True, slots=True)
class Caller:
    """Who signed an AWS_IAM request."""

    access_key: str
    account_id: str

    def authorizer(self) -> dict[str, Any]:
        return {"iam": {
            "accessKey": self.access_key, "accountId": self.account_id,
            "callerId": self.access_key, "cognitoIdentity": None, "principalOrgId": None,
            "userArn": f"arn:aws:iam::{self.account_id}:root", "userId": self.account_id,
        }}


FORBIDDEN = message(403, "Forbidden", "AccessDeniedException")


def internal_error() -> HttpResponse:
    return HttpResponse(502, [("content-type", "application/json")], b"Internal Server Error")


class FunctionUrlDoor:
    """Serves every function URL, whatever its account (the id is global, as on AWS)."""

    def __init__(self, lam: LambdaProvider, keys: KeyLookup) -> None:
        self.lam = lam
        self.keys = keys

    def owns(self, target_id: str) -> bool:
        return self.lam.urls.by_id(target_id) is not None

    async def serve(self, request: HttpRequest) -> HttpResponse:
        url = self.lam.urls.by_id(request.target_id)
        if url is None:
            return message(404, "Not Found")
        cors = url.cors
        origin = request.header("origin")
        if cors is not None and request.method == "OPTIONS" and origin \
                and request.header("access-control-request-method"):
            return HttpResponse(200, preflight_headers(cors, origin, request))
        answer = await self._answer(url, request)
        if cors is not None and origin:
            answer.headers = [(n, v) for n, v in answer.headers
                              if not n.lower().startswith("access-control-")]
            answer.headers.extend(actual_headers(cors, origin))
        return answer

    async def _answer(self, url: FunctionUrl, request: HttpRequest) -> HttpResponse:
        ref = FunctionRef(url.account_id, url.region, url.function, url.qualifier or None)
        allowed, signer = self._caller(url, request, ref)
        if not allowed:
            return FORBIDDEN
        if len(request.body) > MAX_SYNC_PAYLOAD:
            return message(413, "Request must be smaller than 6291456 bytes for the "
                                "InvokeFunction operation", "RequestTooLargeException")
        request_id = str(uuid.uuid4())
        route = Route(account_id=url.account_id if signer else "anonymous",
                      api_id=url.url_id, stage="$default", request_id=request_id,
                      path=request.path or "/",
                      authorizer=signer.authorizer() if signer else None)
        payload = json.dumps(event_v2(request, route)).encode()
        return await self._invoke(ref, payload, request_id)

    def _caller(self, url: FunctionUrl, request: HttpRequest, ref: FunctionRef
                ) -> tuple[bool, Caller | None]:
        """Whether the request may call the URL, and who signed it (AWS_IAM)."""
        statements = self.lam.store.statements(ref.account_id, ref.region, ref.name,
                                               ref.qualifier or "")
        if url.auth_type == "NONE":
            return allows(statements, "*", url, ref.qualified_arn), None
        try:
            auth = verify_signature(request, self.keys)
        except ServiceError:
            return False, None
        if auth is None or auth.service != "lambda":
            return False, None
        principal = f"arn:aws:iam::{auth.account_id}:root"
        if auth.account_id != url.account_id and \
                not allows(statements, principal, url, ref.qualified_arn):
            return False, None
        return True, Caller(auth.access_key, auth.account_id)

    async def _invoke(self, ref: FunctionRef, payload: bytes, request_id: str
                      ) -> HttpResponse:
        lam = self.lam
        try:
            fv = lam.route(ref, lam.specs.version)
        except ServiceError:
            return message(404, "Not Found")
        if not fv.ready:
            return message(503, "Service Unavailable")
        invocation = Invocation(request_id=request_id, payload=payload,
                                invoked_arn=ref.qualified_arn)
        spec = await lam.spec(fv)
        try:
            result = await lam.invoker.invoke(spec, invocation)
        except TooManyRequests:
            return message(429, "Rate Exceeded.", "TooManyRequestsException")
        if result.function_error or len(result.payload) > MAX_RESPONSE:
            return internal_error()
        try:
            answer = response_v2(result.payload)
        except MalformedResponse as malformed:
            log.info("lambda: function URL of %s answered a malformed response: %s",
                     ref.qualified_arn, malformed)
            return internal_error()
        answer.headers.append(("x-amzn-requestid", request_id))
        return answer


# -- the resource policy ------------------------------------------------------------------

def allows(statements: list[dict[str, Any]], principal: str, url: FunctionUrl,
           resource: str) -> bool:
    """Whether the function's policy lets ``principal`` (``*``, or an account's root
    ARN) invoke its URL: an Allow for ``lambda:InvokeFunctionUrl`` whose conditions hold
    for this URL's auth type, and no such Deny."""
    return policy.allows(statements, policy.Request(
        principal, ACTION, resource,
        extra={"lambda:FunctionUrlAuthType": url.auth_type,
               "lambda:InvokedViaFunctionUrl": "true"}))


# -- CORS ---------------------------------------------------------------------------------

def _allowed_origin(cors: dict[str, Any], origin: str) -> str | None:
    origins = cors.get("AllowOrigins") or []
    if origin in origins:
        return origin
    if "*" in origins:
        return origin if cors.get("AllowCredentials") else "*"
    if any(fnmatch.fnmatchcase(origin, o) for o in origins if "*" in o):
        return origin
    return None


def preflight_headers(cors: dict[str, Any], origin: str, request: HttpRequest
                      ) -> list[tuple[str, str]]:
    """The answer to a CORS preflight: empty when the origin or method is not allowed."""
    allowed = _allowed_origin(cors, origin)
    method = (request.header("access-control-request-method") or "").upper()
    methods = [m.upper() for m in cors.get("AllowMethods") or []]
    if allowed is None or ("*" not in methods and method not in methods):
        return []
    headers = [("access-control-allow-origin", allowed),
               ("access-control-allow-methods", ",".join(methods))]
    if cors.get("AllowHeaders"):
        headers.append(("access-control-allow-headers", ",".join(cors["AllowHeaders"])))
    if cors.get("ExposeHeaders"):
        headers.append(("access-control-expose-headers", ",".join(cors["ExposeHeaders"])))
    if cors.get("MaxAge") is not None:
        headers.append(("access-control-max-age", str(cors["MaxAge"])))
    if cors.get("AllowCredentials"):
        headers.append(("access-control-allow-credentials", "true"))
    headers.append(("vary", "Origin"))
    return headers


def actual_headers(cors: dict[str, Any], origin: str) -> list[tuple[str, str]]:
    """CORS headers on an answer to a cross-origin request (they replace the function's)."""
    allowed = _allowed_origin(cors, origin)
    if allowed is None:
        return []
    headers = [("access-control-allow-origin", allowed), ("vary", "Origin")]
    if cors.get("ExposeHeaders"):
        headers.append(("access-control-expose-headers", ",".join(cors["ExposeHeaders"])))
    if cors.get("AllowCredentials"):
        headers.append(("access-control-allow-credentials", "true"))
    return headers
