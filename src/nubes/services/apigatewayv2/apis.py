"""HTTP APIs themselves: create (and quick create), import, export, update and delete."""

from __future__ import annotations

from typing import Any

from nubes.services.apigatewayv2 import exceptions as exc
from nubes.services.apigatewayv2 import imports
from nubes.services.apigatewayv2.common import (
    DEFAULT_ROUTE,
    DEFAULT_STAGE,
    cors_configuration,
    function_arn,
    new_id,
    page_of,
    read_definition,
    refuse_unsupported,
    security_requirement,
)
from nubes.services.apigatewayv2.stages import StageOps
from nubes.services.apigatewayv2.store import Doc
from nubes.services.base import RequestContext


class ApiOps(StageOps):
    # -- APIs ------------------------------------------------------------------------

    def create_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("Name")
        protocol = params.get("ProtocolType")
        if not name:
            raise exc.bad_request("Name is required")
        if protocol != "HTTP":
            raise exc.bad_request(
                f"Nubes serves HTTP APIs; ProtocolType {protocol!r} is not supported")
        refuse_unsupported(params, "CredentialsArn", "DisableSchemaValidation")
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
            api["CorsConfiguration"] = cors_configuration(params["CorsConfiguration"])
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
        definition = read_definition(params)
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
        definition = read_definition(params)

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
            api["CorsConfiguration"] = cors_configuration(definition.cors)
        authorizers = {name: self._authorizer(doc, spec)
                       for name, spec in definition.authorizers.items()}
        for key, integration_spec, security in definition.routes:
            integration = self._integration(doc, integration_spec)
            route: dict[str, Any] = {"RouteKey": key,
                                     "Target": f"integrations/{integration['IntegrationId']}"}
            for name, scopes in security_requirement(security).items():
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
        return page_of(items, params)

    def update_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        refuse_unsupported(params, "CredentialsArn", "DisableSchemaValidation")
        def change(doc: Doc) -> None:
            if params.get("Target") or params.get("RouteKey"):
                self._quick_update(doc, params.get("Target"), params.get("RouteKey"))
            api = doc["api"]
            for key in ("Name", "Description", "Version", "ApiKeySelectionExpression",
                        "DisableExecuteApiEndpoint", "IpAddressType"):
                if params.get(key) is not None:
                    api[key] = params[key]
            if params.get("CorsConfiguration") is not None:
                api["CorsConfiguration"] = cors_configuration(params["CorsConfiguration"])

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

