"""The Lambda Runtime API, served per sandbox on an ephemeral loopback port.

Custom runtimes (a zip's ``bootstrap``), our Node.js bootstrap and AWS's runtime interface
clients poll ``GET /2018-06-01/runtime/invocation/next`` and answer with
``POST .../invocation/{id}/response`` or ``.../error``; a failed init posts
``.../init/error``. Init is over at the first ``next``. HTTP/1.1 parsed by httptools.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

import httptools

from .api import FunctionSpec
from .sandbox import SandboxGone
from .zygote import ExitStatus

PREFIX = "/2018-06-01/runtime"
_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden",
            404: "Not Found", 413: "Request Entity Too Large"}
Result = tuple[bytes, str | None]  # (body, None) or (error document, errorType)


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}",
             "Content-Type: application/json", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _accepted() -> bytes:
    return _response(202, b'{"status":"OK"}')


def _error_type(headers: dict[str, str], body: bytes) -> str:
    found = headers.get("lambda-runtime-function-error-type")
    if not found:
        try:
            found = json.loads(body).get("errorType")
        except (ValueError, AttributeError):
            found = None
    return str(found or "Runtime.Unknown")


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection from the runtime."""

    def __init__(self, server: RuntimeApiServer) -> None:
        self.server = server
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.headers: dict[str, str] = {}
        self.body = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.send(_response(400, b'{"errorMessage":"bad request"}'), close=True)

    def on_message_begin(self) -> None:
        self.url, self.headers, self.body = b"", {}, bytearray()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode().lower()] = value.decode(errors="replace")

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        method = self.parser.get_method().decode()
        path = httptools.parse_url(self.url).path.decode()
        self.server.handle(self, method, path, self.headers, bytes(self.body))

    def send(self, data: bytes, close: bool = False) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(data)
        if close or not self.parser.should_keep_alive():
            self.transport.close()


class RuntimeApiServer:
    """The Runtime API of one sandbox: one pending invocation at a time."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self.server: asyncio.Server | None = None
        self.address = ""
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[bytes | None] = loop.create_future()
        self.waiting: _Connection | None = None  # a runtime blocked in GET /next
        self.queued: tuple[dict[str, Any], bytes] | None = None
        self.request_id: str | None = None
        self.result: asyncio.Future[Result] | None = None

    @classmethod
    async def start(cls, host: str, spec: FunctionSpec) -> RuntimeApiServer:
        api = cls(spec)
        loop = asyncio.get_running_loop()
        api.server = await loop.create_server(lambda: _Connection(api), host, 0)
        port = api.server.sockets[0].getsockname()[1]
        api.address = f"{host}:{port}"
        return api

    def handle(self, conn: _Connection, method: str, path: str, headers: dict[str, str],
               body: bytes) -> None:
        if method == "GET" and path == f"{PREFIX}/invocation/next":
            self._next(conn)
        elif method == "POST" and path == f"{PREFIX}/init/error":
            if not self.ready.done():
                self.ready.set_result(body or b"{}")
            conn.send(_accepted())
        elif method == "POST" and path.startswith(f"{PREFIX}/invocation/"):
            self._answer(conn, path.removeprefix(f"{PREFIX}/invocation/"), headers, body)
        else:
            conn.send(_response(404, b'{"errorMessage":"not found"}'))

    def _next(self, conn: _Connection) -> None:
        if not self.ready.done():
            self.ready.set_result(None)
        if self.queued is not None:
            meta, payload = self.queued
            self.queued = None
            self._deliver(conn, meta, payload)
        else:
            self.waiting = conn

    def _deliver(self, conn: _Connection, meta: dict[str, Any], payload: bytes) -> None:
        headers = {
            "Lambda-Runtime-Aws-Request-Id": meta["request_id"],
            "Lambda-Runtime-Deadline-Ms": str(meta["deadline_ms"]),
            "Lambda-Runtime-Invoked-Function-Arn": meta["invoked_arn"],
            "Lambda-Runtime-Trace-Id": meta.get("trace_id") or "",
        }
        if meta.get("client_context"):
            headers["Lambda-Runtime-Client-Context"] = meta["client_context"]
        if meta.get("identity"):
            headers["Lambda-Runtime-Cognito-Identity"] = json.dumps(meta["identity"])
        conn.send(_response(200, payload, headers))

    def _answer(self, conn: _Connection, rest: str, headers: dict[str, str],
                body: bytes) -> None:
        request_id, _, verb = rest.partition("/")
        if request_id != self.request_id or self.result is None or self.result.done():
            conn.send(_response(400, b'{"errorMessage":"Invalid request ID",'
                                     b'"errorType":"InvalidRequestID"}'))
            return
        if verb == "response":
            self.result.set_result((body, None))
        elif verb == "error":
            self.result.set_result((body or b"{}", _error_type(headers, body)))
        else:
            conn.send(_response(404, b'{"errorMessage":"not found"}'))
            return
        conn.send(_accepted())

    def push(self, meta: dict[str, Any], payload: bytes) -> asyncio.Future[Result]:
        """Hand an invocation to the runtime; the future resolves with its answer."""
        self.request_id = meta["request_id"]
        self.result = asyncio.get_running_loop().create_future()
        if self.waiting is not None:
            conn, self.waiting = self.waiting, None
            self._deliver(conn, meta, payload)
        else:
            self.queued = (meta, payload)
        return self.result

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        if self.waiting is not None and self.waiting.transport is not None:
            self.waiting.transport.close()


async def _first(future: asyncio.Future[Any], exit: asyncio.Future[ExitStatus]) -> Any:
    """``future``'s result, unless the process exits first (SandboxGone)."""
    done, _ = await asyncio.wait({future, exit}, return_when=asyncio.FIRST_COMPLETED)
    if future in done:
        return future.result()
    raise SandboxGone


class ApiTransport:
    """The sandbox side of ``Transport`` for Runtime API clients."""

    def __init__(self, server: RuntimeApiServer) -> None:
        self.server = server
        self.exit: asyncio.Future[ExitStatus] | None = None

    def bind_exit(self, exit: asyncio.Future[ExitStatus]) -> None:
        self.exit = exit

    async def ready(self) -> bytes | None:
        assert self.exit is not None
        error: bytes | None = await _first(self.server.ready, self.exit)
        return error

    async def invoke(self, meta: dict[str, Any], payload: bytes) -> Result:
        assert self.exit is not None
        result: Result = await _first(self.server.push(meta, payload), self.exit)
        return result

    def close(self) -> None:
        self.server.close()
