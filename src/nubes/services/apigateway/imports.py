"""ImportRestApi and PutRestApi: a REST API built or changed from an OpenAPI document."""

from __future__ import annotations

from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.apis import ApiOps, new_api_doc
from nubes.services.apigateway.authorizers import check_authorizer
from nubes.services.apigateway.gateway_responses import TYPES
from nubes.services.apigateway.models import public
from nubes.services.apigateway.openapi import api_members, apply_document, parse_document
from nubes.services.apigateway.store import Doc
from nubes.services.base import RequestContext


def _options(params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The basepath mode and endpoint configuration of the import ``parameters``."""
    options = params.get("parameters") or {}
    basepath = str(options.get("basepath", "ignore")).lower()
    if basepath not in ("ignore", "prepend", "split"):
        raise exc.bad_request(f"Invalid basepath parameter: {basepath}")
    endpoint: dict[str, Any] = {}
    types = options.get("endpointConfigurationTypes")
    if types:
        endpoint = {"types": [str(types).upper()]}
    return basepath, endpoint


def _checked(api: Doc) -> Doc:
    for authorizer in api["_authorizers"].values():
        check_authorizer(authorizer)
    for kind in api.get("_gatewayResponses") or {}:
        if kind not in TYPES:
            raise exc.bad_request(f"Invalid gateway response type: {kind}")
    return api


class ImportOps(ApiOps):
    def import_rest_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        document = parse_document(params.get("body") or b"")
        basepath, endpoint = _options(params)
        members = api_members(document)
        if not members.get("name"):
            raise exc.bad_request("Invalid OpenAPI input: the document has no info.title")
        base = {**members, **({"endpointConfiguration": endpoint} if endpoint else {})}
        api = new_api_doc(self.new_api_id(), base, self.clock())
        _checked(apply_document(api, document, "overwrite", basepath))
        self.insert_api(ctx, api)
        ctx.status = 201
        return public(api)

    def put_rest_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        document = parse_document(params.get("body") or b"")
        basepath, endpoint = _options(params)
        mode = str(params.get("mode") or "merge").lower()
        if mode not in ("merge", "overwrite"):
            raise exc.bad_request(f"Invalid mode specified: {mode}")

        def change(api: Doc) -> Doc:
            if endpoint:
                api["endpointConfiguration"] = endpoint
            return _checked(apply_document(api, document, mode, basepath))

        return public(self.change_api(ctx, params["restApiId"], change))
