"""HTTP APIs' routes, integrations and authorizers."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from nubes.services.apigatewayv2 import exceptions as exc
from nubes.services.apigatewayv2.common import (
    DEFAULT_ROUTE,
    IDENTITY_SOURCE,
    HttpApiBase,
    function_arn,
    page_of,
    parse_route_key,
    public_view,
    refuse_unsupported,
)
from nubes.services.apigatewayv2.store import Doc
from nubes.services.base import RequestContext


class RouteOps(HttpApiBase):
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
        refuse_unsupported(params, "RequestModels", "RequestParameters", "ModelSelectionExpression",
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
        return public_view(route)

    def get_route(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return public_view(self._item(ctx, params["ApiId"], "routes", params["RouteId"], "Route"))

    def get_routes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        return page_of([public_view(r) for r in doc["routes"].values()], params)

    def update_route(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._item(ctx, params["ApiId"], "routes", params["RouteId"], "Route")

        def change(doc: Doc) -> Doc:
            return self._route(doc, params, route=doc["routes"][params["RouteId"]])

        return public_view(self._change(ctx, params["ApiId"], change))

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
        refuse_unsupported(params, "RequestParameters", "ResponseParameters", "TlsConfig",
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
        return public_view(integration)

    def get_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return public_view(self._item(ctx, params["ApiId"], "integrations", params["IntegrationId"],
                                  "Integration"))

    def get_integrations(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        return page_of([public_view(i) for i in doc["integrations"].values()], params)

    def update_integration(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        self._item(ctx, params["ApiId"], "integrations", params["IntegrationId"], "Integration")

        def change(doc: Doc) -> Doc:
            current = copy.deepcopy(doc["integrations"][params["IntegrationId"]])
            return self._integration(doc, params, integration=current)

        return public_view(self._change(ctx, params["ApiId"], change))

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
        refuse_unsupported(params, "AuthorizerCredentialsArn", "IdentityValidationExpression")
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
            if not IDENTITY_SOURCE.match(source):
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
        return public_view(authorizer)

    def get_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return public_view(self._item(ctx, params["ApiId"], "authorizers", params["AuthorizerId"],
                                  "Authorizer"))

    def get_authorizers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        return page_of([public_view(a) for a in doc["authorizers"].values()], params)

    def update_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._item(ctx, params["ApiId"], "authorizers", params["AuthorizerId"], "Authorizer")

        def change(doc: Doc) -> Doc:
            current = copy.deepcopy(doc["authorizers"][params["AuthorizerId"]])
            return self._authorizer(doc, params, current)

        return public_view(self._change(ctx, params["ApiId"], change))

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

