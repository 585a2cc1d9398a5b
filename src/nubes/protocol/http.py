"""The HTTP request and response as the protocol layer sees them, free of any server.

The edge builds a ``Request`` from the ASGI scope; parsers read it; serializers build a
``Response`` that the edge writes back. Bodies that may be large (S3 objects) stay streams
on both sides and are never read into memory whole.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qsl, unquote


class BodyStream(Protocol):
    """A request body read chunk by chunk; an empty chunk means the end."""

    async def read(self) -> bytes: ...


class ResponseStream(Protocol):
    """A response body produced chunk by chunk (a file range, say), closed when done."""

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


@dataclass(slots=True)
class Request:
    """One HTTP request. ``headers`` has lower-case names; repeated headers are joined by ','."""

    method: str
    path: str  # percent-encoded, as received, without the query string
    query_string: str  # raw, as received
    headers: dict[str, str]
    body: bytes = b""
    # Set instead of ``body`` for operations whose input is a streaming blob (S3 uploads).
    stream: BodyStream | None = None
    scheme: str = "http"
    # The path the client signed, when the edge rewrote ``path`` (S3 virtual hosts).
    signed_path: str | None = None
    # The headers as received, repeats kept as separate pairs (lower-case names): what
    # the HTTP data plane hands on (multiValueHeaders, cookies).
    raw_headers: list[tuple[str, str]] = field(default_factory=list, repr=False)
    client_ip: str = ""
    _query: list[tuple[str, str]] | None = field(default=None, repr=False)

    @property
    def query(self) -> list[tuple[str, str]]:
        """Decoded query parameters in order; a key without '=' has the value ''."""
        if self._query is None:
            self._query = parse_qsl(self.query_string, keep_blank_values=True)
        return self._query

    def query_dict(self) -> dict[str, str]:
        """The first value of each query parameter."""
        out: dict[str, str] = {}
        for key, value in self.query:
            out.setdefault(key, value)
        return out

    @property
    def decoded_path(self) -> str:
        return unquote(self.path)

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass(slots=True)
class Response:
    """One HTTP response: ``body`` is bytes, or a stream for large payloads."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | ResponseStream = b""

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None
