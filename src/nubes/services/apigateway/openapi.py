"""An API's tree from an OpenAPI document (Swagger 2.0 or OpenAPI 3.0, JSON or YAML)
with API Gateway's extensions, as ImportRestApi and PutRestApi read it.

Read: ``paths`` (methods, ``x-amazon-apigateway-any-method``, parameters as method
request parameters, responses as method responses), ``x-amazon-apigateway-integration``
(with its ``responses`` keyed by selection pattern), ``securityDefinitions`` /
``components.securitySchemes`` (API keys, ``x-amazon-apigateway-authorizer`` Lambda
authorizers, ``awsSigv4``), ``x-amazon-apigateway-binary-media-types``,
``x-amazon-apigateway-api-key-source``, ``x-amazon-apigateway-policy``,
``x-amazon-apigateway-gateway-responses``, ``basePath``
(with the ``basepath`` import parameter: ignore, prepend, split), ``definitions`` /
``components.schemas`` (as models), ``x-amazon-apigateway-request-validators`` and
``x-amazon-apigateway-request-validator`` (the document's default, or an operation's),
body parameters' and ``requestBody`` schemas ``$ref`` (as request models).
"""

from __future__ import annotations

import json
from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.models import child_path, new_id
from nubes.services.apigateway.store import Doc

try:  # YAML documents are read when PyYAML is installed (JSON always is)
    import yaml as _yaml_module  # type: ignore[import-untyped]
    yaml_module: Any = _yaml_module
except ImportError:  # pragma: no cover - PyYAML comes with the AWS CLI
    yaml_module = None
_yaml = yaml_module

_METHODS = ("get", "post", "put", "delete", "patch", "head", "options",
            "x-amazon-apigateway-any-method")


def parse_document(body: bytes) -> Doc:
    """The document in a request body; BadRequestException if it is not one."""
    text = body.decode("utf-8", "replace").strip()
    try:
        doc = json.loads(text) if text.startswith("{") or _yaml is None else \
            _yaml.safe_load(text)
    except Exception as error:  # JSON's and YAML's errors alike
        raise exc.bad_request("Invalid OpenAPI input.") from error
    if not isinstance(doc, dict) or not ("swagger" in doc or "openapi" in doc):
        raise exc.bad_request("Invalid OpenAPI input.")
    return doc


def api_members(doc: Doc) -> Doc:
    """The REST API's own members the document sets (name, description, ...)."""
    info = doc.get("info") or {}
    out: Doc = {}
    if info.get("title"):
        out["name"] = str(info["title"])
    if info.get("description"):
        out["description"] = str(info["description"])
    if info.get("version") is not None:
        out["version"] = str(info["version"])
    if "x-amazon-apigateway-binary-media-types" in doc:
        out["binaryMediaTypes"] = list(doc["x-amazon-apigateway-binary-media-types"])
    source = doc.get("x-amazon-apigateway-api-key-source")
    if source:
        out["apiKeySource"] = str(source).upper()
    policy = doc.get("x-amazon-apigateway-policy")
    if policy is not None:
        out["policy"] = policy if isinstance(policy, str) else json.dumps(policy)
    return out


def _schemes(doc: Doc) -> Doc:
    return dict(doc.get("securityDefinitions") or
                (doc.get("components") or {}).get("securitySchemes") or {})


def authorizers(doc: Doc, existing: dict[str, Doc]) -> dict[str, Doc]:
    """The Lambda authorizers the document's security schemes declare, by id (an
    authorizer already there under the same name keeps its id)."""
    by_name = {a["name"]: a["id"] for a in existing.values()}
    out: dict[str, Doc] = {}
    for name, scheme in _schemes(doc).items():
        spec = scheme.get("x-amazon-apigateway-authorizer")
        if not isinstance(spec, dict):
            continue
        kind = str(spec.get("type", "token")).upper()
        if kind == "COGNITO_USER_POOLS":
            kind = "COGNITO_USER_POOLS"
        source = spec.get("identitySource")
        if kind == "TOKEN" and not source:
            source = f"method.request.header.{scheme.get('name', 'Authorization')}"
        authorizer: Doc = {"id": by_name.get(name) or new_id("authorizer"), "name": name,
                           "type": kind, "authType": scheme.get(
                               "x-amazon-apigateway-authtype", "custom"),
                           "authorizerResultTtlInSeconds": int(
                               spec.get("authorizerResultTtlInSeconds", 300))}
        for member in ("authorizerUri", "identityValidationExpression",
                       "authorizerCredentials", "providerARNs"):
            if spec.get(member) is not None:
                authorizer[member] = spec[member]
        if source:
            authorizer["identitySource"] = source
        out[authorizer["id"]] = authorizer
    return out


def _security(operation: Doc, doc: Doc, authorizer_ids: dict[str, str]) -> Doc:
    """A method's authorization members from its (or the document's) ``security``."""
    schemes = _schemes(doc)
    out: Doc = {"authorizationType": "NONE", "apiKeyRequired": False}
    for requirement in operation.get("security", doc.get("security")) or []:
        for name, scopes in requirement.items():
            scheme = schemes.get(name) or {}
            if name in authorizer_ids:
                out["authorizationType"] = "CUSTOM"
                out["authorizerId"] = authorizer_ids[name]
            elif str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
                out["authorizationType"] = "AWS_IAM"
            elif scheme.get("type") == "apiKey":
                out["apiKeyRequired"] = True
            if scopes:
                out["authorizationScopes"] = list(scopes)
    return out


def _integration(spec: Doc) -> Doc:
    kind = str(spec.get("type", "")).upper()
    integration: Doc = {"type": kind,
                        "passthroughBehavior": str(spec.get("passthroughBehavior",
                                                            "when_no_match")).upper(),
                        "timeoutInMillis": int(spec.get("timeoutInMillis", 29000)),
                        "cacheKeyParameters": list(spec.get("cacheKeyParameters") or [])}
    if spec.get("httpMethod") and kind != "MOCK":
        integration["httpMethod"] = str(spec["httpMethod"]).upper()
    for member in ("uri", "credentials", "requestParameters", "requestTemplates",
                   "contentHandling", "connectionType", "connectionId", "cacheNamespace"):
        if spec.get(member) is not None:
            integration[member] = spec[member]
    responses: dict[str, Doc] = {}
    for pattern, response in (spec.get("responses") or {}).items():
        code = str(response.get("statusCode", "200"))
        entry: Doc = {"statusCode": code}
        if pattern != "default":
            entry["selectionPattern"] = pattern
        for member in ("responseParameters", "responseTemplates", "contentHandling"):
            if response.get(member) is not None:
                entry[member] = response[member]
        responses[code] = entry
    if responses:
        integration["integrationResponses"] = responses
    return integration


def _method(http_method: str, operation: Doc, doc: Doc, authorizer_ids: dict[str, str],
            validator_ids: dict[str, str]) -> Doc:
    method: Doc = {"httpMethod": http_method, **_security(operation, doc, authorizer_ids)}
    validator = operation.get("x-amazon-apigateway-request-validator",
                              doc.get("x-amazon-apigateway-request-validator"))
    if validator in validator_ids:
        method["requestValidatorId"] = validator_ids[validator]
    body = next((p for p in operation.get("parameters") or [] if p.get("in") == "body"),
                None)
    ref = str(((body or {}).get("schema") or {}).get("$ref") or "")
    content = ((operation.get("requestBody") or {}).get("content") or {})
    if ref:
        method["requestModels"] = {"application/json": ref.rsplit("/", 1)[-1]}
    elif content:
        method["requestModels"] = {kind: str((spec.get("schema") or {}).get("$ref", ""))
                                   .rsplit("/", 1)[-1] for kind, spec in content.items()
                                   if (spec.get("schema") or {}).get("$ref")}
    if operation.get("operationId"):
        method["operationName"] = operation["operationId"]
    parameters: dict[str, bool] = {}
    for parameter in operation.get("parameters") or []:
        where = {"path": "path", "query": "querystring", "header": "header"}.get(
            parameter.get("in", ""))
        if where:
            parameters[f"method.request.{where}.{parameter['name']}"] = bool(
                parameter.get("required", False))
    if parameters:
        method["requestParameters"] = parameters
    responses: dict[str, Doc] = {}
    for code, response in (operation.get("responses") or {}).items():
        if not str(code).isdigit():
            continue
        entry: Doc = {"statusCode": str(code)}
        headers = (response or {}).get("headers") or {}
        if headers:
            entry["responseParameters"] = {f"method.response.header.{h}": False
                                           for h in headers}
        responses[str(code)] = entry
    if responses:
        method["methodResponses"] = responses
    spec = operation.get("x-amazon-apigateway-integration")
    if isinstance(spec, dict):
        method["methodIntegration"] = _integration(spec)
    return method


def merge_paths(api: Doc, doc: Doc, basepath_mode: str) -> None:
    """Add the document's paths and methods to the API's tree (a method already there
    is replaced)."""
    resources: dict[str, Doc] = api["_resources"]
    by_path = {r["path"]: r for r in resources.values()}
    ids = {a["name"]: a["id"] for a in api["_authorizers"].values()}
    validator_ids = {v["name"]: v["id"] for v in (api.get("_validators") or {}).values()}
    prefix = ""
    base = str(doc.get("basePath") or "").strip("/")
    if basepath_mode == "prepend" and base:
        prefix = "/" + base
    for raw_path, item in (doc.get("paths") or {}).items():
        path = prefix + ("/" + str(raw_path).strip("/") if raw_path != "/" else "")
        resource = _ensure(resources, by_path, path or "/")
        for key, operation in (item or {}).items():
            if key not in _METHODS or not isinstance(operation, dict):
                continue
            name = "ANY" if key == "x-amazon-apigateway-any-method" else key.upper()
            resource.setdefault("resourceMethods", {})[name] = _method(
                name, operation, doc, ids, validator_ids)


def _ensure(resources: dict[str, Doc], by_path: dict[str, Doc], path: str) -> Doc:
    if path in by_path:
        return by_path[path]
    parent_path, _, part = path.rpartition("/")
    parent = _ensure(resources, by_path, parent_path or "/")
    resource_id = new_id("resource")
    resource = {"id": resource_id, "parentId": parent["id"], "pathPart": part,
                "path": child_path(parent["path"], part)}
    resources[resource_id] = resource
    by_path[resource["path"]] = resource
    return resource


def apply_document(api: Doc, doc: Doc, mode: str, basepath_mode: str) -> Doc:
    """``api`` with the document applied: ``overwrite`` replaces its tree and
    authorizers, ``merge`` adds to them."""
    if mode == "overwrite":
        root = api["rootResourceId"]
        api["_resources"] = {root: {"id": root, "path": "/"}}
        api["_authorizers"] = authorizers(doc, api["_authorizers"])
    else:
        api["_authorizers"].update(authorizers(doc, api["_authorizers"]))
    for member, value in api_members(doc).items():
        if member != "name" or mode == "overwrite":
            api[member] = value
    validators = api.setdefault("_validators", {}) if mode != "overwrite" else {}
    by_name = {v["name"]: v["id"] for v in validators.values()}
    for name, spec in (doc.get("x-amazon-apigateway-request-validators") or {}).items():
        validator_id = by_name.get(name) or new_id("validator")
        validators[validator_id] = {
            "id": validator_id, "name": str(name),
            "validateRequestBody": bool((spec or {}).get("validateRequestBody")),
            "validateRequestParameters": bool((spec or {}).get("validateRequestParameters"))}
    api["_validators"] = validators
    merge_paths(api, doc, basepath_mode)
    models = api.setdefault("_models", {})
    schemas = doc.get("definitions") or (doc.get("components") or {}).get("schemas") or {}
    for name, schema in schemas.items():
        known = models.get(name) or {"id": new_id("model"), "name": str(name),
                                     "contentType": "application/json"}
        models[str(name)] = {**known, "schema": json.dumps(schema, indent=2)}
    responses = gateway_responses(doc)
    if mode == "overwrite":
        api["_gatewayResponses"] = responses
    else:
        api.setdefault("_gatewayResponses", {}).update(responses)
    return api


def gateway_responses(doc: Doc) -> dict[str, Doc]:
    """``x-amazon-apigateway-gateway-responses``, by response type."""
    out: dict[str, Doc] = {}
    for kind, spec in (doc.get("x-amazon-apigateway-gateway-responses") or {}).items():
        if not isinstance(spec, dict):
            continue
        entry: Doc = {"responseType": kind, "defaultResponse": False,
                      "responseParameters": dict(spec.get("responseParameters") or {}),
                      "responseTemplates": dict(spec.get("responseTemplates") or {})}
        if spec.get("statusCode") is not None:
            entry["statusCode"] = str(spec["statusCode"])
        out[str(kind)] = entry
    return out
