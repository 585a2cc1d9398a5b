"""The thin layer between ASGI and the protocol layer's Request and Response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from nubes.errors import ServiceError
from nubes.protocol.http import Request, Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class ClientDisconnected(ServiceError):
    code = "RequestTimeout"
    status = 400


# An error answered before the body was read drains at most this much of it, so the
# connection stays usable; past it, the connection is closed instead.
MAX_DRAIN = 1024 * 1024


class AsgiBody:
    """The request body as it arrives from the server, chunk by chunk (a BodyStream)."""

    __slots__ = ("_receive", "_done")

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    async def drain(self, request: Request) -> bool:
        """Discard an unread body if it is small; False when the connection must close."""
        if self._done:
            return True
        # A client that sent "Expect: 100-continue" gets its 100 here and sends the body,
        # which is read and dropped: answering and closing instead races with a client
        # that stops waiting for the 100 and sends anyway (it would see a reset).
        length = request.headers.get("content-length", "")
        if not length.isdigit() or int(length) > MAX_DRAIN:
            return False
        while await self.read():
            pass
        return True

    async def read(self) -> bytes:
        while not self._done:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self._done = True
                raise ClientDisconnected("The client went away before sending the whole body.")
            self._done = not message.get("more_body", False)
            chunk: bytes = message.get("body", b"")
            if chunk:
                return chunk
        return b""

    async def read_all(self) -> bytes:
        parts = []
        while chunk := await self.read():
            parts.append(chunk)
        return b"".join(parts)


def request_from_scope(scope: Scope) -> Request:
    headers: dict[str, str] = {}
    raw_headers: list[tuple[str, str]] = []
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        raw_headers.append((name, value))
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    client = scope.get("client")
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    return Request(
        method=scope["method"],
        path=path,
        query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        scheme=scope.get("scheme", "http"),
        raw_headers=raw_headers,
        client_ip=client[0] if client else "",
    )


async def send_response(send: Send, response: Response, *, head: bool) -> None:
    """Write a Response; HEAD answers keep the headers and drop the body."""
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    body = response.body
    if isinstance(body, bytes):
        if response.header("content-length") is None:
            headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else body})
        return
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    try:
        if not head:
            async for chunk in body:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
    finally:
        await body.aclose()
    await send({"type": "http.response.body", "body": b""})
