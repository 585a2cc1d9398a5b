"""REST APIs themselves: create, read, list, update (patch), delete, and the tags of
every taggable API Gateway resource (APIs, stages, API keys, usage plans)."""

from __future__ import annotations

from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.api_models import default_models
from nubes.services.apigateway.core import API, ApiCore, page, required
from nubes.services.apigateway.models import apply_patch, new_id, public
from nubes.services.apigateway.store import Conflict, Doc
from nubes.services.base import RequestContext

_ENDPOINT_TYPES = frozenset({"EDGE", "REGIONAL", "PRIVATE"})
_API_PATCHABLE = ("name", "description", "version", "binaryMediaTypes", "apiKeySource",
                  "minimumCompressionSize", "disableExecuteApiEndpoint", "policy",
                  "endpointConfiguration")


def new_api_doc(api_id: str, params: dict[str, Any], now: float) -> Doc:
    """A REST API's document with its root resource ``/``."""
    endpoint = params.get("endpointConfiguration") or {"types": ["EDGE"]}
    for kind in endpoint.get("types") or []:
        if kind not in _ENDPOINT_TYPES:
            raise exc.bad_request(f"Invalid endpoint configuration type: {kind}")
    source = params.get("apiKeySource") or "HEADER"
    if source not in ("HEADER", "AUTHORIZER"):
        raise exc.bad_request(f"Invalid API Key source: {source}")
    root = new_id("root")
    doc: Doc = {
        "id": api_id, "name": required(params, "name"), "createdDate": now,
        "apiKeySource": source, "endpointConfiguration": endpoint,
        "disableExecuteApiEndpoint": bool(params.get("disableExecuteApiEndpoint", False)),
        "rootResourceId": root,
        "_resources": {root: {"id": root, "path": "/"}},
        "_authorizers": {}, "_models": default_models(),
    }
    for member in ("description", "version", "binaryMediaTypes", "minimumCompressionSize",
                   "policy", "tags"):
        if params.get(member) is not None:
            doc[member] = params[member]
    return doc


class ApiOps(ApiCore):
    def create_rest_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("cloneFrom"):
            source = self.api_doc(ctx, params["cloneFrom"])
            base = {**source, **{k: v for k, v in params.items() if v is not None}}
        else:
            base = params
        doc = new_api_doc(self.new_api_id(), base, self.clock())
        if params.get("cloneFrom"):
            doc.update(_resources=source["_resources"], rootResourceId=source["rootResourceId"],
                       _authorizers=source["_authorizers"], _models=source["_models"])
        self.insert_api(ctx, doc)
        ctx.status = 201
        return public(doc)

    def insert_api(self, ctx: RequestContext, doc: Doc) -> None:
        try:
            self.store.insert(API, "", doc["id"], self.owner(ctx), doc, doc["createdDate"])
        except Conflict as error:  # an id collision: vanishingly rare
            raise exc.ConflictException("Unable to create the API; retry.") from error

    def get_rest_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return public(self.api_doc(ctx, required(params, "restApiId")))

    def get_rest_apis(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        apis = [public(doc) for doc in self.store.list_docs(API, self.owner(ctx))]
        return page(apis, params)

    def update_rest_api(self, ctx: RequestContext, params: dict[str, Any]
                        ) -> dict[str, Any]:
        operations = params.get("patchOperations") or []

        def change(doc: Doc) -> Doc:
            for operation in operations:  # /endpointConfiguration/types/EDGE form
                path = str(operation.get("path") or "")
                if path.startswith("/endpointConfiguration/types"):
                    kind = operation.get("value")
                    if kind not in _ENDPOINT_TYPES:
                        raise exc.bad_request(f"Invalid endpoint configuration type: {kind}")
                    doc["endpointConfiguration"] = {"types": [kind]}
            rest = [o for o in operations
                    if not str(o.get("path") or "").startswith("/endpointConfiguration")]
            apply_patch(doc, rest, _API_PATCHABLE, lists=("binaryMediaTypes",))
            if doc.get("apiKeySource") not in ("HEADER", "AUTHORIZER"):
                raise exc.bad_request(f"Invalid API Key source: {doc.get('apiKeySource')}")
            return doc

        return public(self.change_api(ctx, required(params, "restApiId"), change))

    def delete_rest_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = required(params, "restApiId")
        self.api_doc(ctx, api_id)
        self.store.delete(API, "", api_id)
        ctx.status = 202
        return {}

    # -- tags ---------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> tuple[str, str, str, str]:
        """(kind, parent, id, …) of the document an ARN names, checked to exist."""
        prefix = f"arn:aws:apigateway:{ctx.region}::/"
        parts = arn[len(prefix):].split("/") if arn.startswith(prefix) else []
        found: tuple[str, str, str, str] | None = None
        if len(parts) == 2 and parts[0] == "restapis":
            found = (API, "", parts[1], arn)
        elif len(parts) == 4 and parts[0] == "restapis" and parts[2] == "stages":
            found = ("stage", parts[1], parts[3], arn)
        elif len(parts) == 2 and parts[0] == "apikeys":
            found = ("apikey", "", parts[1], arn)
        elif len(parts) == 2 and parts[0] == "usageplans":
            found = ("usageplan", "", parts[1], arn)
        if found is None or self.store.get(found[0], found[1], found[2],
                                           self.owner(ctx)) is None:
            raise exc.not_found(f"Invalid resource ARN specified: {arn}")
        return found

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        kind, parent, doc_id, _ = self._tagged(ctx, required(params, "resourceArn"))
        tags = params.get("tags") or {}

        def change(doc: Doc) -> Doc:
            doc["tags"] = {**(doc.get("tags") or {}), **tags}
            return doc

        self.store.update(kind, parent, doc_id, change)
        ctx.status = 204
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        kind, parent, doc_id, _ = self._tagged(ctx, required(params, "resourceArn"))
        keys = set(params.get("tagKeys") or [])

        def change(doc: Doc) -> Doc:
            doc["tags"] = {k: v for k, v in (doc.get("tags") or {}).items() if k not in keys}
            return doc

        self.store.update(kind, parent, doc_id, change)
        ctx.status = 204
        return {}

    def get_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        kind, parent, doc_id, _ = self._tagged(ctx, required(params, "resourceArn"))
        doc = self.store.get(kind, parent, doc_id) or {}
        return {"tags": doc.get("tags") or {}}
