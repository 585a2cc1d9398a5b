"""The data plane of HTTP APIs: the ``execute-api`` front door for their ids.

A request goes through what API Gateway does, in its order: the stage (the first path
segment, or the ``$default`` stage at the root), CORS preflights answered from the
API's CORS configuration, route selection (``matching.py``), throttling
(``throttle.py``), authorization (JWT, or a Lambda REQUEST authorizer), then the
integration: a Lambda proxy call (payload format 1.0 or 2.0, ``apigw.lambda_proxy``),
or an HTTP proxy. Errors are API Gateway's: 404 ``Not Found``, 429 ``Too Many
Requests``, 401 ``Unauthorized``, 403 ``Forbidden``, 500 ``Internal Server Error``
(function errors, malformed answers, a missing ``lambda:InvokeFunction`` permission)
and 503 ``Service Unavailable`` (the integration timed out).
"""

from __future__ import annotations

import asyncio
import base64
import fnmatch
import http.client
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from nubes.apigw import lambda_proxy as proxy
from nubes.edge.front_doors import HttpRequest, HttpResponse, json_message, verify_signature
from nubes.edge.sigv4 import KeyLookup
from nubes.errors import ServiceError
from nubes.services.apigatewayv2 import jwt
from nubes.services.apigatewayv2.common import DEFAULT_ROUTE, DEFAULT_STAGE, function_arn
from nubes.services.apigatewayv2.matching import RouteTable
from nubes.services.apigatewayv2.store import Doc, HttpApiStore
from nubes.services.apigatewayv2.throttle import TokenBuckets

log = logging.getLogger(__name__)

_ACCOUNT_RATE = 10000.0  # AWS's default account-level throttling: the bound for a
_ACCOUNT_BURST = 5000  # route that sets only one of rate and burst
_AUTH_CACHE_SIZE = 10000  # cached authorizer answers kept at most (per server)
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate",
                         "proxy-authorization", "te", "trailer", "transfer-encoding",
                         "upgrade", "host", "content-length"})
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


class FunctionUnavailable(Exception):
    """The function does not exist, or Lambda refused the invocation."""


class Functions(Protocol):
    """How the data plane reaches Lambda (wired in ``services/registry.py``)."""

    def may_invoke(self, function_arn: str, source_arn: str, account_id: str) -> bool:
        """Whether the function's resource policy lets API Gateway invoke it for
        ``source_arn``; False when the function does not exist."""
        ...

    async def invoke(self, function_arn: str, payload: bytes, request: HttpRequest,
                     request_id: str) -> tuple[bytes, str | None]:
        """A synchronous invocation through Lambda's normal path: (payload, function
        error or None); ``FunctionUnavailable`` when Lambda refuses it."""
        ...


def _message(status: int, text: str) -> HttpResponse:
    return json_message(status, text)


def _challenge(status: int, text: str, authenticate: str) -> HttpResponse:
    """A JWT authorizer's refusal, with the ``www-authenticate`` header API Gateway adds."""
    answer = _message(status, text)
    answer.headers.append(("www-authenticate", authenticate))
    return answer


def _internal() -> HttpResponse:
    return _message(500, "Internal Server Error")


@dataclass(frozen=True, slots=True)
class _Served:
    """One deployment, compiled once: what a stage serves."""

    table: RouteTable
    routes: dict[str, Doc]  # by route key
    integrations: dict[str, Doc]
    authorizers: dict[str, Doc]
    cors: Doc | None


@dataclass(slots=True)
class _Call:
    """One request in flight, with what was learnt about it on the way."""

    request: HttpRequest
    account: str
    region: str
    api_id: str
    stage: str
    path: str  # after the stage
    raw_path: str  # as the event shows it (the stage in front, unless $default)
    stage_variables: dict[str, str]
    route_key: str
    path_parameters: dict[str, str]
    request_id: str
    authorizer: dict[str, Any] | None = None

    def source_arn(self, route: str | None = None) -> str:
        if route is None:
            route = "$default" if self.route_key == DEFAULT_ROUTE else \
                f"{self.request.method}{self.route_key.partition(' ')[2]}"
        return f"arn:aws:execute-api:{self.region}:{self.account}:{self.api_id}/" \
               f"{self.stage}/{route}"

    def route_arn(self) -> str:
        return f"arn:aws:execute-api:{self.region}:{self.account}:{self.api_id}/" \
               f"{self.stage}/{self.request.method}{self.path}"

    def lambda_route(self) -> proxy.Route:
        return proxy.Route(
            account_id=self.account, api_id=self.api_id, stage=self.stage,
            request_id=self.request_id, path=self.raw_path, route_key=self.route_key,
            path_parameters=self.path_parameters or None,
            stage_variables=self.stage_variables or None, authorizer=self.authorizer)


class HttpApiDoor:
    """The front door of HTTP APIs (kind ``execute-api``)."""

    def __init__(self, store: HttpApiStore, functions: Functions, *,
                 keys: KeyLookup | None = None, jwks: jwt.JwksCache | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.functions = functions
        self.keys = keys  # access keys, for routes with AWS_IAM authorization
        self.jwks = jwks or jwt.JwksCache()
        self.buckets = TokenBuckets(clock)
        self.clock = clock
        self._served: dict[tuple[str, str], _Served] = {}
        # (api, stage, authorizer, identity) -> (expires, the authorizer's answer)
        self._auth_cache: dict[tuple[str, ...], tuple[float, Any]] = {}

    def owns(self, target_id: str) -> bool:
        return self.store.exists(target_id)

    def _evict_expired(self) -> None:
        """Drop expired cached answers; if all are live, the oldest half."""
        now = self.clock()
        live = {k: v for k, v in self._auth_cache.items() if v[0] > now}
        if len(live) >= _AUTH_CACHE_SIZE:
            live = dict(sorted(live.items(), key=lambda item: item[1][0])[len(live) // 2:])
        self._auth_cache = live

    def reset_authorizer_cache(self, api_id: str, stage: str | None = None) -> None:
        """Forget cached authorizer answers of a stage (of every stage: ``None``)."""
        for key in [k for k in self._auth_cache
                    if k[0] == api_id and (stage is None or k[1] == stage)]:
            del self._auth_cache[key]

    async def serve(self, request: HttpRequest) -> HttpResponse:
        found = self.store.get(request.target_id)
        if found is None:
            return _message(404, "Not Found")
        account, region, doc = found
        request_id = base64.b64encode(secrets.token_bytes(10)).decode()
        answer = await self._serve(request, account, region, doc, request_id)
        answer.headers.append(("apigw-requestid", request_id))
        return answer

    async def _serve(self, request: HttpRequest, account: str, region: str, doc: Doc,
                     request_id: str) -> HttpResponse:
        if doc["api"].get("DisableExecuteApiEndpoint"):
            return _message(403, "Forbidden")
        stages = doc["stages"]
        if request.stage and request.stage != DEFAULT_STAGE and request.stage in stages:
            stage_name, path, raw_path = request.stage, request.path_after_stage, request.path
        elif DEFAULT_STAGE in stages:
            stage_name, path, raw_path = DEFAULT_STAGE, request.path, request.path
        else:
            return _message(404, "Not Found")
        stage = stages[stage_name]
        served = self._compiled(doc, stage.get("DeploymentId"))
        if served is None:
            return _message(404, "Not Found")
        cors = served.cors
        origin = request.header("origin")
        if cors is not None and request.method == "OPTIONS" and origin and \
                request.header("access-control-request-method"):
            return _preflight(cors, request, origin)
        match = served.table.match(request.method, path)
        if match is None:
            answer = _message(404, "Not Found")
        else:
            call = _Call(request, account, region, doc["api"]["ApiId"], stage_name, path,
                         raw_path, dict(stage.get("StageVariables") or {}), match.route_key,
                         match.path_parameters, request_id)
            answer = await self._route(call, stage, served)
        if cors is not None:
            _cors_headers(cors, answer, origin)
        return answer

    def _compiled(self, doc: Doc, deployment_id: str | None) -> _Served | None:
        deployment = doc["deployments"].get(deployment_id or "")
        if deployment is None or "_snapshot" not in deployment:
            return None
        key = (doc["api"]["ApiId"], deployment["DeploymentId"])
        served = self._served.get(key)
        if served is None:
            snapshot = deployment["_snapshot"]
            routes = {r["RouteKey"]: r for r in snapshot["routes"].values()}
            served = _Served(RouteTable(list(routes)), routes, snapshot["integrations"],
                             snapshot["authorizers"], snapshot.get("cors"))
            if len(self._served) > 4096:
                self._served.clear()
            self._served[key] = served
        return served

    async def _route(self, call: _Call, stage: Doc, served: _Served) -> HttpResponse:
        route = served.routes[call.route_key]
        if not self._take_token(call, stage):
            return _message(429, "Too Many Requests")
        kind = route.get("AuthorizationType") or "NONE"
        if kind == "AWS_IAM":
            denied = self._iam(call)
            if denied is not None:
                return denied
        elif kind != "NONE":
            authorizer = served.authorizers.get(route.get("AuthorizerId") or "")
            if authorizer is None:
                return _internal()
            denied = await (self._jwt(call, route, authorizer) if kind == "JWT"
                            else self._lambda_authorizer(call, authorizer))
            if denied is not None:
                return denied
        target = route.get("Target") or ""
        integration = served.integrations.get(target.removeprefix("integrations/"))
        if integration is None:
            return _message(404, "Not Found")  # a route without a target: AWS answers 404
        if integration["IntegrationType"] == "HTTP_PROXY":
            return await self._http_proxy(call, integration)
        return await self._lambda_proxy(call, integration)

    def _take_token(self, call: _Call, stage: Doc) -> bool:
        settings = (stage.get("RouteSettings") or {}).get(call.route_key) or {}
        defaults = stage.get("DefaultRouteSettings") or {}
        rate = settings.get("ThrottlingRateLimit", defaults.get("ThrottlingRateLimit"))
        burst = settings.get("ThrottlingBurstLimit", defaults.get("ThrottlingBurstLimit"))
        if rate is None and burst is None:
            return True
        rate = _ACCOUNT_RATE if rate is None else float(rate)
        burst = _ACCOUNT_BURST if burst is None else int(burst)
        return self.buckets.take((call.api_id, call.stage, call.route_key), rate, burst)

    # -- authorizers -----------------------------------------------------------------

    def _iam(self, call: _Call) -> HttpResponse | None:
        """IAM authorization: a SigV4 signature (service ``execute-api``) by a key of the
        API's own account; Nubes has no IAM policies to consult beyond that."""
        if self.keys is None:
            return _message(403, "Forbidden")
        try:
            auth = verify_signature(call.request, self.keys)
        except ServiceError as error:
            return _message(403, error.message)
        if auth is None:
            return _message(403, "Missing Authentication Token")
        if auth.account_id != call.account or auth.service != "execute-api":
            return _message(403, "Forbidden")
        user_arn = f"arn:aws:iam::{auth.account_id}:root"
        call.authorizer = {"iam": {
            "accessKey": auth.access_key, "accountId": auth.account_id,
            "callerId": auth.account_id, "cognitoIdentity": None, "principalOrgId": None,
            "userArn": user_arn, "userId": auth.account_id}}
        return None

    async def _jwt(self, call: _Call, route: Doc, authorizer: Doc) -> HttpResponse | None:
        token = _identity(call, authorizer["IdentitySource"][0])
        if not token:
            return _challenge(401, "Unauthorized", "Bearer")
        config = authorizer["JwtConfiguration"]
        try:
            claims = await jwt.validate(token, config["Issuer"], config["Audience"], self.jwks)
        except jwt.InvalidToken as error:
            description = str(error).replace('"', "'").encode("ascii", "replace").decode()
            return _challenge(401, "Unauthorized", f'Bearer scope="" error="invalid_token" '
                                                   f'error_description="{description}"')
        scopes = jwt.scopes_of(claims)
        wanted = route.get("AuthorizationScopes") or []
        if wanted and not set(wanted) & set(scopes):
            return _challenge(403, "Forbidden", f'Bearer scope="{" ".join(wanted)}" '
                                                f'error="insufficient_scope" '
                                                f'error_description="expected scopes: '
                                                f'[{" ".join(wanted)}]"')
        call.authorizer = {"jwt": {"claims": jwt.claims_for_event(claims),
                                   "scopes": scopes or None}}
        return None

    async def _lambda_authorizer(self, call: _Call, authorizer: Doc) -> HttpResponse | None:
        sources = authorizer.get("IdentitySource") or []
        values = [_identity(call, source) for source in sources]
        if any(not value for value in values):
            return _message(401, "Unauthorized")
        identity = [v for v in values if v is not None]
        ttl = int(authorizer.get("AuthorizerResultTtlInSeconds") or 0)
        key = (call.api_id, call.stage, authorizer["AuthorizerId"], *identity)
        cached = self._auth_cache.get(key) if ttl and identity else None
        if cached is not None and cached[0] > self.clock():
            answer = cached[1]
        else:
            try:
                answer = await self._run_authorizer(call, authorizer, identity)
            except FunctionUnavailable:
                return _internal()
            if answer is None:
                return _internal()
            if ttl and identity:
                if len(self._auth_cache) >= _AUTH_CACHE_SIZE:
                    self._evict_expired()
                self._auth_cache[key] = (self.clock() + ttl, answer)
        return self._authorized(call, authorizer, answer)

    async def _run_authorizer(self, call: _Call, authorizer: Doc, identity: list[str]
                              ) -> Any:
        arn = function_arn(_substitute(authorizer["AuthorizerUri"], call.stage_variables))
        source = f"arn:aws:execute-api:{call.region}:{call.account}:{call.api_id}/" \
                 f"authorizers/{authorizer['AuthorizerId']}"
        if arn is None or not self.functions.may_invoke(arn, source, call.account):
            log.warning("API %s: no permission for API Gateway to invoke authorizer %s",
                        call.api_id, arn)
            return None
        route = call.lambda_route()
        if authorizer.get("AuthorizerPayloadFormatVersion") == "2.0":
            event = proxy.event_v2(call.request, route)
            event.pop("body", None)
            event.pop("isBase64Encoded", None)
            event.update({"type": "REQUEST", "routeArn": call.route_arn(),
                          "identitySource": identity})
        else:
            event = _event_v1(call, route)
            event.pop("body", None)
            event.pop("isBase64Encoded", None)
            event.update({"type": "REQUEST", "methodArn": call.route_arn(),
                          "identitySource": ",".join(identity),
                          "authorizationToken": ",".join(identity)})
        payload, error = await self.functions.invoke(arn, json.dumps(event).encode(),
                                                     call.request, call.request_id)
        if error:
            return None
        try:
            return json.loads(payload)
        except ValueError:
            return None

    def _authorized(self, call: _Call, authorizer: Doc, answer: Any) -> HttpResponse | None:
        if not isinstance(answer, dict):
            return _internal()
        if authorizer.get("EnableSimpleResponses"):
            allowed = answer.get("isAuthorized")
            if not isinstance(allowed, bool):
                return _internal()
            if not allowed:
                return _message(403, "Forbidden")
        else:
            document = answer.get("policyDocument")
            if not isinstance(document, dict):
                return _internal()
            if not _policy_allows(document, call.route_arn()):
                return _message(403, "Forbidden")
        context = answer.get("context")
        lam: dict[str, Any] = dict(context) if isinstance(context, dict) else {}
        if not authorizer.get("EnableSimpleResponses") and "principalId" in answer:
            lam["principalId"] = answer["principalId"]
        call.authorizer = {"lambda": lam}
        return None

    # -- integrations ----------------------------------------------------------------

    async def _lambda_proxy(self, call: _Call, integration: Doc) -> HttpResponse:
        arn = function_arn(_substitute(integration["IntegrationUri"], call.stage_variables))
        if arn is None or not self.functions.may_invoke(arn, call.source_arn(), call.account):
            log.warning("API %s: no permission for API Gateway to invoke %s (source %s)",
                        call.api_id, arn, call.source_arn())
            return _internal()
        version = integration.get("PayloadFormatVersion")
        route = call.lambda_route()
        event = proxy.event_v2(call.request, route) if version == "2.0" else \
            _event_v1(call, route)
        task = asyncio.ensure_future(self.functions.invoke(
            arn, json.dumps(event).encode(), call.request, call.request_id))
        done, _ = await asyncio.wait({task}, timeout=integration["TimeoutInMillis"] / 1000)
        if not done:
            task.add_done_callback(_consume)
            return _message(503, "Service Unavailable")
        try:
            payload, error = task.result()
        except FunctionUnavailable as refused:
            log.info("API %s: Lambda refused the invocation of %s: %s", call.api_id, arn,
                     refused)
            return _internal()
        if error:
            return _internal()
        try:
            return proxy.response_v2(payload) if version == "2.0" else \
                proxy.response_v1(payload)
        except proxy.MalformedResponse as malformed:
            log.info("API %s: malformed answer from %s: %s", call.api_id, arn, malformed)
            return _internal()

    async def _http_proxy(self, call: _Call, integration: Doc) -> HttpResponse:
        uri = _substitute(integration["IntegrationUri"], call.stage_variables)
        for name, value in call.path_parameters.items():
            uri = uri.replace("{" + name + "}", value).replace("{" + name + "+}", value)
        method = integration.get("IntegrationMethod") or "ANY"
        method = call.request.method if method == "ANY" else method
        headers = [(n, v) for n, v in call.request.headers if n not in _HOP_BY_HOP]
        headers.append(("x-forwarded-for", call.request.source_ip))
        timeout = integration["TimeoutInMillis"] / 1000
        task = asyncio.ensure_future(asyncio.to_thread(
            _forward, method, uri, call.request.query_string, headers, call.request.body,
            timeout))
        done, _ = await asyncio.wait({task}, timeout=timeout + 0.5)
        if not done:
            task.add_done_callback(_consume)
            return _message(503, "Service Unavailable")
        try:
            return task.result()
        except TimeoutError:
            return _message(503, "Service Unavailable")
        except (OSError, http.client.HTTPException) as error:
            log.info("API %s: HTTP integration %s failed: %s", call.api_id, uri, error)
            return _internal()


def _event_v1(call: _Call, route: proxy.Route) -> dict[str, Any]:
    """A 1.0 event as HTTP APIs send it: ``resource`` is the route's path (``$default``
    for the default route), header names as clients usually write them."""
    route.route_key = call.route_key.partition(" ")[2] or call.route_key
    return proxy.event_v1(call.request, route, version="1.0", title_case=True)


def _consume(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


def _forward(method: str, uri: str, query: str, headers: list[tuple[str, str]], body: bytes,
             timeout: float) -> HttpResponse:
    parts = urlsplit(uri)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" \
        else http.client.HTTPConnection
    connection = connection_class(parts.hostname or "", parts.port, timeout=timeout)
    target = parts.path or "/"
    joined = "&".join(q for q in (parts.query, query) if q)
    if joined:
        target += "?" + joined
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body or method in ("POST", "PUT", "PATCH"):
            connection.putheader("content-length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        data = response.read()
        out = [(n, v) for n, v in response.getheaders() if n.lower() not in _HOP_BY_HOP]
        return HttpResponse(response.status, out, data)
    finally:
        connection.close()


def _substitute(text: str, variables: Mapping[str, str]) -> str:
    return _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), text)


def _identity(call: _Call, source: str) -> str | None:
    """The value of an identity source (``$request.header.Authorization``...)."""
    if source.startswith("$request.header."):
        values = call.request.header_values(source[len("$request.header."):].lower())
        return ",".join(values) if values else None
    if source.startswith("$request.querystring."):
        name = source[len("$request.querystring."):]
        found = [v for k, v in call.request.query if k == name]
        return ",".join(found) if found else None
    if source.startswith("$stageVariables."):
        return call.stage_variables.get(source[len("$stageVariables."):])
    if source.startswith("$context."):
        context = {"routeKey": call.route_key, "stage": call.stage, "apiId": call.api_id,
                   "httpMethod": call.request.method, "path": call.path,
                   "requestId": call.request_id, "accountId": call.account}
        return context.get(source[len("$context."):])
    return None


def _policy_allows(document: Mapping[str, Any], route_arn: str) -> bool:
    statements = document.get("Statement") or []
    statements = [statements] if isinstance(statements, dict) else statements
    allowed = False
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        actions = statement.get("Action") or []
        actions = [actions] if isinstance(actions, str) else actions
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", str(a)) for a in actions):
            continue
        resources = statement.get("Resource") or []
        resources = [resources] if isinstance(resources, str) else resources
        if not any(fnmatch.fnmatchcase(route_arn, str(r)) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _allowed_origin(cors: Mapping[str, Any], origin: str | None) -> str | None:
    if not origin:
        return None
    origins = cors.get("AllowOrigins") or []
    if "*" in origins:
        return "*"
    lowered = origin.lower()
    for allowed in origins:
        if allowed.lower() == lowered or ("*" in allowed and
                                          fnmatch.fnmatchcase(lowered, allowed.lower())):
            return origin
    return None


def _preflight(cors: Mapping[str, Any], request: HttpRequest, origin: str) -> HttpResponse:
    """API Gateway answers CORS preflights itself when the API has a CORS configuration."""
    answer = HttpResponse(204, [])
    allow_origin = _allowed_origin(cors, origin)
    method = (request.header("access-control-request-method") or "").upper()
    methods = [m.upper() for m in cors.get("AllowMethods") or []]
    if allow_origin is None or ("*" not in methods and method not in methods):
        return answer
    asked = [h.strip().lower() for h in (request.header("access-control-request-headers")
                                         or "").split(",") if h.strip()]
    allowed_headers = [h.lower() for h in cors.get("AllowHeaders") or []]
    if asked and "*" not in allowed_headers and not set(asked) <= set(allowed_headers):
        return answer
    headers = answer.headers
    headers.append(("access-control-allow-origin", allow_origin))
    headers.append(("access-control-allow-methods", ",".join(cors.get("AllowMethods") or [])))
    if asked:
        headers.append(("access-control-allow-headers",
                        ",".join(asked) if "*" in allowed_headers
                        else ",".join(cors.get("AllowHeaders") or [])))
    if cors.get("MaxAge") is not None and cors["MaxAge"] >= 0:
        headers.append(("access-control-max-age", str(cors["MaxAge"])))
    if cors.get("AllowCredentials"):
        headers.append(("access-control-allow-credentials", "true"))
    return answer


def _cors_headers(cors: Mapping[str, Any], answer: HttpResponse, origin: str | None) -> None:
    """CORS headers on an answer: API Gateway's, replacing any the integration sent."""
    answer.headers = [(n, v) for n, v in answer.headers
                      if not n.lower().startswith("access-control-")]
    allow_origin = _allowed_origin(cors, origin)
    if allow_origin is None:
        return
    answer.headers.append(("access-control-allow-origin", allow_origin))
    if cors.get("AllowCredentials"):
        answer.headers.append(("access-control-allow-credentials", "true"))
    if cors.get("ExposeHeaders"):
        answer.headers.append(("access-control-expose-headers",
                               ",".join(cors["ExposeHeaders"])))
    answer.headers.append(("vary", "Origin"))
