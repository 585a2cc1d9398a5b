"""Gateway responses: how an API's own errors look (status, headers, body template),
per response type, with DEFAULT_4XX / DEFAULT_5XX as fall-backs. They are part of the
API's document, so deployments snapshot them; the door applies them
(``customized``)."""

from __future__ import annotations

import json
from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.core import ApiCore, required
from nubes.services.apigateway.models import apply_patch
from nubes.services.apigateway.store import Doc
from nubes.services.apigateway.vtl import TemplateError, render
from nubes.services.base import RequestContext

# AWS's response types and the status each answers with by default (None: the status of
# the error itself, for the DEFAULT_ fall-backs).
TYPES: dict[str, int | None] = {
    "DEFAULT_4XX": None, "DEFAULT_5XX": None, "ACCESS_DENIED": 403,
    "API_CONFIGURATION_ERROR": 500, "AUTHORIZER_CONFIGURATION_ERROR": 500,
    "AUTHORIZER_FAILURE": 500, "BAD_REQUEST_PARAMETERS": 400, "BAD_REQUEST_BODY": 400,
    "EXPIRED_TOKEN": 403, "INTEGRATION_FAILURE": 504, "INTEGRATION_TIMEOUT": 504,
    "INVALID_API_KEY": 403, "INVALID_SIGNATURE": 403, "MISSING_AUTHENTICATION_TOKEN": 403,
    "QUOTA_EXCEEDED": 429, "REQUEST_TOO_LARGE": 413, "RESOURCE_NOT_FOUND": 404,
    "THROTTLED": 429, "UNAUTHORIZED": 401, "UNSUPPORTED_MEDIA_TYPE": 415,
    "WAF_FILTERED": 403,
}
DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'


def default_response(kind: str) -> Doc:
    doc: Doc = {"responseType": kind, "defaultResponse": True, "responseParameters": {},
                "responseTemplates": {"application/json": DEFAULT_TEMPLATE}}
    if TYPES[kind] is not None:
        doc["statusCode"] = str(TYPES[kind])
    return doc


def _kind(params: dict[str, Any]) -> str:
    kind = str(required(params, "responseType"))
    if kind not in TYPES:
        raise exc.bad_request(f"Invalid response type specified: {kind}")
    return kind


class GatewayResponseOps(ApiCore):
    def put_gateway_response(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        kind = _kind(params)
        doc: Doc = {"responseType": kind, "defaultResponse": False,
                    "responseParameters": params.get("responseParameters") or {},
                    "responseTemplates": params.get("responseTemplates") or {}}
        if params.get("statusCode"):
            doc["statusCode"] = str(params["statusCode"])

        def change(api: Doc) -> Doc:
            api.setdefault("_gatewayResponses", {})[kind] = doc
            return api

        self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 201
        return doc

    def get_gateway_response(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        api = self.api_doc(ctx, required(params, "restApiId"))
        kind = _kind(params)
        found: Doc | None = (api.get("_gatewayResponses") or {}).get(kind)
        return found or default_response(kind)

    def get_gateway_responses(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        api = self.api_doc(ctx, required(params, "restApiId"))
        set_ = api.get("_gatewayResponses") or {}
        return {"items": [set_.get(kind) or default_response(kind) for kind in TYPES]}

    def update_gateway_response(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        kind = _kind(params)

        def change(api: Doc) -> Doc:
            responses = api.setdefault("_gatewayResponses", {})
            doc = responses.get(kind) or {**default_response(kind), "defaultResponse": False}
            apply_patch(doc, params.get("patchOperations") or [],
                        ("statusCode", "responseParameters", "responseTemplates"),
                        maps=("responseParameters", "responseTemplates"))
            responses[kind] = doc
            return api

        api = self.change_api(ctx, required(params, "restApiId"), change)
        updated: Doc = api["_gatewayResponses"][kind]
        return updated

    def delete_gateway_response(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        kind = _kind(params)

        def change(api: Doc) -> Doc:
            if kind not in (api.get("_gatewayResponses") or {}):
                raise exc.not_found("Invalid Gateway Response identifier specified")
            del api["_gatewayResponses"][kind]
            return api

        self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 202
        return {}


def customized(snapshot: Doc, kind: str, status: int, message: str | None,
               context: dict[str, Any], request_values: dict[str, dict[str, str]]
               ) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """The API's own answer for an error of response type ``kind``: (status, headers,
    body), or None when neither the type nor its DEFAULT_ fall-back is customized."""
    responses = snapshot.get("_gatewayResponses") or {}
    spec = responses.get(kind) or responses.get("DEFAULT_5XX" if status >= 500
                                                else "DEFAULT_4XX")
    if spec is None:
        return None
    code = int(spec.get("statusCode") or status)
    headers: list[tuple[str, str]] = [("content-type", "application/json")]
    for name, source in (spec.get("responseParameters") or {}).items():
        if not name.startswith("gatewayResponse.header."):
            continue
        value = _value(str(source), request_values)
        if value is not None:
            headers.append((name[len("gatewayResponse.header."):], value))
    template = (spec.get("responseTemplates") or {}).get("application/json",
                                                         DEFAULT_TEMPLATE)
    error = {"message": message, "messageString": json.dumps(message),
             "responseType": kind}
    try:
        body = render(template, {"context": {**context, "error": error}}).encode()
    except TemplateError:
        body = json.dumps({"message": message}).encode()
    return code, headers, body


def _value(source: str, request_values: dict[str, dict[str, str]]) -> str | None:
    if source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    if source.startswith("method.request."):
        where, _, name = source[len("method.request."):].partition(".")
        values = request_values.get(where, {})
        return next((v for k, v in values.items()
                     if k == name or (where == "header" and k.lower() == name.lower())), None)
    return None
