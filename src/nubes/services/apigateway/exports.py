"""GetExport: a stage's deployed API as an OpenAPI document (``swagger`` 2.0 or
``oas30``), JSON or YAML, with API Gateway's extensions when the ``extensions``
parameter asks for them (``integrations``, ``authorizers`` or ``apigateway``: all of
them). Importing the export builds the same tree."""

from __future__ import annotations

import json
from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.core import ApiCore, required
from nubes.services.apigateway.deployments import DEPLOYMENT, STAGE
from nubes.services.apigateway.openapi import yaml_module
from nubes.services.apigateway.store import Doc
from nubes.services.base import RequestContext

_INTEGRATION_MEMBERS = ("uri", "httpMethod", "requestParameters", "requestTemplates",
                        "passthroughBehavior", "contentHandling", "timeoutInMillis",
                        "cacheNamespace", "cacheKeyParameters", "credentials",
                        "connectionType", "connectionId")


def _integration(integration: Doc) -> Doc:
    out: Doc = {"type": integration["type"].lower()}
    for member in _INTEGRATION_MEMBERS:
        if integration.get(member) not in (None, [], {}):
            value = integration[member]
            out[member] = value.lower() if member == "passthroughBehavior" else value
    responses: Doc = {}
    for response in (integration.get("integrationResponses") or {}).values():
        entry = {k: v for k, v in response.items() if k != "selectionPattern"}
        responses[response.get("selectionPattern") or "default"] = entry
    if responses:
        out["responses"] = responses
    return out


def _operation(method: Doc, api: Doc, extended: bool, oas3: bool) -> Doc:
    operation: Doc = {}
    if method.get("operationName"):
        operation["operationId"] = method["operationName"]
    parameters = []
    for name, needed in (method.get("requestParameters") or {}).items():
        where, _, wanted = name[len("method.request."):].partition(".")
        place = {"querystring": "query", "path": "path", "header": "header"}.get(where)
        if place:
            parameter: Doc = {"name": wanted, "in": place, "required": bool(needed)}
            parameter.update({"schema": {"type": "string"}} if oas3 else {"type": "string"})
            parameters.append(parameter)
    if parameters:
        operation["parameters"] = parameters
    operation["responses"] = {code: {"description": f"{code} response"}
                              for code in (method.get("methodResponses") or {})}
    security: list[Doc] = []
    if method.get("apiKeyRequired"):
        security.append({"api_key": []})
    authorizer = api["_authorizers"].get(method.get("authorizerId"))
    if method.get("authorizationType") == "CUSTOM" and authorizer:
        security.append({authorizer["name"]: []})
    if method.get("authorizationType") == "AWS_IAM":
        security.append({"sigv4": []})
    if security:
        operation["security"] = security
    if extended and method.get("methodIntegration"):
        operation["x-amazon-apigateway-integration"] = _integration(method["methodIntegration"])
    return operation


def _schemes(api: Doc, extended: bool) -> Doc:
    schemes: Doc = {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
                    "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
                              "x-amazon-apigateway-authtype": "awsSigv4"}}
    for authorizer in api["_authorizers"].values():
        source = str(authorizer.get("identitySource") or "")
        header = source.split(",")[0].strip().rpartition(".")[2] or "Authorization"
        scheme: Doc = {"type": "apiKey", "name": header, "in": "header",
                       "x-amazon-apigateway-authtype": "custom"}
        if extended:
            spec = {"type": authorizer["type"].lower()}
            for member in ("authorizerUri", "authorizerCredentials", "identitySource",
                           "identityValidationExpression", "authorizerResultTtlInSeconds"):
                if authorizer.get(member) is not None:
                    spec[member] = authorizer[member]
            scheme["x-amazon-apigateway-authorizer"] = spec
        schemes[authorizer["name"]] = scheme
    return schemes


def export_document(api: Doc, stage: str, oas3: bool, extended: bool) -> Doc:
    paths: Doc = {}
    for resource in sorted(api["_resources"].values(), key=lambda r: r["path"]):
        methods = resource.get("resourceMethods") or {}
        if methods:
            paths[resource["path"]] = {
                ("x-amazon-apigateway-any-method" if name == "ANY" else name.lower()):
                    _operation(method, api, extended, oas3)
                for name, method in methods.items()}
    info = {"title": api["name"], "version": api.get("version") or ""}
    if api.get("description"):
        info["description"] = api["description"]
    doc: Doc = ({"openapi": "3.0.1", "info": info} if oas3 else
                {"swagger": "2.0", "info": info, "basePath": f"/{stage}",
                 "schemes": ["https"]})
    doc["paths"] = paths
    schemes = _schemes(api, extended)
    if oas3:
        doc["components"] = {"securitySchemes": schemes}
    else:
        doc["securityDefinitions"] = schemes
    if extended:
        if api.get("binaryMediaTypes"):
            doc["x-amazon-apigateway-binary-media-types"] = api["binaryMediaTypes"]
        if api.get("apiKeySource") == "AUTHORIZER":
            doc["x-amazon-apigateway-api-key-source"] = "AUTHORIZER"
    return doc


class ExportOps(ApiCore):
    def get_export(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = required(params, "restApiId")
        self.api_doc(ctx, api_id)
        stage = self.store.get(STAGE, api_id, required(params, "stageName"))
        if stage is None:
            raise exc.not_found("Invalid Stage identifier specified")
        deployment = self.store.get(DEPLOYMENT, api_id, stage["deploymentId"])
        if deployment is None:
            raise exc.not_found("Invalid Deployment identifier specified")
        kind = required(params, "exportType")
        if kind not in ("swagger", "oas30"):
            raise exc.bad_request(f"Invalid export type specified: {kind}")
        extensions = str((params.get("parameters") or {}).get("extensions") or "")
        extended = any(e in extensions for e in ("integrations", "authorizers",
                                                 "apigateway"))
        doc = export_document(deployment["_snapshot"], stage["stageName"], kind == "oas30",
                              extended)
        accepts = str(params.get("accepts") or "application/json")
        if "yaml" in accepts and yaml_module is not None:
            body = yaml_module.safe_dump(doc, sort_keys=False).encode()
            content_type = "application/yaml"
        else:
            body = json.dumps(doc, indent=2).encode()
            content_type = "application/json"
        suffix = "yaml" if content_type.endswith("yaml") else "json"
        return {"contentType": content_type, "body": body,
                "contentDisposition": f'attachment; filename="{kind}_{stage["stageName"]}'
                                      f'.{suffix}"'}
