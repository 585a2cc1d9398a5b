"""REST APIs' data plane: the ``execute-api`` front door for the APIs this service
owns (HTTP APIs register their own door under the same kind).

A request ``/<stage>/<path>`` goes, in order, through: the stage (unknown: 403
Forbidden); the deployed snapshot's resource and method (none: 403 Missing
Authentication Token); stage method-settings throttling; authorization (Lambda TOKEN /
REQUEST authorizers, or AWS_IAM SigV4); the API key (``x-api-key``, or the authorizer's
``usageIdentifierKey``) and its usage plan's throttle and quota; the integration. The
snapshot of a deployment never changes, so it is cached by deployment id.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from nubes.edge.front_doors import HttpRequest, HttpResponse, verify_signature
from nubes.edge.sigv4 import KeyLookup
from nubes.errors import ServiceError
from nubes.services.apigateway.authorize import (
    CONFIG_ERROR,
    UNAUTHORIZED,
    Authorizers,
    Verdict,
    identity_of,
)
from nubes.services.apigateway.core import API
from nubes.services.apigateway.deployments import DEPLOYMENT, STAGE
from nubes.services.apigateway.functions import FunctionCaller
from nubes.services.apigateway.gateway_responses import customized
from nubes.services.apigateway.integrations import Call, GatewayError, error, integrate
from nubes.services.apigateway.keys import APIKEY, PLAN, PLAN_KEY
from nubes.services.apigateway.limits import Buckets, use_quota
from nubes.services.apigateway.resource_policy import allows, masked
from nubes.services.apigateway.routes import match
from nubes.services.apigateway.store import ApiGatewayStore, Doc
from nubes.services.apigateway.validators import check_request

FORBIDDEN = ("Forbidden", "ForbiddenException")
MISSING_TOKEN = ("Missing Authentication Token", "MissingAuthenticationTokenException",
                 "MISSING_AUTHENTICATION_TOKEN")
_SNAPSHOTS_KEPT = 256
MAX_PAYLOAD = 10 * 1024 * 1024  # REST APIs' request payload limit


class RestApiDoor:
    """Serves every REST API, whatever its account (ids are unique across accounts)."""

    def __init__(self, store: ApiGatewayStore, functions: FunctionCaller, keys: KeyLookup
                 ) -> None:
        self.store = store
        self.functions = functions
        self.keys = keys
        self.authorizers = Authorizers(functions)
        self.buckets = Buckets()
        self._snapshots: dict[str, Doc] = {}

    def owns(self, target_id: str) -> bool:
        return self.store.owner_of(API, "", target_id) is not None

    async def serve(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        answer = await self._answer(request, request_id)
        answer.headers.append(("x-amzn-RequestId", request_id))
        answer.headers.append(("x-amz-apigw-id", _extended_id()))
        return answer

    async def _answer(self, request: HttpRequest, request_id: str) -> HttpResponse:
        api_id = request.target_id
        owner = self.store.owner_of(API, "", api_id)
        stage = self.store.get(STAGE, api_id, request.stage) if request.stage else None
        if owner is None or stage is None:
            return error(403, *FORBIDDEN)
        snapshot = self._snapshot(api_id, stage["deploymentId"])
        path = request.path_after_stage
        found = match(snapshot, request.method, path) if snapshot else None
        if snapshot is None:
            return error(403, *MISSING_TOKEN)
        if snapshot.get("disableExecuteApiEndpoint"):
            return error(403, *FORBIDDEN)
        if len(request.body) > MAX_PAYLOAD:
            return error(413, "Request Too Long", None, "REQUEST_TOO_LARGE")
        if found is None:
            return self._customized(error(403, *MISSING_TOKEN), snapshot, request, stage,
                                    request_id, {})
        call = Call(request=request, api=snapshot, stage=stage, account=owner.account,
                    region=owner.region, request_id=request_id, resource=found.resource,
                    method=found.method, path=path, path_parameters=found.path_parameters)
        answer = await self._served(call)
        if isinstance(answer, GatewayError):
            return self._customized(answer, snapshot, request, stage, request_id,
                                    call.context())
        return compressed(answer, snapshot.get("minimumCompressionSize"),
                          request.header("accept-encoding"))

    async def _served(self, call: Call) -> HttpResponse:
        if not self._stage_allows(call):
            return error(429, "Too Many Requests", "TooManyRequestsException", "THROTTLED")
        verdict = await self._authorize(call)
        if verdict.allowed:
            verdict = self._policy_verdict(call, verdict)
        if not verdict.allowed:
            answer = error(verdict.status, verdict.message, verdict.error_type,
                           verdict.response_type)
            if verdict.upper_message:
                answer.body = json.dumps({"Message": verdict.message}).encode()
            return answer
        refused = self._check_key(call, verdict)
        if refused is not None:
            return refused
        invalid = check_request(call.api, call.method, call.params(), call.content_type(),
                                call.request.body)
        if invalid is not None:
            return error(400, invalid[1], "BadRequestException", invalid[0])
        return await integrate(call, self.functions)

    @staticmethod
    def _policy_verdict(call: Call, verdict: Verdict) -> Verdict:
        """The API's resource policy on top of the authorization's verdict."""
        policy = call.api.get("policy")
        if not policy:
            return verdict
        api_arn = f"arn:aws:execute-api:{call.region}:{call.account}:{call.api['id']}"
        method_arn = f"{api_arn}/{call.stage['stageName']}/{call.request.method}{call.path}"
        caller = call.identity.get("accountId")
        context = {"aws:sourceip": call.request.source_ip,
                   "aws:useragent": call.request.header("user-agent"),
                   "aws:referer": call.request.header("referer"),
                   "aws:principalaccount": caller}
        decision = allows(policy, method_arn, api_arn, context, caller)
        if decision is True:
            return verdict
        user = f"arn:aws:iam::{caller}:root" if caller else "anonymous"
        message = (f"User: {user} is not authorized to perform: execute-api:Invoke on "
                   f"resource: {masked(method_arn)}")
        if decision is False:
            message += " with an explicit deny"
        return Verdict(False, 403, message, "AccessDeniedException", True,
                       response_type="ACCESS_DENIED")

    @staticmethod
    def _customized(answer: GatewayError, snapshot: Doc, request: HttpRequest, stage: Doc,
                    request_id: str, context: dict[str, Any]) -> HttpResponse:
        """The error as the API's gateway responses shape it, if they do."""
        values = {"header": dict(request.headers), "querystring": dict(request.query)}
        shaped = customized(snapshot, answer.response_type, answer.status, answer.message,
                            {"requestId": request_id, "stage": stage["stageName"],
                             "apiId": snapshot["id"], **context}, values)
        if shaped is None:
            return answer
        status, headers, body = shaped
        kept = [(n, v) for n, v in answer.headers if n.lower() == "x-amzn-errortype"]
        return HttpResponse(status, headers + kept, body)

    def _snapshot(self, api_id: str, deployment_id: str) -> Doc | None:
        snapshot = self._snapshots.get(deployment_id)
        if snapshot is None:
            deployment = self.store.get(DEPLOYMENT, api_id, deployment_id)
            if deployment is None:
                return None
            snapshot = deployment["_snapshot"]
            if len(self._snapshots) >= _SNAPSHOTS_KEPT:
                self._snapshots.pop(next(iter(self._snapshots)))
            self._snapshots[deployment_id] = snapshot
        return snapshot

    # -- throttling ---------------------------------------------------------------------

    def _stage_allows(self, call: Call) -> bool:
        """The stage's method settings' throttle (the method's own, else ``*/*``)."""
        settings: dict[str, Doc] = call.stage.get("methodSettings") or {}
        key = f"{call.resource['path'].lstrip('/')}/{call.method['httpMethod']}"
        chosen = settings.get(key) or settings.get("*/*")
        if not chosen:
            return True
        rate = float(chosen.get("throttlingRateLimit", 10000.0))
        burst = int(chosen.get("throttlingBurstLimit", 5000))
        bucket = ("stage", call.api["id"], call.stage["stageName"],
                  key if key in settings else "*/*")
        return self.buckets.take(bucket, rate, burst)

    # -- authorization ------------------------------------------------------------------

    async def _authorize(self, call: Call) -> Verdict:
        kind = call.method.get("authorizationType") or "NONE"
        if kind == "NONE":
            return Verdict(True)
        if kind == "AWS_IAM":
            return self._signed(call)
        authorizer = call.api["_authorizers"].get(call.method.get("authorizerId"))
        if authorizer is None or authorizer.get("type") not in ("TOKEN", "REQUEST"):
            return CONFIG_ERROR
        identity = identity_of(authorizer, lambda source: self._source(call, source))
        if identity is None:
            return UNAUTHORIZED
        method_arn = (f"arn:aws:execute-api:{call.region}:{call.account}:{call.api['id']}/"
                      f"{call.stage['stageName']}/{call.request.method}{call.path}")
        if authorizer["type"] == "TOKEN":
            expression = authorizer.get("identityValidationExpression")
            if expression and not re.fullmatch(expression, identity[0]):
                return UNAUTHORIZED
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": identity[0],
                                     "methodArn": method_arn}
        else:
            event = self._request_event(call, method_arn)
        verdict = await self.authorizers.decide(call.api["id"], call.account, call.region,
                                                authorizer, identity, event, method_arn)
        if verdict.allowed:
            call.authorizer = {"principalId": verdict.principal_id,
                               **(verdict.context or {}), "integrationLatency": 0}
        return verdict

    @staticmethod
    def _source(call: Call, source: str) -> str | None:
        """An identity source's value: ``method.request.header|querystring.<name>``,
        ``stageVariables.<name>`` or ``context.<name>``."""
        request = call.request
        if source.startswith("method.request.header."):
            return request.header(source[len("method.request.header."):].lower())
        if source.startswith("method.request.querystring."):
            name = source[len("method.request.querystring."):]
            return next((v for k, v in request.query if k == name), None)
        if source.startswith("stageVariables."):
            return call.variables.get(source[len("stageVariables."):])
        if source.startswith("context."):
            value = call.context().get(source[len("context."):])
            return None if value is None else str(value)
        return None

    @staticmethod
    def _request_event(call: Call, method_arn: str) -> dict[str, Any]:
        request = call.request
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for name, value in request.headers:
            headers[name] = value
            multi_headers.setdefault(name, []).append(value)
        query: dict[str, str] = {}
        multi_query: dict[str, list[str]] = {}
        for name, value in request.query:
            query[name] = value
            multi_query.setdefault(name, []).append(value)
        context = call.context()
        return {"type": "REQUEST", "methodArn": method_arn,
                "resource": call.resource["path"], "path": call.path,
                "httpMethod": request.method, "headers": headers,
                "multiValueHeaders": multi_headers, "queryStringParameters": query,
                "multiValueQueryStringParameters": multi_query,
                "pathParameters": call.path_parameters, "stageVariables": call.variables,
                "requestContext": {k: context[k] for k in (
                    "path", "accountId", "resourceId", "stage", "requestId", "identity",
                    "resourcePath", "httpMethod", "apiId", "domainName")}}

    def _signed(self, call: Call) -> Verdict:
        try:
            auth = verify_signature(call.request, self.keys)
        except ServiceError as failed:
            return Verdict(False, 403, failed.message, "InvalidSignatureException",
                           response_type="INVALID_SIGNATURE")
        if auth is None:
            return Verdict(False, 403, MISSING_TOKEN[0], MISSING_TOKEN[1],
                           response_type=MISSING_TOKEN[2])
        if auth.service != "execute-api" or auth.account_id != call.account:
            return Verdict(False, 403, "User is not authorized to access this resource",
                           "AccessDeniedException", True, response_type="ACCESS_DENIED")
        call.identity = {"accountId": auth.account_id, "accessKey": auth.access_key,
                         "caller": auth.access_key, "user": auth.access_key,
                         "userArn": f"arn:aws:iam::{auth.account_id}:root"}
        return Verdict(True)

    # -- API keys and usage plans -------------------------------------------------------

    def _check_key(self, call: Call, verdict: Verdict) -> HttpResponse | None:
        if not call.method.get("apiKeyRequired"):
            return None
        if call.api.get("apiKeySource") == "AUTHORIZER":
            value = verdict.usage_key
        else:
            value = call.request.header("x-api-key")
        found = self.store.by_lookup(APIKEY, value) if value else None
        if found is None or (found[0].account, found[0].region) != (call.account,
                                                                     call.region):
            return error(403, *FORBIDDEN, "INVALID_API_KEY")
        key = found[1]
        if not key.get("enabled"):
            return error(403, *FORBIDDEN, "INVALID_API_KEY")
        plan = self._plan_for(call, key["id"])
        if plan is None:
            return error(403, *FORBIDDEN, "INVALID_API_KEY")
        if not self._plan_allows(call, plan, key["id"]):
            return error(429, "Too Many Requests", "TooManyRequestsException", "THROTTLED")
        if not use_quota(self.store, plan, key["id"], datetime.now(UTC)):
            return error(429, "Limit Exceeded", "LimitExceededException", "QUOTA_EXCEEDED")
        call.identity = {**call.identity, "apiKey": key["value"], "apiKeyId": key["id"]}
        return None

    def _plan_allows(self, call: Call, plan: Doc, key_id: str) -> bool:
        """The plan's throttle for the key, then its stage's per-method throttle
        (``apiStages[].throttle["/path/METHOD"]``)."""
        throttle = plan.get("throttle")
        if throttle and not self.buckets.take(
                ("plan", plan["id"], key_id), float(throttle.get("rateLimit", 0.0)),
                int(throttle.get("burstLimit", 0))):
            return False
        method_key = f"{call.resource['path']}/{call.method['httpMethod']}"
        for stage in plan.get("apiStages") or []:
            if (stage.get("apiId"), stage.get("stage")) != (call.api["id"],
                                                            call.stage["stageName"]):
                continue
            limits = (stage.get("throttle") or {}).get(method_key)
            if limits and not self.buckets.take(
                    ("plan-method", plan["id"], key_id, method_key),
                    float(limits.get("rateLimit", 0.0)), int(limits.get("burstLimit", 0))):
                return False
        return True

    def _plan_for(self, call: Call, key_id: str) -> Doc | None:
        """The usage plan holding the key that covers the called stage."""
        for plan_id in self.store.parents_of(PLAN_KEY, key_id):
            plan = self.store.get(PLAN, "", plan_id)
            if plan and any(s.get("apiId") == call.api["id"] and
                            s.get("stage") == call.stage["stageName"]
                            for s in plan.get("apiStages") or []):
                return plan
        return None


def _extended_id() -> str:
    """An ``x-amz-apigw-id`` as API Gateway writes them: 16 base64 characters."""
    return base64.b64encode(secrets.token_bytes(12)).decode()[:16]


def compressed(answer: HttpResponse, minimum: int | None, accept_encoding: str | None
               ) -> HttpResponse:
    """The answer gzipped when the API compresses (``minimumCompressionSize`` set, the
    body at least that long) and the client accepts gzip."""
    if minimum is None or len(answer.body) < int(minimum) or not accept_encoding:
        return answer
    accepted = [part.split(";")[0].strip().lower() for part in accept_encoding.split(",")]
    if "gzip" not in accepted or any(n.lower() == "content-encoding"
                                     for n, _ in answer.headers):
        return answer
    answer.body = gzip.compress(answer.body)
    answer.headers = [(n, v) for n, v in answer.headers if n.lower() != "content-length"]
    answer.headers.append(("content-encoding", "gzip"))
    return answer
