"""The apigatewayv2 provider: HTTP APIs' control plane, and their data plane's door."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from nubes.edge.sigv4 import KeyLookup
from nubes.services.apigatewayv2.control import HttpApiOps
from nubes.services.apigatewayv2.dataplane import Functions, HttpApiDoor
from nubes.services.apigatewayv2.store import HttpApiStore
from nubes.services.base import Provider, RequestContext


class ApiGatewayV2Provider(HttpApiOps, Provider):
    service_name: ClassVar[str] = "apigatewayv2"

    def __init__(self, store: HttpApiStore, functions: Functions, *,
                 keys: KeyLookup | None = None,
                 id_taken: Callable[[str], bool] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        Provider.__init__(self)
        self.store = store
        self.clock = clock
        self.id_taken = id_taken or store.exists
        self.door = HttpApiDoor(store, functions, keys=keys)

    def delete_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        out = super().delete_api(ctx, params)
        self.door.buckets.forget(params["ApiId"])
        self.door.reset_authorizer_cache(params["ApiId"])
        return out

    def reset_authorizers_cache(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        self._stage_of(ctx, params)
        self.door.reset_authorizer_cache(params["ApiId"], params["StageName"])
        ctx.status = 204
        return {}
