"""The ASGI application: every service on one port.

It runs each request through ``chain.HANDLERS`` and turns any error into the AWS error
response of the service addressed. Internal faults are logged with their request id and
answered as ``InternalError``.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable

from nubes.edge.asgi import AsgiBody, Receive, Scope, Send, request_from_scope, send_response
from nubes.edge.chain import HANDLERS, Edge
from nubes.edge.exchange import Exchange
from nubes.edge.routing import UnknownService
from nubes.errors import InternalError, ServiceError
from nubes.protocol.catalog import service_model
from nubes.protocol.http import Response
from nubes.protocol.serializers import serialize_error

log = logging.getLogger("nubes.edge")


class EdgeApp:
    """ASGI entry point. ``on_startup`` / ``on_shutdown`` run in the server's lifespan."""

    def __init__(
        self,
        edge: Edge,
        on_startup: Callable[[], Awaitable[None] | None] | None = None,
        on_shutdown: Callable[[], Awaitable[None] | None] | None = None,
    ) -> None:
        self.edge = edge
        self._on_startup = on_startup
        self._on_shutdown = on_shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = Exchange(request_from_scope(scope), _request_id(), AsgiBody(receive))
        try:
            for handler in HANDLERS:
                await handler(self.edge, ex)
                if ex.response is not None:
                    break
            response = ex.response or Response(500)
        except ServiceError as error:
            response = await self._error(ex, error)
        except Exception:
            log.exception("internal error in request %s", ex.request_id)
            internal = InternalError("We encountered an internal error. Please try again.")
            response = await self._error(ex, internal)
        response.headers.extend(ex.extra_headers.items())
        await send_response(send, response, head=ex.request.method == "HEAD")

    async def _error(self, ex: Exchange, error: ServiceError) -> Response:
        fallback = error.answer_as if isinstance(error, UnknownService) else "s3"
        model = ex.model or service_model(fallback)
        response = serialize_error(model, error, ex.request_id)
        # A body left unread would be taken for the next request on this connection.
        try:
            keep_alive = await ex.raw_body.drain(ex.request)
        except ServiceError:
            keep_alive = False
        if not keep_alive:
            response.headers.append(("connection", "close"))
        return response

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self._on_startup:
                        await _maybe_await(self._on_startup())
                except Exception as exc:  # start-up failed: tell the server, which exits
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._on_shutdown:
                    await _maybe_await(self._on_shutdown())
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if inspect.isawaitable(result):
        await result


def _request_id() -> str:
    """A request id as AWS's JSON services write them (a UUID); S3 shortens it."""
    return str(uuid.uuid4())
