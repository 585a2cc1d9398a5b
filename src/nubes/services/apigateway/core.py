"""What API Gateway's operation groups share: the store, the clock, finding the caller's
API and its resources, and AWS's ``position``/``limit`` paging."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.models import new_id
from nubes.services.apigateway.store import ApiGatewayStore, Doc, Owner
from nubes.services.base import RequestContext

API = "restapi"


class ApiCore:
    def __init__(self, store: ApiGatewayStore, clock: Callable[[], float] = time.time,
                 id_taken: Callable[[str], bool] | None = None) -> None:
        self.store = store
        self.clock = clock
        # Whether an execute-api id is in use (by an HTTP API too): ids share one host form.
        self.id_taken = id_taken or (lambda api_id: self.store.owner_of(API, "", api_id)
                                     is not None)

    def new_api_id(self) -> str:
        while True:
            api_id = new_id("restapi")
            if not self.id_taken(api_id):
                return api_id

    @staticmethod
    def owner(ctx: RequestContext) -> Owner:
        return Owner(ctx.account_id, ctx.region)

    def api_doc(self, ctx: RequestContext, api_id: str) -> Doc:
        """The caller's REST API; NotFoundException if there is none."""
        doc = self.store.get(API, "", api_id, self.owner(ctx))
        if doc is None:
            raise exc.api_not_found(ctx.account_id, api_id)
        return doc

    def change_api(self, ctx: RequestContext, api_id: str, change: Callable[[Doc], Doc]
                   ) -> Doc:
        """Apply ``change`` to the caller's API in one transaction."""
        self.api_doc(ctx, api_id)
        doc = self.store.update(API, "", api_id, change)
        if doc is None:
            raise exc.api_not_found(ctx.account_id, api_id)
        return doc

    def rest_api_arn(self, ctx: RequestContext, api_id: str) -> str:
        return f"arn:aws:apigateway:{ctx.region}::/restapis/{api_id}"


def resource_of(ctx: RequestContext, api: Doc, resource_id: str) -> Doc:
    resource: Doc | None = api["_resources"].get(resource_id)
    if resource is None:
        raise exc.resource_not_found(ctx.account_id, resource_id)
    return resource


def method_of(api: Doc, resource_id: str, http_method: str) -> Doc:
    method: Doc | None = api["_resources"].get(resource_id, {}).get(
        "resourceMethods", {}).get(http_method)
    if method is None:
        raise exc.not_found("Invalid Method identifier specified")
    return method


def required(params: Mapping[str, Any], member: str) -> Any:
    value = params.get(member)
    if value is None or value == "":
        raise exc.bad_request(f"{member} is required")
    return value


def page(items: list[Doc], params: Mapping[str, Any]) -> dict[str, Any]:
    """One page of ``items`` from ``position`` (an offset) and ``limit`` (default 25,
    at most 500), as ``{"items", "position"}``."""
    limit = params.get("limit") or 25
    if not 1 <= limit <= 500:
        raise exc.bad_request("Invalid limit specified. Must be between 1 and 500.")
    position = params.get("position")
    start = 0
    if position:
        if not str(position).isdigit():
            raise exc.bad_request("Invalid position parameter")
        start = int(position)
    end = start + limit
    out: dict[str, Any] = {"items": items[start:end]}
    if end < len(items):
        out["position"] = str(end)
    return out
