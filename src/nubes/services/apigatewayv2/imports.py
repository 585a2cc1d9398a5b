"""HTTP APIs from OpenAPI 3.0 definitions (ImportApi, ReimportApi), as AWS reads them.

Read: ``info`` (``title`` is the name; ``description``, ``version``), ``paths`` with
their operations (``get`` ... and ``x-amazon-apigateway-any-method``; the path
``/$default`` or ``isDefaultRoute`` makes the ``$default`` route), each operation's
``x-amazon-apigateway-integration`` (``type`` ``aws_proxy`` or ``http_proxy``, ``uri``,
``httpMethod``, ``payloadFormatVersion``, ``timeoutInMillis``, ``connectionType``) and
``security`` (a JWT or REQUEST authorizer with its scopes, or the ``awsSigv4`` scheme for
IAM), ``components.securitySchemes`` with ``x-amazon-apigateway-authorizer``, and
``x-amazon-apigateway-cors``. The result is a list of create requests, checked by the
same code as CreateRoute, CreateIntegration and CreateAuthorizer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nubes.services.apigatewayv2 import exceptions as exc

try:  # YAML definitions are read when PyYAML is installed (JSON always is)
    import yaml as _yaml_module  # type: ignore[import-untyped]
    _yaml: Any = _yaml_module
except ImportError:  # pragma: no cover - PyYAML comes with the AWS CLI
    _yaml = None

_METHODS = ("get", "post", "put", "delete", "patch", "head", "options",
            "x-amazon-apigateway-any-method")
_CORS = {"allowOrigins": "AllowOrigins", "allowMethods": "AllowMethods",
         "allowHeaders": "AllowHeaders", "exposeHeaders": "ExposeHeaders",
         "maxAge": "MaxAge", "allowCredentials": "AllowCredentials"}


@dataclass
class Definition:
    """What a definition asks for, as the control plane's create requests."""

    name: str
    description: str | None = None
    version: str | None = None
    cors: dict[str, Any] | None = None
    authorizers: dict[str, dict[str, Any]] = field(default_factory=dict)  # by scheme name
    iam_schemes: set[str] = field(default_factory=set)
    # (route key, integration request, security requirement or None)
    routes: list[tuple[str, dict[str, Any], list[Any] | None]] = field(default_factory=list)


def parse(body: str) -> Definition:
    text = body.strip()
    try:
        doc = json.loads(text) if text.startswith("{") or _yaml is None else \
            _yaml.safe_load(text)
    except Exception as error:  # JSON's and YAML's errors alike
        raise exc.bad_request(f"Invalid OpenAPI definition: {error}") from None
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3."):
        raise exc.bad_request("HTTP APIs import OpenAPI 3.0 definitions")
    info = doc.get("info") or {}
    if not info.get("title"):
        raise exc.bad_request("The definition's info needs a title (the API's name)")
    out = Definition(str(info["title"]), info.get("description"),
                     str(info["version"]) if info.get("version") is not None else None)
    cors = doc.get("x-amazon-apigateway-cors")
    if isinstance(cors, dict):
        out.cors = {_CORS[k]: v for k, v in cors.items() if k in _CORS}
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    for name, scheme in schemes.items():
        if not isinstance(scheme, dict):
            continue
        if str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
            out.iam_schemes.add(name)
            continue
        authorizer = scheme.get("x-amazon-apigateway-authorizer")
        if isinstance(authorizer, dict):
            out.authorizers[name] = _authorizer(name, authorizer)
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in _METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
            default = path == "/$default" or operation.get("isDefaultRoute") is True
            key = "$default" if default else f"{verb} {path}"
            integration = operation.get("x-amazon-apigateway-integration")
            if not isinstance(integration, dict):
                raise exc.bad_request(f"Route {key} has no x-amazon-apigateway-integration")
            security = operation.get("security", doc.get("security"))
            out.routes.append((key, _integration(integration), security or None))
    return out


def _integration(spec: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(spec.get("type", "")).upper()
    out: dict[str, Any] = {"IntegrationType": kind, "IntegrationUri": spec.get("uri")}
    if spec.get("httpMethod"):
        out["IntegrationMethod"] = str(spec["httpMethod"]).upper()
    if spec.get("payloadFormatVersion") is not None:
        out["PayloadFormatVersion"] = str(spec["payloadFormatVersion"])
    elif kind == "AWS_PROXY":
        out["PayloadFormatVersion"] = "2.0"
    if spec.get("timeoutInMillis") is not None:
        out["TimeoutInMillis"] = int(spec["timeoutInMillis"])
    if spec.get("connectionType"):
        out["ConnectionType"] = spec["connectionType"]
    return out


def _authorizer(name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(spec.get("type", "")).upper()
    source = spec.get("identitySource") or []
    sources = [s.strip() for s in source.split(",")] if isinstance(source, str) else \
        list(source)
    out: dict[str, Any] = {"Name": name, "AuthorizerType": kind, "IdentitySource": sources}
    if kind == "JWT":
        jwt = spec.get("jwtConfiguration") or {}
        out["JwtConfiguration"] = {"Issuer": jwt.get("issuer"),
                                   "Audience": list(jwt.get("audience") or [])}
    else:
        for wire, member in (("authorizerUri", "AuthorizerUri"),
                             ("authorizerPayloadFormatVersion",
                              "AuthorizerPayloadFormatVersion"),
                             ("authorizerResultTtlInSeconds", "AuthorizerResultTtlInSeconds"),
                             ("enableSimpleResponses", "EnableSimpleResponses")):
            if spec.get(wire) is not None:
                out[member] = spec[wire]
        if out.get("AuthorizerPayloadFormatVersion") is not None:
            out["AuthorizerPayloadFormatVersion"] = str(out["AuthorizerPayloadFormatVersion"])
    return out


def export(api: Mapping[str, Any], routes: Mapping[str, Any], integrations: Mapping[str, Any],
           authorizers: Mapping[str, Any], cors: Mapping[str, Any] | None,
           extensions: bool) -> dict[str, Any]:
    """An OpenAPI 3.0 definition of an API (ExportApi), that ImportApi reads back."""
    info: dict[str, Any] = {"title": api["Name"], "version": api.get("Version") or "1.0"}
    if api.get("Description"):
        info["description"] = api["Description"]
    doc: dict[str, Any] = {"openapi": "3.0.1", "info": info, "paths": {}}
    by_id = {a["AuthorizerId"]: a for a in authorizers.values()}
    for route in sorted(routes.values(), key=lambda r: r["RouteKey"]):
        key = route["RouteKey"]
        method, _, path = key.partition(" ")
        operation: dict[str, Any] = {
            "responses": {"default": {"description": f"Default response for {key}"}}}
        names = [p[1:-1].rstrip("+") for p in path.split("/") if p.startswith("{")]
        if names:
            operation["parameters"] = [{"name": n, "in": "path", "required": True,
                                        "schema": {"type": "string"}} for n in names]
        if key == "$default":
            path, method = "/$default", "ANY"
            operation["isDefaultRoute"] = True
        kind = route.get("AuthorizationType")
        authorizer = by_id.get(route.get("AuthorizerId") or "")
        if kind in ("JWT", "CUSTOM") and authorizer is not None:
            operation["security"] = [{authorizer["Name"]: route.get("AuthorizationScopes")
                                      or []}]
        elif kind == "AWS_IAM":
            operation["security"] = [{"sigv4": []}]
        integration = integrations.get(str(route.get("Target", "")).removeprefix(
            "integrations/"))
        if extensions and integration is not None:
            spec = {"type": integration["IntegrationType"].lower(),
                    "uri": integration["IntegrationUri"],
                    "httpMethod": integration.get("IntegrationMethod"),
                    "payloadFormatVersion": integration.get("PayloadFormatVersion"),
                    "connectionType": integration.get("ConnectionType"),
                    "timeoutInMillis": integration.get("TimeoutInMillis")}
            operation["x-amazon-apigateway-integration"] = {
                k: v for k, v in spec.items() if v is not None}
        verb = "x-amazon-apigateway-any-method" if method == "ANY" else method.lower()
        doc["paths"].setdefault(path, {})[verb] = operation
    schemes: dict[str, Any] = {}
    for authorizer in authorizers.values():
        scheme: dict[str, Any] = {"type": "oauth2" if authorizer["AuthorizerType"] == "JWT"
                                  else "apiKey"}
        if scheme["type"] == "apiKey":
            scheme.update({"name": "Unused", "in": "header"})
        if extensions:
            spec = {"type": authorizer["AuthorizerType"].lower(),
                    "identitySource": ", ".join(authorizer.get("IdentitySource") or [])}
            if authorizer["AuthorizerType"] == "JWT":
                jwt = authorizer["JwtConfiguration"]
                spec["jwtConfiguration"] = {"issuer": jwt["Issuer"],
                                            "audience": jwt["Audience"]}
            else:
                spec.update({k: authorizer[m] for k, m in (
                    ("authorizerUri", "AuthorizerUri"),
                    ("authorizerPayloadFormatVersion", "AuthorizerPayloadFormatVersion"),
                    ("authorizerResultTtlInSeconds", "AuthorizerResultTtlInSeconds"),
                    ("enableSimpleResponses", "EnableSimpleResponses")) if m in authorizer})
            scheme["x-amazon-apigateway-authorizer"] = spec
        schemes[authorizer["Name"]] = scheme
    if any(r.get("AuthorizationType") == "AWS_IAM" for r in routes.values()):
        schemes["sigv4"] = {"type": "apiKey", "name": "Authorization", "in": "header",
                            **({"x-amazon-apigateway-authtype": "awsSigv4"}
                               if extensions else {})}
    if schemes:
        doc["components"] = {"securitySchemes": schemes}
    if extensions and cors:
        wire = {member: name for name, member in _CORS.items()}
        doc["x-amazon-apigateway-cors"] = {wire[k]: v for k, v in cors.items() if k in wire}
    if extensions:
        doc["x-amazon-apigateway-importexport-version"] = "1.0"
    return doc


def dump(doc: Mapping[str, Any], output_type: str) -> bytes:
    if output_type == "YAML":
        if _yaml is None:  # pragma: no cover - PyYAML comes with the AWS CLI
            raise exc.bad_request("YAML output needs PyYAML")
        text: str = _yaml.safe_dump(dict(doc), sort_keys=False)
        return text.encode()
    if output_type == "JSON":
        return json.dumps(doc, indent=2).encode()
    raise exc.bad_request(f"Invalid OutputType {output_type}: JSON or YAML")
