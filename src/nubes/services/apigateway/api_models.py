"""An API's models: named JSON schemas (``Empty`` and ``Error`` exist in every new API,
as AWS creates them). Nubes keeps them for the API's definition and round trips; it has
no request validators, so no request is checked against them."""

from __future__ import annotations

import json
import re
from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.core import ApiCore, page, required
from nubes.services.apigateway.models import apply_patch, new_id
from nubes.services.apigateway.store import Doc
from nubes.services.base import RequestContext

_NAME = re.compile(r"^[A-Za-z0-9]+$")
_EMPTY = ('{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n'
          '  "title" : "Empty Schema",\n  "type" : "object"\n}')
_ERROR = ('{\n  "$schema" : "http://json-schema.org/draft-04/schema#",\n'
          '  "title" : "Error Schema",\n  "type" : "object",\n  "properties" : {\n'
          '    "message" : { "type" : "string" }\n  }\n}')


def default_models() -> dict[str, Doc]:
    """The models AWS puts in every new REST API."""
    return {
        "Empty": {"id": new_id("model"), "name": "Empty", "contentType": "application/json",
                  "description": "This is a default empty schema model", "schema": _EMPTY},
        "Error": {"id": new_id("model"), "name": "Error", "contentType": "application/json",
                  "description": "This is a default error schema model", "schema": _ERROR},
    }


def check_schema(schema: Any) -> None:
    if schema is None:
        return
    try:
        json.loads(str(schema))
    except ValueError as error:
        raise exc.bad_request("Invalid model specified: Validation Result: warnings : [], "
                              "errors : [Invalid model schema specified]") from error


class ModelOps(ApiCore):
    def create_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = str(required(params, "name"))
        if not _NAME.match(name):
            raise exc.bad_request("Model name must be alphanumeric: " + name)
        check_schema(params.get("schema"))
        doc: Doc = {"id": new_id("model"), "name": name,
                    "contentType": required(params, "contentType")}
        for member in ("description", "schema"):
            if params.get(member) is not None:
                doc[member] = params[member]

        def change(api: Doc) -> Doc:
            models = api.setdefault("_models", {})
            if name in models:
                raise exc.ConflictException("Model name already exists for this REST API")
            models[name] = doc
            return api

        self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 201
        return doc

    def get_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api = self.api_doc(ctx, required(params, "restApiId"))
        return _model(api, required(params, "modelName"))

    def get_models(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api = self.api_doc(ctx, required(params, "restApiId"))
        return page(list((api.get("_models") or {}).values()), params)

    def update_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = required(params, "modelName")

        def change(api: Doc) -> Doc:
            model = _model(api, name)
            apply_patch(model, params.get("patchOperations") or [], ("schema", "description"))
            check_schema(model.get("schema"))
            return api

        return _model(self.change_api(ctx, required(params, "restApiId"), change), name)

    def delete_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = required(params, "modelName")

        def change(api: Doc) -> Doc:
            _model(api, name)
            for resource in api["_resources"].values():
                for method in (resource.get("resourceMethods") or {}).values():
                    if name in (method.get("requestModels") or {}).values():
                        raise exc.ConflictException(
                            f"Cannot delete model '{name}', is referenced in method request:"
                            f" {resource['path']}/{method['httpMethod']}")
            del api["_models"][name]
            return api

        self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 202
        return {}


def _model(api: Doc, name: str) -> Doc:
    found: Doc | None = (api.get("_models") or {}).get(name)
    if found is None:
        raise exc.not_found("Invalid model name specified: " + name)
    return found
