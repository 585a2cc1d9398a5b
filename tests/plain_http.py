"""Plain HTTP to a user's endpoint (a function URL, an API's stage) as curl sends it: the
endpoint's own host name in ``Host``, the connection made to the test server's loopback
port (``*.localhost`` names need no resolver that way)."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tests.server import NubesServer


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def header_values(self, name: str) -> list[str]:
        return self.all(name)

    def json(self) -> Any:
        return json.loads(self.body)


def request(server: NubesServer, method: str, url: str, body: bytes | str | None = None,
            headers: dict[str, str] | None = None) -> Answer:
    """``method url`` with its host as ``Host``, sent to ``server``; redirects not followed."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, target, body=body,
                           headers={"Host": parts.netloc, **(headers or {})})
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        connection.close()
