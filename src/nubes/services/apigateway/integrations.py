"""Integrations at call time: AWS_PROXY (Lambda, payload format 1.0), AWS (Lambda with
request and response mapping templates), MOCK, HTTP_PROXY and HTTP.

``Call`` carries what the door found for the request; each integration answers an
``HttpResponse``. AWS integrations reach Lambda only (a URI of another AWS service
answers 500, as a configuration Nubes cannot serve).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from nubes.apigw.lambda_proxy import (
    MalformedResponse,
    Route,
    event_v1,
    is_binary_media_type,
    response_v1,
)
from nubes.edge.front_doors import HttpRequest, HttpResponse, json_message
from nubes.services.apigateway.authorize import function_of_uri
from nubes.services.apigateway.functions import Called, CallStatus, FunctionCaller
from nubes.services.apigateway.mapping import Input, json_path, render_template
from nubes.services.apigateway.store import Doc
from nubes.services.apigateway.vtl import TemplateError

log = logging.getLogger(__name__)

_HOP_BY_HOP = frozenset({"host", "connection", "keep-alive", "transfer-encoding", "te",
                         "upgrade", "proxy-authorization", "trailer", "content-length",
                         "expect"})


@dataclass(slots=True)
class GatewayError(HttpResponse):
    """An error API Gateway itself answers, which the API's gateway responses may
    customize: its response type and message."""

    response_type: str = "DEFAULT_4XX"
    message: str | None = None


def error(status: int, message: str | None, error_type: str | None = None,
          response_type: str | None = None) -> GatewayError:
    """An error as API Gateway answers it: ``{"message": ...}`` and its error type."""
    answer = GatewayError(status, [("content-type", "application/json")],
                          json_message(status, message).body if message is not None
                          else b'{"message":null}',
                          response_type or ("DEFAULT_5XX" if status >= 500
                                            else "DEFAULT_4XX"), message)
    if error_type:
        answer.headers.append(("x-amzn-ErrorType", error_type))
    return answer


def internal_error(status: int = 500, response_type: str | None = None) -> GatewayError:
    return error(status, "Internal server error", "InternalServerErrorException",
                 response_type or ("API_CONFIGURATION_ERROR" if status == 500 else None))


# $context.identity's members, empty unless known (templates render them as "").
_EMPTY_IDENTITY = dict.fromkeys(
    ("accountId", "apiKey", "apiKeyId", "caller", "cognitoAuthenticationProvider",
     "cognitoAuthenticationType", "cognitoIdentityId", "cognitoIdentityPoolId",
     "principalOrgId", "user", "userArn", "accessKey"), "")


@dataclass(slots=True)
class Call:
    """One request on its way to its integration."""

    request: HttpRequest
    api: Doc  # the deployed snapshot
    stage: Doc
    account: str
    region: str
    request_id: str
    resource: Doc
    method: Doc
    path: str  # after the stage
    path_parameters: dict[str, str]
    authorizer: dict[str, Any] | None = None
    identity: dict[str, Any] = field(default_factory=dict)

    @property
    def integration(self) -> Doc:
        found: Doc = self.method["methodIntegration"]
        return found

    @property
    def variables(self) -> dict[str, str]:
        return dict(self.stage.get("variables") or {})

    def source_arn(self) -> str:
        """What a function's policy sees as the caller: the method's ARN."""
        return (f"arn:aws:execute-api:{self.region}:{self.account}:{self.api['id']}/"
                f"{self.stage['stageName']}/{self.method['httpMethod']}"
                f"{self.resource['path']}")

    def substituted(self, text: str) -> str:
        """``${stageVariables.name}`` replaced by the stage's variables."""
        variables = self.variables
        return re.sub(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}",
                      lambda m: variables.get(m.group(1), ""), text)

    def params(self) -> dict[str, dict[str, str]]:
        return {"path": dict(self.path_parameters),
                "querystring": dict(self.request.query),
                "header": {name: value for name, value in self.request.headers}}

    def context(self) -> dict[str, Any]:
        """``$context`` for mapping templates."""
        request = self.request
        out: dict[str, Any] = {
            "requestId": self.request_id, "extendedRequestId": self.request_id,
            "apiId": self.api["id"], "stage": self.stage["stageName"],
            "resourceId": self.resource["id"], "resourcePath": self.resource["path"],
            "httpMethod": request.method, "accountId": self.account,
            "path": f"/{self.stage['stageName']}{self.path}",
            "domainName": request.domain_name, "domainPrefix": request.target_id,
            "protocol": "HTTP/1.1",
            "identity": {**_EMPTY_IDENTITY, "sourceIp": request.source_ip,
                         "userAgent": request.header("user-agent") or "", **self.identity},
        }
        if self.authorizer is not None:
            out["authorizer"] = dict(self.authorizer)
        return out

    def content_type(self) -> str:
        value = self.request.header("content-type") or "application/json"
        return value.split(";")[0].strip().lower()

    def binary_request(self) -> bool:
        return is_binary_media_type(self.request.header("content-type"),
                                    self.api.get("binaryMediaTypes") or [])


async def integrate(call: Call, functions: FunctionCaller) -> HttpResponse:
    kind = call.integration.get("type")
    try:
        if kind == "AWS_PROXY":
            return await _lambda_proxy(call, functions)
        if kind == "MOCK":
            return _mock(call)
        if kind == "AWS":
            return await _lambda_mapped(call, functions)
        if kind == "HTTP_PROXY":
            return await _http_proxy(call)
        if kind == "HTTP":
            return await _http_mapped(call)
    except TemplateError as problem:
        log.info("apigateway: %s: mapping template failed: %s", call.api["id"], problem)
        return internal_error()
    return internal_error()


def _timeout_s(call: Call) -> float:
    return int(call.integration.get("timeoutInMillis") or 29000) / 1000.0


def _function_failure(called: Called) -> HttpResponse | None:
    """The answer for a call that did not reach a function's code, or None."""
    if called.status in (CallStatus.FORBIDDEN, CallStatus.MISSING, CallStatus.NOT_READY):
        return internal_error(500)
    if called.status is CallStatus.TIMEOUT:
        return error(504, "Endpoint request timed out", None, "INTEGRATION_TIMEOUT")
    if called.status is CallStatus.THROTTLED:
        return error(429, "Too Many Requests", "TooManyRequestsException", "THROTTLED")
    return None


# -- AWS_PROXY ----------------------------------------------------------------------------

async def _lambda_proxy(call: Call, functions: FunctionCaller) -> HttpResponse:
    function_arn = function_of_uri(call.substituted(str(call.integration.get("uri"))))
    if function_arn is None:
        return internal_error()
    route = Route(account_id=call.account, api_id=call.api["id"],
                  stage=call.stage["stageName"], request_id=call.request_id,
                  path=call.path, context_path=f"/{call.stage['stageName']}{call.path}",
                  route_key=call.resource["path"], resource_id=call.resource["id"],
                  path_parameters=call.path_parameters or None,
                  stage_variables=call.variables or None, authorizer=call.authorizer)
    event = event_v1(call.request, route, binary=call.binary_request(), title_case=True)
    if call.identity:
        event["requestContext"]["identity"].update(call.identity)
    called = await functions.call(function_arn, json.dumps(event).encode(),
                                  source_arn=call.source_arn(), source_account=call.account,
                                  timeout_s=_timeout_s(call))
    failure = _function_failure(called)
    if failure is not None:
        return failure
    if called.status is CallStatus.FUNCTION_ERROR:
        return internal_error(502)
    try:
        answer = response_v1(called.payload)
    except MalformedResponse as malformed:
        log.info("apigateway: %s answered a malformed proxy response: %s", function_arn,
                 malformed)
        return internal_error(502)
    if _base64_flagged(called.payload) and not _binary_answer(call, answer):
        answer.body = base64.b64encode(answer.body)  # no binary media type: left as text
    if not any(name.lower() == "content-type" for name, _ in answer.headers):
        answer.headers.append(("content-type", "application/json"))  # REST APIs' default
    return answer


def _base64_flagged(payload: bytes) -> bool:
    try:
        return bool(json.loads(payload).get("isBase64Encoded"))
    except (ValueError, AttributeError):
        return False


def _binary_answer(call: Call, answer: HttpResponse) -> bool:
    """Whether API Gateway sends a base64 answer decoded: the request's Accept or the
    answer's Content-Type is one of the API's binary media types."""
    types = call.api.get("binaryMediaTypes") or []
    content_type = next((v for n, v in answer.headers if n.lower() == "content-type"), None)
    accepts = [a.split(";")[0].strip() for a in (call.request.header("accept") or "").split(",")]
    return is_binary_media_type(content_type, types) or any(
        is_binary_media_type(a, types) for a in accepts if a and a != "*/*")


# -- mapping (AWS, HTTP, MOCK) ------------------------------------------------------------

def _mapped_request(call: Call) -> bytes | HttpResponse:
    """The integration request's body: the request template for the request's content
    type, or the body passed through, as the passthrough behaviour says."""
    templates: dict[str, str] = call.integration.get("requestTemplates") or {}
    template = templates.get(call.content_type())
    behavior = call.integration.get("passthroughBehavior") or "WHEN_NO_MATCH"
    if template is None:
        if behavior == "NEVER" or (behavior == "WHEN_NO_TEMPLATES" and templates):
            return error(415, "Unsupported Media Type", "UnsupportedMediaTypeException",
                         "UNSUPPORTED_MEDIA_TYPE")
        return call.request.body
    input_ = Input(call.request.body, call.params())
    return render_template(template, input_, call.context(), call.variables).encode()


def _select(call: Call, subject: str) -> Doc | None:
    """The integration response whose selection pattern matches ``subject`` (an error
    message or a status code), else the default one (no pattern)."""
    responses: dict[str, Doc] = call.integration.get("integrationResponses") or {}
    default = None
    for response in responses.values():
        pattern = response.get("selectionPattern")
        if not pattern:
            default = default or response
            continue
        try:
            if re.fullmatch(pattern, subject, re.DOTALL):
                return response
        except re.error:
            continue
    return default


def _mapped_response(call: Call, response: Doc | None, body: bytes,
                     headers: Mapping[str, str]) -> HttpResponse:
    if response is None:  # no mapping for this output, and no default one
        return internal_error()
    templates: dict[str, str] = response.get("responseTemplates") or {}
    template = templates.get("application/json") or next(iter(templates.values()), None)
    if template:
        input_ = Input(body, call.params())
        body = render_template(template, input_, call.context(), call.variables).encode()
    answer = HttpResponse(int(response["statusCode"]),
                          [("content-type", "application/json")], body)
    for name, source in (response.get("responseParameters") or {}).items():
        if not name.startswith("method.response.header."):
            continue
        value = _parameter_value(str(source), body, headers)
        if value is not None:
            header = name[len("method.response.header."):]
            answer.headers = [(n, v) for n, v in answer.headers if n.lower() != header.lower()]
            answer.headers.append((header, value))
    return answer


def _parameter_value(source: str, body: bytes, headers: Mapping[str, str]) -> str | None:
    if source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    if source.startswith("integration.response.header."):
        wanted = source[len("integration.response.header."):].lower()
        return next((v for n, v in headers.items() if n.lower() == wanted), None)
    if source == "integration.response.body":
        return body.decode("utf-8", "replace")
    if source.startswith("integration.response.body."):
        try:
            document = json.loads(body)
        except ValueError:
            return None
        found = json_path(document, "$." + source[len("integration.response.body."):])
        return None if found is None else found if isinstance(found, str) else json.dumps(found)
    return None


def _mock(call: Call) -> HttpResponse:
    mapped = _mapped_request(call)
    if isinstance(mapped, HttpResponse):
        return mapped
    status = "200"
    try:
        document = json.loads(mapped) if mapped.strip() else {}
        if isinstance(document, dict) and document.get("statusCode") is not None:
            status = str(int(document["statusCode"]))
    except (ValueError, TypeError):
        return internal_error()
    return _mapped_response(call, _select(call, status), b"", {})


async def _lambda_mapped(call: Call, functions: FunctionCaller) -> HttpResponse:
    function_arn = function_of_uri(call.substituted(str(call.integration.get("uri"))))
    if function_arn is None:
        return internal_error()
    mapped = _mapped_request(call)
    if isinstance(mapped, HttpResponse):
        return mapped
    called = await functions.call(function_arn, mapped, source_arn=call.source_arn(),
                                  source_account=call.account, timeout_s=_timeout_s(call))
    failure = _function_failure(called)
    if failure is not None:
        return failure
    subject = ""
    if called.status is CallStatus.FUNCTION_ERROR:
        try:
            subject = str(json.loads(called.payload).get("errorMessage") or "")
        except (ValueError, AttributeError):
            subject = ""
    return _mapped_response(call, _select(call, subject), called.payload, {})


# -- HTTP ---------------------------------------------------------------------------------

def _target_url(call: Call) -> str:
    uri = call.substituted(str(call.integration.get("uri")))
    mapped = _request_parameters(call)
    for name, value in {**call.path_parameters, **mapped["path"]}.items():
        safe = "/" if name in call.path_parameters and \
            call.resource["pathPart"] == "{" + name + "+}" else ""
        uri = uri.replace("{" + name + "+}", quote(value, safe="/")).replace(
            "{" + name + "}", quote(value, safe=safe))
    query = call.request.query_string
    if mapped["querystring"]:
        extra = "&".join(f"{quote(k)}={quote(v)}" for k, v in mapped["querystring"].items())
        query = f"{query}&{extra}" if query else extra
    return f"{uri}?{query}" if query else uri


def _request_parameters(call: Call) -> dict[str, dict[str, str]]:
    """``integration.request.<where>.<name>`` from ``method.request.<where>.<name>``,
    ``'literal'`` or ``stageVariables.<name>``."""
    out: dict[str, dict[str, str]] = {"path": {}, "querystring": {}, "header": {}}
    params = call.params()
    for target, source in (call.integration.get("requestParameters") or {}).items():
        parts = target.split(".", 3)
        if len(parts) != 4 or parts[3] == "" or parts[2] not in out:
            continue
        source = str(source)
        value: str | None = None
        if source.startswith("'") and source.endswith("'"):
            value = source[1:-1]
        elif source.startswith("method.request."):
            where, _, name = source[len("method.request."):].partition(".")
            found = params.get(where, {})
            value = next((v for k, v in found.items()
                          if k == name or (where == "header" and k.lower() == name.lower())),
                         None)
        elif source.startswith("stageVariables."):
            value = call.variables.get(source[len("stageVariables."):])
        if value is not None:
            out[parts[2]][parts[3]] = value
    return out


def _fetch(url: str, method: str, headers: list[tuple[str, str]], body: bytes,
           timeout_s: float) -> tuple[int, list[tuple[str, str]], bytes]:
    request = urllib.request.Request(url, data=body or None, method=method)
    for name, value in headers:
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:  # noqa: S310
            return answer.status, list(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as failed:
        return failed.code, list(failed.headers.items()), failed.read()


async def _http(call: Call, body: bytes, pass_headers: bool
                ) -> tuple[int, list[tuple[str, str]], bytes] | HttpResponse:
    headers = [(n, v) for n, v in call.request.headers if n.lower() not in _HOP_BY_HOP] \
        if pass_headers else [("content-type", call.content_type())]
    headers.extend(_request_parameters(call)["header"].items())
    method = str(call.integration.get("httpMethod") or call.request.method)
    if method == "ANY":
        method = call.request.method
    try:
        return await asyncio.to_thread(_fetch, _target_url(call), method, headers, body,
                                       _timeout_s(call))
    except TimeoutError:
        return error(504, "Endpoint request timed out", None, "INTEGRATION_TIMEOUT")
    except (OSError, ValueError) as failed:
        log.info("apigateway: %s: HTTP integration failed: %s", call.api["id"], failed)
        return internal_error(502, "INTEGRATION_FAILURE")


async def _http_proxy(call: Call) -> HttpResponse:
    fetched = await _http(call, call.request.body, True)
    if isinstance(fetched, HttpResponse):
        return fetched
    status, headers, body = fetched
    kept = [(n, v) for n, v in headers if n.lower() not in _HOP_BY_HOP]
    return HttpResponse(status, kept, body)


async def _http_mapped(call: Call) -> HttpResponse:
    mapped = _mapped_request(call)
    if isinstance(mapped, HttpResponse):
        return mapped
    fetched = await _http(call, mapped, False)
    if isinstance(fetched, HttpResponse):
        return fetched
    status, headers, body = fetched
    return _mapped_response(call, _select(call, str(status)), body, dict(headers))
