"""Lambda authorizers (TOKEN and REQUEST) of an API; COGNITO_USER_POOLS ones are stored
for import round trips but answer 500 at call time, as Nubes has no user pools."""

from __future__ import annotations

from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.core import ApiCore, required
from nubes.services.apigateway.models import apply_patch, new_id
from nubes.services.apigateway.store import Doc
from nubes.services.base import RequestContext

_TYPES = frozenset({"TOKEN", "REQUEST", "COGNITO_USER_POOLS"})
_PATCHABLE = ("name", "authorizerUri", "identitySource", "identityValidationExpression",
              "authorizerResultTtlInSeconds", "authorizerCredentials", "authType",
              "providerARNs", "type")


def check_authorizer(doc: Doc) -> None:
    kind = doc.get("type")
    if kind not in _TYPES:
        raise exc.bad_request(f"Invalid authorizer type specified: {kind}")
    if kind in ("TOKEN", "REQUEST") and not doc.get("authorizerUri"):
        raise exc.bad_request("Authorizer URI must be specified for TOKEN and REQUEST "
                              "authorizers")
    if kind == "TOKEN" and not str(doc.get("identitySource") or "").startswith(
            "method.request.header."):
        raise exc.bad_request("Invalid identity source: a TOKEN authorizer's identity source"
                              " must be a method.request.header.<name> expression")
    ttl = doc.get("authorizerResultTtlInSeconds")
    if ttl is not None and not 0 <= int(ttl) <= 3600:
        raise exc.bad_request("Invalid value for authorizerResultTtlInSeconds: must be "
                              "between 0 and 3600")


class AuthorizerOps(ApiCore):
    def create_authorizer(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        doc: Doc = {"id": new_id("authorizer"), "name": required(params, "name"),
                    "type": required(params, "type"),
                    "authorizerResultTtlInSeconds": params.get(
                        "authorizerResultTtlInSeconds", 300)}
        if doc["type"] == "TOKEN" and not params.get("identitySource"):
            raise exc.bad_request("Identity source must be specified for TOKEN authorizers")
        for member in ("providerARNs", "authType", "authorizerUri", "authorizerCredentials",
                       "identitySource", "identityValidationExpression"):
            if params.get(member) is not None:
                doc[member] = params[member]
        check_authorizer(doc)

        def change(api: Doc) -> Doc:
            api["_authorizers"][doc["id"]] = doc
            return api

        self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 201
        return doc

    def get_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api = self.api_doc(ctx, required(params, "restApiId"))
        return _authorizer(api, required(params, "authorizerId"))

    def get_authorizers(self, ctx: RequestContext, params: dict[str, Any]
                        ) -> dict[str, Any]:
        api = self.api_doc(ctx, required(params, "restApiId"))
        return {"items": list(api["_authorizers"].values())}

    def update_authorizer(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        authorizer_id = required(params, "authorizerId")

        def change(api: Doc) -> Doc:
            doc = _authorizer(api, authorizer_id)
            apply_patch(doc, params.get("patchOperations") or [], _PATCHABLE,
                        lists=("providerARNs",))
            check_authorizer(doc)
            return api

        api = self.change_api(ctx, required(params, "restApiId"), change)
        return _authorizer(api, authorizer_id)

    def delete_authorizer(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        authorizer_id = required(params, "authorizerId")

        def change(api: Doc) -> Doc:
            _authorizer(api, authorizer_id)
            for resource in api["_resources"].values():
                for method in (resource.get("resourceMethods") or {}).values():
                    if method.get("authorizerId") == authorizer_id:
                        raise exc.ConflictException(
                            "Cannot delete authorizer, is referenced in method: "
                            f"{method['httpMethod']}{resource['path']}")
            del api["_authorizers"][authorizer_id]
            return api

        self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 202
        return {}


def _authorizer(api: Doc, authorizer_id: str) -> Doc:
    doc: Doc | None = api["_authorizers"].get(authorizer_id)
    if doc is None:
        raise exc.not_found("Invalid Authorizer identifier specified")
    return doc
