"""Request validators: the control plane (``Create/Get/Update/DeleteRequestValidator``)
and their check at call time (``check_request``): a method's required request
parameters, and its body against the model its ``requestModels`` names for the request's
content type."""

from __future__ import annotations

import json
from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.core import ApiCore, page, required
from nubes.services.apigateway.models import apply_patch, new_id
from nubes.services.apigateway.schema import valid
from nubes.services.apigateway.store import Doc
from nubes.services.base import RequestContext

_PATCHABLE = ("name", "validateRequestBody", "validateRequestParameters")


class ValidatorOps(ApiCore):
    def create_request_validator(self, ctx: RequestContext, params: dict[str, Any]
                                 ) -> dict[str, Any]:
        doc: Doc = {"id": new_id("validator"), "name": params.get("name") or "",
                    "validateRequestBody": bool(params.get("validateRequestBody")),
                    "validateRequestParameters": bool(params.get(
                        "validateRequestParameters"))}

        def change(api: Doc) -> Doc:
            api.setdefault("_validators", {})[doc["id"]] = doc
            return api

        self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 201
        return doc

    def get_request_validator(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        api = self.api_doc(ctx, required(params, "restApiId"))
        return _validator(api, required(params, "requestValidatorId"))

    def get_request_validators(self, ctx: RequestContext, params: dict[str, Any]
                               ) -> dict[str, Any]:
        api = self.api_doc(ctx, required(params, "restApiId"))
        return page(list((api.get("_validators") or {}).values()), params)

    def update_request_validator(self, ctx: RequestContext, params: dict[str, Any]
                                 ) -> dict[str, Any]:
        validator_id = required(params, "requestValidatorId")

        def change(api: Doc) -> Doc:
            apply_patch(_validator(api, validator_id), params.get("patchOperations") or [],
                        _PATCHABLE)
            return api

        api = self.change_api(ctx, required(params, "restApiId"), change)
        return _validator(api, validator_id)

    def delete_request_validator(self, ctx: RequestContext, params: dict[str, Any]
                                 ) -> dict[str, Any]:
        validator_id = required(params, "requestValidatorId")

        def change(api: Doc) -> Doc:
            _validator(api, validator_id)
            del api["_validators"][validator_id]
            return api

        self.change_api(ctx, required(params, "restApiId"), change)
        ctx.status = 202
        return {}


def _validator(api: Doc, validator_id: str) -> Doc:
    found: Doc | None = (api.get("_validators") or {}).get(validator_id)
    if found is None:
        raise exc.not_found("Invalid Request Validator identifier specified")
    return found


def check_request(api: Doc, method: Doc, values: dict[str, dict[str, str]],
                  content_type: str, body: bytes) -> tuple[str, str] | None:
    """(response type, message) when the method's validator refuses the request."""
    validator = (api.get("_validators") or {}).get(method.get("requestValidatorId"))
    if validator is None:
        return None
    if validator.get("validateRequestParameters"):
        missing = []
        for name, needed in (method.get("requestParameters") or {}).items():
            where, _, wanted = name[len("method.request."):].partition(".")
            present = values.get(where, {})
            found = any(k == wanted or (where == "header" and k.lower() == wanted.lower())
                        for k in present)
            if needed and not found:
                missing.append(wanted)
        if missing:
            return ("BAD_REQUEST_PARAMETERS",
                    f"Missing required request parameters: [{', '.join(missing)}]")
    if validator.get("validateRequestBody"):
        models = method.get("requestModels") or {}
        name = models.get(content_type) or models.get("$default")
        model = (api.get("_models") or {}).get(name) if name else None
        if model is not None and model.get("schema"):
            try:
                schema = json.loads(model["schema"])
                document = json.loads(body) if body.strip() else None
            except ValueError:
                return "BAD_REQUEST_BODY", "Invalid request body"
            if not valid(document, schema):
                return "BAD_REQUEST_BODY", "Invalid request body"
    return None
