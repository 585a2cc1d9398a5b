"""The control plane of HTTP APIs: APIs, routes, integrations, authorizers, stages,
deployments, CORS and tags.

Everything of an API lives in its one document (``store.py``): ``api`` (the Api shape),
``routes``, ``integrations``, ``authorizers`` (by id), ``stages`` (by name) and
``deployments`` (by id, each with the ``snapshot`` of the routes, integrations,
authorizers and CORS configuration it serves). A stage serves its deployment; a stage
with ``AutoDeploy`` gets a new deployment whenever the API changes, as on AWS.
"""

from __future__ import annotations

import copy
import re
import secrets
import string
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from nubes.services.apigatewayv2 import exceptions as exc
from nubes.services.apigatewayv2 import imports
from nubes.services.apigatewayv2.store import Doc, HttpApiStore
from nubes.services.base import RequestContext

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
DEFAULT_ROUTE = "$default"
DEFAULT_STAGE = "$default"
_ALPHABET = string.ascii_lowercase + string.digits
_STAGE_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_STAGE_VARIABLE_VALUE = re.compile(r"^[A-Za-z0-9\-._~:/?#&=,]+$")
_STAGE_NAME = re.compile(r"^(\$default|[A-Za-z0-9_\-]{1,128})$")
_LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+"
                         r"(:[A-Za-z0-9_$-]+)?$")
_APIGW_LAMBDA_URI = re.compile(r"^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/"
                               r"2015-03-31/functions/(?P<arn>.+)/invocations$")
_IDENTITY_SOURCE = re.compile(r"^\$(request\.(header|querystring)\.[^\s,]+|context\.[^\s,]+|"
                              r"stageVariables\.[^\s,]+)$")
# Route settings Nubes acts on; the others AWS keeps for WebSocket APIs or metrics.
_THROTTLING = ("ThrottlingBurstLimit", "ThrottlingRateLimit")


def new_id(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def function_arn(uri: str) -> str | None:
    """The function a Lambda integration or authorizer URI names (either form)."""
    found = _APIGW_LAMBDA_URI.match(uri)
    arn = found.group("arn") if found else uri
    return arn if _LAMBDA_ARN.match(arn) or "${stageVariables." in arn else None


def parse_route_key(key: str) -> tuple[str, str] | None:
    """("GET", "/pets/{id}") of a route key; None for ``$default`` and invalid keys."""
    method, _, path = key.partition(" ")
    if method not in METHODS or not path.startswith("/") or " " in path:
        return None
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        if segment.endswith("+}") and (index != len(segments) - 1 or not segment.startswith("{")):
            return None
        if ("{" in segment or "}" in segment) and not (
                segment.startswith("{") and segment.endswith("}") and len(segment) > 2):
            return None
    return method, path


def _epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _public(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as the wire shows it: internal members (``_x``) dropped, dates as dates."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key.startswith("_"):
            continue
        out[key] = _epoch(value) if key in ("CreatedDate", "LastUpdatedDate") else value
    return out


def _page(items: list[dict[str, Any]], params: Mapping[str, Any]) -> dict[str, Any]:
    raw_max = params.get("MaxResults")
    try:
        limit = int(raw_max) if raw_max not in (None, "") else 1000
    except ValueError:
        raise exc.bad_request("MaxResults must be a number") from None
    start = 0
    token = params.get("NextToken")
    if token:
        if not str(token).isdigit():
            raise exc.bad_request("Invalid NextToken")
        start = int(token)
    out: dict[str, Any] = {"Items": items[start:start + max(limit, 1)]}
    if start + limit < len(items):
        out["NextToken"] = str(start + limit)
    return out


class HttpApiOps:
    """The control-plane operations (mixed into ``ApiGatewayV2Provider``)."""

    store: HttpApiStore
    clock: Callable[[], float]
    id_taken: Callable[[str], bool]  # an id in use by any API kind (REST APIs too)

    # -- helpers -------------------------------------------------------------------

    def _doc(self, ctx: RequestContext, api_id: str) -> Doc:
        found = self.store.get(api_id)
        if found is None or (found[0], found[1]) != (ctx.account_id, ctx.region):
            raise exc.not_found("API", f"{ctx.account_id}:{api_id}")
        return found[2]

    def _change(self, ctx: RequestContext, api_id: str, change: Callable[[Doc], Any],
                *, redeploy: bool = True) -> Any:
        """Run ``change`` on the caller's API in one transaction and return its result;
        stages with AutoDeploy then serve the changed API."""
        self._doc(ctx, api_id)
        result: list[Any] = []

        def apply(doc: Doc) -> None:
            result.append(change(doc))
            if redeploy:
                self._auto_deploy(doc)
            doc["_version"] = doc.get("_version", 0) + 1

        if self.store.update(api_id, apply) is None:
            self._doc(ctx, api_id)
        return result[0]

    def _auto_deploy(self, doc: Doc) -> None:
        for stage in doc["stages"].values():
            if stage.get("AutoDeploy"):
                deployment = self._deploy(doc, "", auto=True)
                self._point(doc, stage, deployment["DeploymentId"])

    def _deploy(self, doc: Doc, description: str, *, auto: bool) -> Doc:
        deployment_id = self._unique(doc["deployments"], 6)
        snapshot = {key: copy.deepcopy(doc[key])
                    for key in ("routes", "integrations", "authorizers")}
        snapshot["cors"] = copy.deepcopy(doc["api"].get("CorsConfiguration"))
        deployment: Doc = {
            "DeploymentId": deployment_id, "DeploymentStatus": "DEPLOYED",
            "CreatedDate": self.clock(), "AutoDeployed": auto, "_snapshot": snapshot,
        }
        if description:
            deployment["Description"] = description
        doc["deployments"][deployment_id] = deployment
        return deployment

    def _point(self, doc: Doc, stage: Doc, deployment_id: str) -> None:
        """``stage`` now serves ``deployment_id``; snapshots of automatic deployments no
        stage serves any more are dropped (the deployment itself stays listed)."""
        stage["DeploymentId"] = deployment_id
        stage["LastUpdatedDate"] = self.clock()
        served = {s.get("DeploymentId") for s in doc["stages"].values()}
        for deployment in doc["deployments"].values():
            if deployment.get("AutoDeployed") and deployment["DeploymentId"] not in served:
                deployment.pop("_snapshot", None)

    @staticmethod
    def _unique(existing: Mapping[str, Any], length: int) -> str:
        while True:
            candidate = new_id(length)
            if candidate not in existing:
                return candidate

    def _endpoint(self, ctx: RequestContext, api_id: str) -> str:
        host = ctx.endpoint.split("://", 1)[-1]
        port = host.rpartition(":")[2] if host.rpartition(":")[2].isdigit() else ""
        return f"http://{api_id}.execute-api.localhost" + (f":{port}" if port else "")

    def _api_out(self, ctx: RequestContext, doc: Doc) -> dict[str, Any]:
        out = _public(doc["api"])
        out["ApiEndpoint"] = self._endpoint(ctx, doc["api"]["ApiId"])
        out["Tags"] = dict(doc["api"].get("Tags") or {})
        return out

    # -- APIs ------------------------------------------------------------------------

    def create_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("Name")
        protocol = params.get("ProtocolType")
        if not name:
            raise exc.bad_request("Name is required")
        if protocol != "HTTP":
            raise exc.bad_request(
                f"Nubes serves HTTP APIs; ProtocolType {protocol!r} is not supported")
        _unsupported(params, "CredentialsArn", "DisableSchemaValidation")
        expression = params.get("RouteSelectionExpression") or "${request.method} ${request.path}"
        if expression not in ("${request.method} ${request.path}",
                              "$request.method $request.path"):
            raise exc.bad_request("The route selection expression of an HTTP API must be "
                                  "${request.method} ${request.path}")
        api_id = self._new_api_id()
        api: Doc = {
            "ApiId": api_id, "Name": name, "ProtocolType": "HTTP",
            "RouteSelectionExpression": "${request.method} ${request.path}",
            "ApiKeySelectionExpression": params.get("ApiKeySelectionExpression")
            or "$request.header.x-api-key",
            "CreatedDate": self.clock(),
            "DisableExecuteApiEndpoint": bool(params.get("DisableExecuteApiEndpoint")),
            "IpAddressType": params.get("IpAddressType") or "ipv4",
            "Tags": dict(params.get("Tags") or {}),
        }
        for key in ("Description", "Version"):
            if params.get(key) is not None:
                api[key] = params[key]
        if params.get("CorsConfiguration") is not None:
            api["CorsConfiguration"] = _cors(params["CorsConfiguration"])
        doc: Doc = {"api": api, "routes": {}, "integrations": {}, "authorizers": {},
                    "stages": {}, "deployments": {}, "_version": 0}
        target = params.get("Target")
        if target:
            self._quick_create(doc, target, params.get("RouteKey") or DEFAULT_ROUTE)
        elif params.get("RouteKey"):
            raise exc.bad_request("RouteKey can only be given with Target (quick create)")
        self.store.insert(api_id, ctx.account_id, ctx.region, api["CreatedDate"], doc)
        ctx.status = 201
        return self._api_out(ctx, doc)

    def import_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """An API from an OpenAPI 3.0 definition (``imports.py``)."""
        definition = _definition(params)
        api_id = self._new_api_id()
        now = self.clock()
        doc: Doc = {"api": {
            "ApiId": api_id, "Name": definition.name, "ProtocolType": "HTTP",
            "RouteSelectionExpression": "${request.method} ${request.path}",
            "ApiKeySelectionExpression": "$request.header.x-api-key", "CreatedDate": now,
            "DisableExecuteApiEndpoint": False, "IpAddressType": "ipv4", "Tags": {}},
            "routes": {}, "integrations": {}, "authorizers": {}, "stages": {},
            "deployments": {}, "_version": 0}
        self._apply(doc, definition)
        self.store.insert(api_id, ctx.account_id, ctx.region, now, doc)
        ctx.status = 201
        return self._api_out(ctx, doc)

    def reimport_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """The API's routes, integrations, authorizers and CORS replaced by a definition's
        (its stages stay; auto-deploying ones serve the new definition)."""
        definition = _definition(params)

        def change(doc: Doc) -> None:
            for kind in ("routes", "integrations", "authorizers"):
                doc[kind] = {}
            doc["api"]["Name"] = definition.name
            doc["api"].pop("CorsConfiguration", None)
            self._apply(doc, definition)

        self._change(ctx, params["ApiId"], change)
        ctx.status = 201
        return self._api_out(ctx, self._doc(ctx, params["ApiId"]))

    def export_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """The API (or what a stage serves) as an OpenAPI 3.0 definition."""
        doc = self._doc(ctx, params["ApiId"])
        if params.get("Specification") != "OAS30":
            raise exc.bad_request("Specification must be OAS30")
        if params.get("ExportVersion") not in (None, "1.0"):
            raise exc.bad_request("ExportVersion must be 1.0")
        source: Doc = {**doc, "cors": doc["api"].get("CorsConfiguration")}
        name = params.get("StageName")
        if name:
            stage = self._stage_of(ctx, params)
            deployment = doc["deployments"].get(stage.get("DeploymentId") or "")
            if deployment is None or "_snapshot" not in deployment:
                raise exc.bad_request(f"Stage {name} has no deployment to export")
            source = deployment["_snapshot"]
        definition = imports.export(doc["api"], source["routes"], source["integrations"],
                                    source["authorizers"], source.get("cors"),
                                    params.get("IncludeExtensions") is not False)
        return {"body": imports.dump(definition, str(params.get("OutputType")))}

    def _apply(self, doc: Doc, definition: imports.Definition) -> None:
        api = doc["api"]
        for key, value in (("Description", definition.description),
                           ("Version", definition.version)):
            if value is not None:
                api[key] = value
        if definition.cors is not None:
            api["CorsConfiguration"] = _cors(definition.cors)
        authorizers = {name: self._authorizer(doc, spec)
                       for name, spec in definition.authorizers.items()}
        for key, integration_spec, security in definition.routes:
            integration = self._integration(doc, integration_spec)
            route: dict[str, Any] = {"RouteKey": key,
                                     "Target": f"integrations/{integration['IntegrationId']}"}
            for name, scopes in _requirement(security).items():
                if name in definition.iam_schemes:
                    route["AuthorizationType"] = "AWS_IAM"
                elif name in authorizers:
                    authorizer = authorizers[name]
                    jwt = authorizer["AuthorizerType"] == "JWT"
                    route["AuthorizationType"] = "JWT" if jwt else "CUSTOM"
                    route["AuthorizerId"] = authorizer["AuthorizerId"]
                    if jwt and scopes:
                        route["AuthorizationScopes"] = list(scopes)
                else:
                    raise exc.bad_request(f"Route {key} names an unknown security scheme "
                                          f"{name}")
            self._route(doc, route)

    def _new_api_id(self) -> str:
        while True:
            candidate = new_id(10)
            if not self.id_taken(candidate):
                return candidate

    def _quick_create(self, doc: Doc, target: str, route_key: str) -> None:
        """Quick create: an integration with ``target``, a route to it, and an
        auto-deploying ``$default`` stage (all managed by API Gateway)."""
        if function_arn(target) is not None:
            spec = {"IntegrationType": "AWS_PROXY", "IntegrationUri": target,
                    "PayloadFormatVersion": "2.0"}
        elif target.startswith(("http://", "https://")):
            spec = {"IntegrationType": "HTTP_PROXY", "IntegrationUri": target,
                    "IntegrationMethod": "ANY", "PayloadFormatVersion": "1.0"}
        else:
            raise exc.bad_request("Target must be a Lambda function ARN or an HTTP URL")
        integration = self._integration(doc, spec, managed=True)
        self._route(doc, {"RouteKey": route_key,
                          "Target": f"integrations/{integration['IntegrationId']}"},
                    managed=True)
        stage = self._stage(doc, {"StageName": DEFAULT_STAGE, "AutoDeploy": True},
                            managed=True)
        deployment = self._deploy(doc, "", auto=True)
        self._point(doc, stage, deployment["DeploymentId"])

    def _quick_update(self, doc: Doc, target: str | None, route_key: str | None) -> None:
        """UpdateApi's ``Target``/``RouteKey``: only for APIs made by quick create, whose
        managed integration and route they change."""
        managed = [i for i in doc["integrations"].values() if i.get("ApiGatewayManaged")]
        routes = [r for r in doc["routes"].values() if r.get("ApiGatewayManaged")]
        if not managed or not routes:
            raise exc.bad_request("Target and RouteKey can only be updated for APIs made "
                                  "by quick create")
        if target:
            kind = managed[0]["IntegrationType"]
            if (kind == "AWS_PROXY") != (function_arn(target) is not None):
                raise exc.bad_request("Target must stay of the same kind (a Lambda function "
                                      "or an HTTP URL)")
            self._integration(doc, {"IntegrationUri": target}, integration=managed[0])
        if route_key:
            self._route(doc, {"RouteKey": route_key}, route=routes[0])

    def get_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._api_out(ctx, self._doc(ctx, params["ApiId"]))

    def get_apis(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        items = [self._api_out(ctx, doc) for doc in self.store.owned(ctx.account_id, ctx.region)]
        return _page(items, params)

    def update_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _unsupported(params, "CredentialsArn", "DisableSchemaValidation")
        def change(doc: Doc) -> None:
            if params.get("Target") or params.get("RouteKey"):
                self._quick_update(doc, params.get("Target"), params.get("RouteKey"))
            api = doc["api"]
            for key in ("Name", "Description", "Version", "ApiKeySelectionExpression",
                        "DisableExecuteApiEndpoint", "IpAddressType"):
                if params.get(key) is not None:
                    api[key] = params[key]
            if params.get("CorsConfiguration") is not None:
                api["CorsConfiguration"] = _cors(params["CorsConfiguration"])

        self._change(ctx, params["ApiId"], change)
        return self._api_out(ctx, self._doc(ctx, params["ApiId"]))

    def delete_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._doc(ctx, params["ApiId"])
        self.store.delete(params["ApiId"])
        ctx.status = 204
        return {}

    def delete_cors_configuration(self, ctx: RequestContext, params: dict[str, Any]
                                  ) -> dict[str, Any]:
        self._change(ctx, params["ApiId"], lambda doc: doc["api"].pop("CorsConfiguration", None))
        ctx.status = 204
        return {}

    # -- routes ----------------------------------------------------------------------

    def _route(self, doc: Doc, params: Mapping[str, Any], *, managed: bool = False,
               route: Doc | None = None) -> Doc:
        creating = route is None
        route = route if route is not None else {
            "RouteId": self._unique(doc["routes"], 7), "ApiKeyRequired": False,
            "AuthorizationType": "NONE", "ApiGatewayManaged": managed}
        key = params.get("RouteKey")
        if creating and not key:
            raise exc.bad_request("RouteKey is required")
        if key is not None:
            if key != DEFAULT_ROUTE and parse_route_key(key) is None:
                raise exc.bad_request(f"Unable to create route {key}. The route key must be "
                                      "$default or an HTTP method and a path, such as "
                                      "'GET /pets/{id}'")
            for other in doc["routes"].values():
                if other["RouteKey"] == key and other["RouteId"] != route["RouteId"]:
                    raise exc.conflict(f"Route with key {key} already exists for this API")
            route["RouteKey"] = key
        if params.get("ApiKeyRequired"):
            raise exc.bad_request("API keys are not supported by HTTP APIs")
        _unsupported(params, "RequestModels", "RequestParameters", "ModelSelectionExpression",
                     "RouteResponseSelectionExpression")
        for member in ("OperationName",):
            if params.get(member) is not None:
                route[member] = params[member]
        if params.get("Target") is not None:
            target = params["Target"]
            integration_id = target.removeprefix("integrations/")
            if not target.startswith("integrations/") or integration_id not in doc["integrations"]:
                raise exc.bad_request(f"Invalid integration identifier specified for route "
                                      f"target {target}")
            route["Target"] = target
        if params.get("AuthorizationType") is not None:
            route["AuthorizationType"] = params["AuthorizationType"]
        if params.get("AuthorizerId") is not None:
            route["AuthorizerId"] = params["AuthorizerId"]
        if params.get("AuthorizationScopes") is not None:
            route["AuthorizationScopes"] = list(params["AuthorizationScopes"])
        self._check_authorization(doc, route)
        doc["routes"][route["RouteId"]] = route
        return route

    @staticmethod
    def _check_authorization(doc: Doc, route: Doc) -> None:
        kind = route.get("AuthorizationType") or "NONE"
        if kind not in ("NONE", "JWT", "CUSTOM", "AWS_IAM"):
            raise exc.bad_request(f"Invalid AuthorizationType {kind}")
        if kind in ("NONE", "AWS_IAM"):
            route.pop("AuthorizerId", None)
            route.pop("AuthorizationScopes", None)
            return
        authorizer = doc["authorizers"].get(route.get("AuthorizerId") or "")
        if authorizer is None:
            raise exc.bad_request(f"Invalid authorizer ID specified: "
                                  f"{route.get('AuthorizerId')}")
        wanted = "JWT" if kind == "JWT" else "REQUEST"
        if authorizer["AuthorizerType"] != wanted:
            raise exc.bad_request(f"AuthorizationType {kind} needs an authorizer of type "
                                  f"{wanted}")
        if kind == "CUSTOM" and route.get("AuthorizationScopes"):
            raise exc.bad_request("AuthorizationScopes are only valid for JWT authorizers")

    def create_route(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        route = self._change(ctx, params["ApiId"], lambda doc: self._route(doc, params))
        ctx.status = 201
        return _public(route)

    def get_route(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _public(self._item(ctx, params["ApiId"], "routes", params["RouteId"], "Route"))

    def get_routes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        return _page([_public(r) for r in doc["routes"].values()], params)

    def update_route(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._item(ctx, params["ApiId"], "routes", params["RouteId"], "Route")

        def change(doc: Doc) -> Doc:
            return self._route(doc, params, route=doc["routes"][params["RouteId"]])

        return _public(self._change(ctx, params["ApiId"], change))

    def delete_route(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._item(ctx, params["ApiId"], "routes", params["RouteId"], "Route")
        self._change(ctx, params["ApiId"], lambda doc: doc["routes"].pop(params["RouteId"]))
        ctx.status = 204
        return {}

    def _item(self, ctx: RequestContext, api_id: str, kind: str, item_id: str, name: str
              ) -> Doc:
        item: Doc | None = self._doc(ctx, api_id)[kind].get(item_id)
        if item is None:
            raise exc.not_found(name, item_id)
        return item

    # -- integrations ----------------------------------------------------------------

    def _integration(self, doc: Doc, params: Mapping[str, Any], *, managed: bool = False,
                     integration: Doc | None = None) -> Doc:
        creating = integration is None
        item: Doc = integration if integration is not None else {
            "IntegrationId": self._unique(doc["integrations"], 7),
            "ConnectionType": "INTERNET", "TimeoutInMillis": 30000,
            "ApiGatewayManaged": managed}
        _unsupported(params, "RequestParameters", "ResponseParameters", "TlsConfig",
                     "CredentialsArn", "RequestTemplates", "TemplateSelectionExpression",
                     "ContentHandlingStrategy", "PassthroughBehavior", "IntegrationSubtype",
                     "ConnectionId")
        if params.get("ConnectionType") not in (None, "INTERNET"):
            raise exc.bad_request("Nubes supports ConnectionType INTERNET only")
        for key in ("IntegrationType", "IntegrationUri", "IntegrationMethod",
                    "PayloadFormatVersion", "Description", "TimeoutInMillis"):
            if params.get(key) is not None:
                item[key] = params[key]
        kind = item.get("IntegrationType")
        if creating and not kind:
            raise exc.bad_request("IntegrationType is required")
        uri = item.get("IntegrationUri") or ""
        if kind == "AWS_PROXY":
            if function_arn(uri) is None:
                raise exc.bad_request(f"Invalid integration URI specified {uri}: a Lambda "
                                      "function ARN is expected")
            if item.get("PayloadFormatVersion") not in ("1.0", "2.0"):
                raise exc.bad_request("PayloadFormatVersion must be 1.0 or 2.0 for AWS_PROXY "
                                      "integrations")
            item.setdefault("IntegrationMethod", "POST")
        elif kind == "HTTP_PROXY":
            if not uri.startswith(("http://", "https://")):
                raise exc.bad_request(f"Invalid integration URI specified {uri}: an HTTP URL "
                                      "is expected")
            item.setdefault("PayloadFormatVersion", "1.0")
            if item["PayloadFormatVersion"] != "1.0":
                raise exc.bad_request("PayloadFormatVersion must be 1.0 for HTTP_PROXY "
                                      "integrations")
            if item.get("IntegrationMethod") is None:
                raise exc.bad_request("IntegrationMethod is required for HTTP_PROXY "
                                      "integrations")
        else:
            raise exc.bad_request(f"Nubes supports AWS_PROXY and HTTP_PROXY integrations for "
                                  f"HTTP APIs, not {kind}")
        timeout = item["TimeoutInMillis"]
        if not isinstance(timeout, int) or not 50 <= timeout <= 30000:
            raise exc.bad_request("Timeout must be between 50 ms and 30000 ms")
        doc["integrations"][item["IntegrationId"]] = item
        return item

    def create_integration(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        integration = self._change(ctx, params["ApiId"],
                                   lambda doc: self._integration(doc, params))
        ctx.status = 201
        return _public(integration)

    def get_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _public(self._item(ctx, params["ApiId"], "integrations", params["IntegrationId"],
                                  "Integration"))

    def get_integrations(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        return _page([_public(i) for i in doc["integrations"].values()], params)

    def update_integration(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        self._item(ctx, params["ApiId"], "integrations", params["IntegrationId"], "Integration")

        def change(doc: Doc) -> Doc:
            current = copy.deepcopy(doc["integrations"][params["IntegrationId"]])
            return self._integration(doc, params, integration=current)

        return _public(self._change(ctx, params["ApiId"], change))

    def delete_integration(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        integration_id = params["IntegrationId"]
        doc = self._doc(ctx, params["ApiId"])
        self._item(ctx, params["ApiId"], "integrations", integration_id, "Integration")
        for route in doc["routes"].values():
            if route.get("Target") == f"integrations/{integration_id}":
                raise exc.conflict(f"Cannot delete integration {integration_id}: route "
                                   f"{route['RouteKey']} targets it")
        self._change(ctx, params["ApiId"], lambda d: d["integrations"].pop(integration_id))
        ctx.status = 204
        return {}

    # -- authorizers -----------------------------------------------------------------

    def _authorizer(self, doc: Doc, params: Mapping[str, Any], authorizer: Doc | None = None
                    ) -> Doc:
        creating = authorizer is None
        item: Doc = authorizer if authorizer is not None else {
            "AuthorizerId": self._unique(doc["authorizers"], 6)}
        _unsupported(params, "AuthorizerCredentialsArn", "IdentityValidationExpression")
        for key in ("AuthorizerType", "Name", "AuthorizerUri", "AuthorizerPayloadFormatVersion",
                    "AuthorizerResultTtlInSeconds", "EnableSimpleResponses"):
            if params.get(key) is not None:
                item[key] = params[key]
        if params.get("IdentitySource") is not None:
            item["IdentitySource"] = list(params["IdentitySource"])
        if params.get("JwtConfiguration") is not None:
            jwt = params["JwtConfiguration"]
            item["JwtConfiguration"] = {k: v for k, v in (("Issuer", jwt.get("Issuer")),
                                                         ("Audience", jwt.get("Audience")))
                                        if v is not None}
        if creating and not item.get("Name"):
            raise exc.bad_request("Name is required")
        kind = item.get("AuthorizerType")
        sources = item.get("IdentitySource") or []
        for source in sources:
            if not _IDENTITY_SOURCE.match(source):
                raise exc.bad_request(f"Invalid identity source {source}")
        if kind == "JWT":
            jwt = item.get("JwtConfiguration") or {}
            if not jwt.get("Issuer") or not jwt.get("Audience"):
                raise exc.bad_request("JwtConfiguration needs an Issuer and an Audience")
            if len(sources) != 1 or not sources[0].startswith("$request."):
                raise exc.bad_request("A JWT authorizer needs one identity source, such as "
                                      "$request.header.Authorization")
        elif kind == "REQUEST":
            if function_arn(item.get("AuthorizerUri") or "") is None:
                raise exc.bad_request("AuthorizerUri must name a Lambda function")
            version = item.get("AuthorizerPayloadFormatVersion")
            if version not in ("1.0", "2.0"):
                raise exc.bad_request("AuthorizerPayloadFormatVersion must be 1.0 or 2.0")
            if item.get("EnableSimpleResponses") and version != "2.0":
                raise exc.bad_request("EnableSimpleResponses needs "
                                      "AuthorizerPayloadFormatVersion 2.0")
            ttl = item.setdefault("AuthorizerResultTtlInSeconds", 0)
            if not isinstance(ttl, int) or not 0 <= ttl <= 3600:
                raise exc.bad_request("AuthorizerResultTtlInSeconds must be between 0 and 3600")
            if ttl and not sources:
                raise exc.bad_request("Identity sources are required when caching is enabled")
            item.setdefault("EnableSimpleResponses", False)
        else:
            raise exc.bad_request(f"Invalid AuthorizerType {kind}: JWT or REQUEST")
        doc["authorizers"][item["AuthorizerId"]] = item
        return item

    def create_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        authorizer = self._change(ctx, params["ApiId"], lambda doc: self._authorizer(doc, params))
        ctx.status = 201
        return _public(authorizer)

    def get_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _public(self._item(ctx, params["ApiId"], "authorizers", params["AuthorizerId"],
                                  "Authorizer"))

    def get_authorizers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        return _page([_public(a) for a in doc["authorizers"].values()], params)

    def update_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._item(ctx, params["ApiId"], "authorizers", params["AuthorizerId"], "Authorizer")

        def change(doc: Doc) -> Doc:
            current = copy.deepcopy(doc["authorizers"][params["AuthorizerId"]])
            return self._authorizer(doc, params, current)

        return _public(self._change(ctx, params["ApiId"], change))

    def delete_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        authorizer_id = params["AuthorizerId"]
        doc = self._doc(ctx, params["ApiId"])
        self._item(ctx, params["ApiId"], "authorizers", authorizer_id, "Authorizer")
        for route in doc["routes"].values():
            if route.get("AuthorizerId") == authorizer_id:
                raise exc.conflict(f"Cannot delete authorizer {authorizer_id}: route "
                                   f"{route['RouteKey']} uses it")
        self._change(ctx, params["ApiId"], lambda d: d["authorizers"].pop(authorizer_id))
        ctx.status = 204
        return {}

    # -- stages and deployments ------------------------------------------------------

    def _stage(self, doc: Doc, params: Mapping[str, Any], *, managed: bool = False,
               stage: Doc | None = None) -> Doc:
        creating = stage is None
        name = params.get("StageName") or ""
        if creating:
            if not _STAGE_NAME.match(name):
                raise exc.bad_request(f"Invalid stage name {name!r}")
            if name in doc["stages"]:
                raise exc.conflict(f"Stage {name} already exists")
            now = self.clock()
            stage = {"StageName": name, "CreatedDate": now, "LastUpdatedDate": now,
                     "AutoDeploy": False, "ApiGatewayManaged": managed,
                     "DefaultRouteSettings": {"DetailedMetricsEnabled": False},
                     "RouteSettings": {}, "StageVariables": {}, "Tags": {}}
        assert stage is not None
        _unsupported(params, "AccessLogSettings", "ClientCertificateId")
        if params.get("Description") is not None:
            stage["Description"] = params["Description"]
        if params.get("AutoDeploy") is not None:
            stage["AutoDeploy"] = bool(params["AutoDeploy"])
        if params.get("StageVariables") is not None:
            variables = dict(params["StageVariables"])
            for key, value in variables.items():
                if not _STAGE_VARIABLE_NAME.match(key) or not _STAGE_VARIABLE_VALUE.match(value):
                    raise exc.bad_request(f"Invalid stage variable {key}={value}")
            stage["StageVariables"] = variables
        if params.get("DefaultRouteSettings") is not None:
            stage["DefaultRouteSettings"] = _route_settings(params["DefaultRouteSettings"])
        if params.get("RouteSettings") is not None:
            keys = {r["RouteKey"] for r in doc["routes"].values()}
            for key, settings in params["RouteSettings"].items():
                if key not in keys:
                    raise exc.not_found("Route", key)
                stage["RouteSettings"][key] = _route_settings(settings)
        if creating and params.get("Tags"):
            stage["Tags"] = dict(params["Tags"])
        deployment_id = params.get("DeploymentId")
        if deployment_id is not None:
            if deployment_id not in doc["deployments"] or \
                    "_snapshot" not in doc["deployments"][deployment_id]:
                raise exc.bad_request(f"Deployment {deployment_id} does not exist")
            stage["DeploymentId"] = deployment_id
        doc["stages"][stage["StageName"]] = stage
        if stage["AutoDeploy"] and (creating or params.get("AutoDeploy")):
            self._point(doc, stage, self._deploy(doc, "", auto=True)["DeploymentId"])
        return stage

    def create_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        stage = self._change(ctx, params["ApiId"], lambda doc: self._stage(doc, params),
                             redeploy=False)
        ctx.status = 201
        return _public(stage)

    def get_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _public(self._stage_of(ctx, params))

    def _stage_of(self, ctx: RequestContext, params: Mapping[str, Any]) -> Doc:
        stage: Doc | None = self._doc(ctx, params["ApiId"])["stages"].get(params["StageName"])
        if stage is None:
            raise exc.not_found("Stage", params["StageName"])
        return stage

    def get_stages(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        return _page([_public(s) for s in doc["stages"].values()], params)

    def update_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._stage_of(ctx, params)

        def change(doc: Doc) -> Doc:
            stage = doc["stages"][params["StageName"]]
            stage["LastUpdatedDate"] = self.clock()
            return self._stage(doc, params, stage=stage)

        return _public(self._change(ctx, params["ApiId"], change, redeploy=False))

    def delete_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._stage_of(ctx, params)
        self._change(ctx, params["ApiId"], lambda doc: doc["stages"].pop(params["StageName"]),
                     redeploy=False)
        ctx.status = 204
        return {}

    def delete_route_settings(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        stage = self._stage_of(ctx, params)
        if params["RouteKey"] not in stage.get("RouteSettings", {}):
            raise exc.not_found("RouteSettings", params["RouteKey"])
        self._change(ctx, params["ApiId"], lambda doc: doc["stages"][params["StageName"]][
            "RouteSettings"].pop(params["RouteKey"]), redeploy=False)
        ctx.status = 204
        return {}

    def create_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        name = params.get("StageName")
        if name and name not in doc["stages"]:
            raise exc.bad_request(f"Invalid stage identifier specified {name}")
        if name and doc["stages"][name].get("AutoDeploy"):
            raise exc.bad_request(f"Cannot create a deployment for stage {name}: it has "
                                  "AutoDeploy enabled")

        def change(doc: Doc) -> Doc:
            deployment = self._deploy(doc, params.get("Description") or "", auto=False)
            if name:
                self._point(doc, doc["stages"][name], deployment["DeploymentId"])
            return deployment

        deployment = self._change(ctx, params["ApiId"], change, redeploy=False)
        ctx.status = 201
        return _public(deployment)

    def get_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _public(self._item(ctx, params["ApiId"], "deployments", params["DeploymentId"],
                                  "Deployment"))

    def get_deployments(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        return _page([_public(d) for d in doc["deployments"].values()], params)

    def update_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._item(ctx, params["ApiId"], "deployments", params["DeploymentId"], "Deployment")

        def change(doc: Doc) -> Doc:
            deployment: Doc = doc["deployments"][params["DeploymentId"]]
            if params.get("Description") is not None:
                deployment["Description"] = params["Description"]
            return deployment

        return _public(self._change(ctx, params["ApiId"], change, redeploy=False))

    def delete_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        deployment_id = params["DeploymentId"]
        doc = self._doc(ctx, params["ApiId"])
        self._item(ctx, params["ApiId"], "deployments", deployment_id, "Deployment")
        for stage in doc["stages"].values():
            if stage.get("DeploymentId") == deployment_id:
                raise exc.bad_request(f"Deployment {deployment_id} is in use by stage "
                                      f"{stage['StageName']}")
        self._change(ctx, params["ApiId"], lambda d: d["deployments"].pop(deployment_id),
                     redeploy=False)
        ctx.status = 204
        return {}

    # -- tags --------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> tuple[str, str | None]:
        """(api id, stage name or None) of a taggable ARN of the caller's."""
        prefix = f"arn:aws:apigateway:{ctx.region}::/apis/"
        if not arn.startswith(prefix):
            raise exc.not_found("Resource", arn)
        api_id, _, rest = arn[len(prefix):].partition("/")
        doc = self._doc(ctx, api_id)
        if not rest:
            return api_id, None
        kind, _, name = rest.partition("/")
        if kind != "stages" or name not in doc["stages"]:
            raise exc.not_found("Resource", arn)
        return api_id, name

    def _tags_of(self, doc: Doc, stage: str | None) -> dict[str, str]:
        holder = doc["stages"][stage] if stage else doc["api"]
        tags: dict[str, str] = holder.setdefault("Tags", {})
        return tags

    def get_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, stage = self._tagged(ctx, params["ResourceArn"])
        return {"Tags": dict(self._tags_of(self._doc(ctx, api_id), stage))}

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, stage = self._tagged(ctx, params["ResourceArn"])
        tags = dict(params.get("Tags") or {})
        self._change(ctx, api_id, lambda doc: self._tags_of(doc, stage).update(tags),
                     redeploy=False)
        ctx.status = 201
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, stage = self._tagged(ctx, params["ResourceArn"])
        keys = list(params.get("TagKeys") or [])

        def change(doc: Doc) -> None:
            tags = self._tags_of(doc, stage)
            for key in keys:
                tags.pop(key, None)

        self._change(ctx, api_id, change, redeploy=False)
        ctx.status = 204
        return {}


def _definition(params: Mapping[str, Any]) -> imports.Definition:
    if params.get("Basepath") not in (None, "", "ignore"):
        raise exc.bad_request("Nubes imports with Basepath 'ignore' only")
    body = params.get("Body") or ""
    return imports.parse(body if isinstance(body, str) else bytes(body).decode())


def _requirement(security: list[Any] | None) -> dict[str, list[str]]:
    """The first security requirement of a route: scheme name -> scopes."""
    for requirement in security or []:
        if isinstance(requirement, dict) and requirement:
            return {str(k): list(v or []) for k, v in requirement.items()}
    return {}


def _unsupported(params: Mapping[str, Any], *members: str) -> None:
    """Members Nubes does not act on are refused rather than stored and ignored."""
    for member in members:
        if params.get(member) not in (None, "", [], {}):
            raise exc.bad_request(f"Nubes does not support {member} on HTTP APIs yet")


def _cors(config: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("AllowOrigins", "AllowMethods", "AllowHeaders", "ExposeHeaders"):
        if config.get(key) is not None:
            out[key] = list(config[key])
    if config.get("MaxAge") is not None:
        if not -1 <= config["MaxAge"] <= 86400:
            raise exc.bad_request("MaxAge must be between -1 and 86400")
        out["MaxAge"] = config["MaxAge"]
    if config.get("AllowCredentials") is not None:
        out["AllowCredentials"] = bool(config["AllowCredentials"])
        if out["AllowCredentials"] and "*" in out.get("AllowOrigins", []):
            raise exc.bad_request("allow-credentials is not supported when allow-origins "
                                  "is '*'")
    return out


def _route_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"DetailedMetricsEnabled": False}
    if settings.get("DetailedMetricsEnabled") or settings.get("DataTraceEnabled") or \
            settings.get("LoggingLevel") not in (None, "OFF"):
        raise exc.bad_request("Nubes acts on the throttling route settings only "
                              "(ThrottlingBurstLimit, ThrottlingRateLimit)")
    for key in _THROTTLING:
        if settings.get(key) is not None:
            if settings[key] < 0:
                raise exc.bad_request(f"{key} must be at least 0")
            out[key] = settings[key]
    return out
