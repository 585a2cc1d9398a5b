"""An API's tree: resources, their methods and method responses, and each method's
integration and integration responses. All of it lives in the API's document."""

from __future__ import annotations

from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.core import ApiCore, method_of, page, required, resource_of
from nubes.services.apigateway.models import (
    apply_patch,
    check_path_part,
    child_path,
    method_name,
    new_id,
)
from nubes.services.apigateway.store import Doc
from nubes.services.base import RequestContext

_AUTH_TYPES = frozenset({"NONE", "CUSTOM", "AWS_IAM", "COGNITO_USER_POOLS"})
_INTEGRATION_TYPES = frozenset({"AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"})
_PASSTHROUGH = frozenset({"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"})
_METHOD_PATCHABLE = ("authorizationType", "authorizerId", "apiKeyRequired",
                     "requestParameters", "requestModels", "operationName",
                     "requestValidatorId", "authorizationScopes")
_INTEGRATION_PATCHABLE = ("uri", "httpMethod", "requestParameters", "requestTemplates",
                          "passthroughBehavior", "contentHandling", "timeoutInMillis",
                          "cacheNamespace", "cacheKeyParameters", "credentials",
                          "connectionType", "connectionId")
_RESPONSE_PATCHABLE = ("selectionPattern", "responseParameters", "responseTemplates",
                       "contentHandling", "responseModels")


def resource_view(resource: Doc, embed_methods: bool) -> Doc:
    """A resource as GetResource(s) answers it: methods in full, or only their names."""
    out = {key: value for key, value in resource.items() if key != "resourceMethods"}
    methods = resource.get("resourceMethods") or {}
    if methods:
        out["resourceMethods"] = methods if embed_methods else {name: {} for name in methods}
    return out


def integration_of(method: Doc) -> Doc:
    integration: Doc | None = method.get("methodIntegration")
    if integration is None:
        raise exc.not_found("Invalid Integration identifier specified")
    return integration


def check_integration(params: dict[str, Any]) -> None:
    kind = params.get("type")
    if kind not in _INTEGRATION_TYPES:
        raise exc.bad_request(f"Invalid integration type specified: {kind}")
    if kind in ("AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY"):
        if not params.get("uri"):
            raise exc.bad_request("Enumeration value for HttpMethod must be non-empty"
                                  if not params.get("integrationHttpMethod") else
                                  "Invalid integration URI specified")
        if not params.get("integrationHttpMethod"):
            raise exc.bad_request("Enumeration value for HttpMethod must be non-empty")
    if kind == "AWS_PROXY" and ":lambda:path/" not in str(params.get("uri")):
        raise exc.bad_request("Integrations of type 'AWS_PROXY' currently only supports "
                              "Lambda function and Firehose stream invocations.")
    timeout = params.get("timeoutInMillis")
    if timeout is not None and not 50 <= timeout <= 29000:
        raise exc.bad_request("Timeout should be between 50 ms and 29000 ms")
    behavior = params.get("passthroughBehavior")
    if behavior is not None and behavior not in _PASSTHROUGH:
        raise exc.bad_request(f"Invalid passthrough behavior specified: {behavior}")


class ResourceOps(ApiCore):
    # -- resources ----------------------------------------------------------------------

    def get_resources(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api = self.api_doc(ctx, required(params, "restApiId"))
        embed = "methods" in (params.get("embed") or [])
        resources = [resource_view(r, embed) for r in api["_resources"].values()]
        return page(resources, params)

    def get_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api = self.api_doc(ctx, required(params, "restApiId"))
        return resource_view(resource_of(ctx, api, required(params, "resourceId")), True)

    def create_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        parent_id, part = required(params, "parentId"), required(params, "pathPart")
        resource_id = new_id("resource")

        def change(api: Doc) -> Doc:
            parent = resource_of(ctx, api, parent_id)
            if parent.get("pathPart", "").endswith("+}"):
                raise exc.bad_request("Cannot create a child of a resource with a greedy path"
                                      " variable: " + parent["pathPart"])
            siblings = [r["pathPart"] for r in api["_resources"].values()
                        if r.get("parentId") == parent_id]
            check_path_part(part, siblings)
            api["_resources"][resource_id] = {
                "id": resource_id, "parentId": parent_id, "pathPart": part,
                "path": child_path(parent["path"], part)}
            return api

        api = self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 201
        return resource_view(api["_resources"][resource_id], True)

    def update_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        resource_id = required(params, "resourceId")

        def change(api: Doc) -> Doc:
            resource = resource_of(ctx, api, resource_id)
            if "parentId" not in resource:
                raise exc.bad_request("Root resource cannot be updated")
            before = dict(resource)
            apply_patch(resource, params.get("patchOperations") or [],
                        ("pathPart", "parentId"))
            parent = resource_of(ctx, api, resource["parentId"])
            siblings = [r["pathPart"] for r in api["_resources"].values()
                        if r.get("parentId") == resource["parentId"] and r["id"] != resource_id]
            check_path_part(resource["pathPart"], siblings)
            resource["path"] = child_path(parent["path"], resource["pathPart"])
            _repath(api, resource_id, before["path"], resource["path"])
            return api

        api = self.change_api(ctx, required(params, "restApiId"), change)
        return resource_view(api["_resources"][resource_id], True)

    def delete_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        resource_id = required(params, "resourceId")

        def change(api: Doc) -> Doc:
            resource = resource_of(ctx, api, resource_id)
            if "parentId" not in resource:
                raise exc.bad_request("Cannot delete root resource")
            doomed = {resource_id}
            grown = True
            while grown:
                more = {rid for rid, r in api["_resources"].items()
                        if r.get("parentId") in doomed} - doomed
                grown = bool(more)
                doomed |= more
            for rid in doomed:
                del api["_resources"][rid]
            return api

        self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 202
        return {}

    # -- methods ------------------------------------------------------------------------

    def put_method(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = method_name(required(params, "httpMethod"))
        auth = required(params, "authorizationType")
        if auth not in _AUTH_TYPES:
            raise exc.bad_request(f"Invalid authorization type specified: {auth}")
        method: Doc = {"httpMethod": name, "authorizationType": auth,
                       "apiKeyRequired": bool(params.get("apiKeyRequired", False))}
        for member in ("authorizerId", "requestParameters", "requestModels", "operationName",
                       "requestValidatorId", "authorizationScopes"):
            if params.get(member) is not None:
                method[member] = params[member]

        def change(api: Doc) -> Doc:
            resource = resource_of(ctx, api, required(params, "resourceId"))
            if auth in ("CUSTOM", "COGNITO_USER_POOLS"):
                if method.get("authorizerId") not in api["_authorizers"]:
                    raise exc.bad_request("Invalid authorizer ID specified. Setting the "
                                          "authorization type to CUSTOM or COGNITO_USER_POOLS"
                                          " requires a valid authorizer.")
            validator = method.get("requestValidatorId")
            if validator and validator not in (api.get("_validators") or {}):
                raise exc.bad_request("Invalid Request Validator identifier specified")
            methods = resource.setdefault("resourceMethods", {})
            if name in methods:
                raise exc.ConflictException("Method already exists for this resource")
            methods[name] = method
            return api

        self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 201
        return method

    def get_method(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api = self.api_doc(ctx, required(params, "restApiId"))
        resource_of(ctx, api, required(params, "resourceId"))
        return method_of(api, params["resourceId"], method_name(params.get("httpMethod")))

    def update_method(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._change_method(ctx, params, lambda method: apply_patch(
            method, params.get("patchOperations") or [], _METHOD_PATCHABLE,
            maps=("requestParameters", "requestModels"), lists=("authorizationScopes",)))

    def delete_method(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = method_name(params.get("httpMethod"))

        def change(api: Doc) -> Doc:
            resource_of(ctx, api, required(params, "resourceId"))
            method_of(api, params["resourceId"], name)
            del api["_resources"][params["resourceId"]]["resourceMethods"][name]
            return api

        self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 204
        return {}

    def _change_method(self, ctx: RequestContext, params: dict[str, Any],
                       edit: Any, status: int = 200) -> Doc:
        """Edit one method in place (``edit`` takes and may change the method document);
        the method after the change."""
        name = method_name(params.get("httpMethod"))
        resource_id = required(params, "resourceId")

        def change(api: Doc) -> Doc:
            resource_of(ctx, api, resource_id)
            edit(method_of(api, resource_id, name))
            return api

        api = self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = status
        method: Doc = api["_resources"][resource_id]["resourceMethods"][name]
        return method

    # -- method responses ---------------------------------------------------------------

    def put_method_response(self, ctx: RequestContext, params: dict[str, Any]
                            ) -> dict[str, Any]:
        code = required(params, "statusCode")
        response: Doc = {"statusCode": code}
        for member in ("responseParameters", "responseModels"):
            if params.get(member) is not None:
                response[member] = params[member]
        self._change_method(ctx, params, lambda m: m.setdefault(
            "methodResponses", {}).__setitem__(code, response), 201)
        return response

    def get_method_response(self, ctx: RequestContext, params: dict[str, Any]
                            ) -> dict[str, Any]:
        method = self.get_method(ctx, params)
        return _method_response(method, required(params, "statusCode"))

    def update_method_response(self, ctx: RequestContext, params: dict[str, Any]
                               ) -> dict[str, Any]:
        code = required(params, "statusCode")
        method = self._change_method(ctx, params, lambda m: apply_patch(
            _method_response(m, code), params.get("patchOperations") or [],
            ("responseParameters", "responseModels"),
            maps=("responseParameters", "responseModels")), 201)
        return _method_response(method, code)

    def delete_method_response(self, ctx: RequestContext, params: dict[str, Any]
                               ) -> dict[str, Any]:
        code = required(params, "statusCode")

        def edit(method: Doc) -> None:
            _method_response(method, code)
            del method["methodResponses"][code]

        self._change_method(ctx, params, edit, 204)
        return {}

    # -- integrations -------------------------------------------------------------------

    def put_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        check_integration(params)
        integration: Doc = {"type": params["type"],
                            "passthroughBehavior": params.get("passthroughBehavior")
                            or "WHEN_NO_MATCH",
                            "timeoutInMillis": params.get("timeoutInMillis") or 29000,
                            "cacheNamespace": params.get("cacheNamespace")
                            or required(params, "resourceId"),
                            "cacheKeyParameters": params.get("cacheKeyParameters") or []}
        if params.get("integrationHttpMethod"):
            integration["httpMethod"] = str(params["integrationHttpMethod"]).upper()
        for member in ("uri", "credentials", "requestParameters", "requestTemplates",
                       "contentHandling", "connectionType", "connectionId"):
            if params.get(member) is not None:
                integration[member] = params[member]
        if params["type"] == "MOCK" and "httpMethod" in integration:
            del integration["httpMethod"]
        self._change_method(ctx, params,
                            lambda m: m.__setitem__("methodIntegration", integration), 201)
        return integration

    def get_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return integration_of(self.get_method(ctx, params))

    def update_integration(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        method = self._change_method(ctx, params, lambda m: apply_patch(
            integration_of(m), params.get("patchOperations") or [], _INTEGRATION_PATCHABLE,
            maps=("requestParameters", "requestTemplates"), lists=("cacheKeyParameters",)))
        return integration_of(method)

    def delete_integration(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        def edit(method: Doc) -> None:
            integration_of(method)
            del method["methodIntegration"]

        self._change_method(ctx, params, edit, 204)
        return {}

    # -- integration responses ----------------------------------------------------------

    def put_integration_response(self, ctx: RequestContext, params: dict[str, Any]
                                 ) -> dict[str, Any]:
        code = required(params, "statusCode")
        response: Doc = {"statusCode": code}
        for member in ("selectionPattern", "responseParameters", "responseTemplates",
                       "contentHandling"):
            if params.get(member) is not None:
                response[member] = params[member]
        self._change_method(ctx, params, lambda m: integration_of(m).setdefault(
            "integrationResponses", {}).__setitem__(code, response), 201)
        return response

    def get_integration_response(self, ctx: RequestContext, params: dict[str, Any]
                                 ) -> dict[str, Any]:
        integration = self.get_integration(ctx, params)
        return _integration_response(integration, required(params, "statusCode"))

    def update_integration_response(self, ctx: RequestContext, params: dict[str, Any]
                                    ) -> dict[str, Any]:
        code = required(params, "statusCode")
        method = self._change_method(ctx, params, lambda m: apply_patch(
            _integration_response(integration_of(m), code),
            params.get("patchOperations") or [], _RESPONSE_PATCHABLE,
            maps=("responseParameters", "responseTemplates")))
        return _integration_response(integration_of(method), code)

    def delete_integration_response(self, ctx: RequestContext, params: dict[str, Any]
                                    ) -> dict[str, Any]:
        code = required(params, "statusCode")

        def edit(method: Doc) -> None:
            integration = integration_of(method)
            _integration_response(integration, code)
            del integration["integrationResponses"][code]

        self._change_method(ctx, params, edit, 204)
        return {}


def _method_response(method: Doc, code: str) -> Doc:
    response: Doc | None = (method.get("methodResponses") or {}).get(code)
    if response is None:
        raise exc.not_found("Invalid Response status code specified")
    return response


def _integration_response(integration: Doc, code: str) -> Doc:
    response: Doc | None = (integration.get("integrationResponses") or {}).get(code)
    if response is None:
        raise exc.not_found("Invalid Response status code specified")
    return response


def _repath(api: Doc, resource_id: str, old: str, new: str) -> None:
    """Rewrite the paths of a moved or renamed resource's descendants."""
    if old == new:
        return
    for resource in api["_resources"].values():
        if resource["id"] != resource_id and resource["path"].startswith(old + "/"):
            resource["path"] = new + resource["path"][len(old):]
