"""Test helpers: requests signed by botocore's own signers, as our ``Request``s."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials as BotoCredentials

from nubes.accounts import Credentials
from nubes.protocol.http import BodyStream, Request

ENDPOINT = "http://127.0.0.1:4566"
ACCOUNT = "000000000000"


class Keys:
    """A KeyLookup over a fixed set of keys."""

    def __init__(self, *creds: Credentials) -> None:
        self._keys = {c.access_key: c for c in creds}

    def get(self, access_key: str) -> Credentials | None:
        return self._keys.get(access_key)


KEYS = Keys(Credentials("test", "test", ACCOUNT), Credentials("AKIAOTHER", "s3cr3t+/=", "1" * 12))


def body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if hasattr(body, "read"):
        data: bytes = body.read()
        return data
    return bytes(body)


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def to_request(prepared: AWSPreparedRequest, *, read_body: bool = True) -> Request:
    """The request as the edge would see it (lower-case headers, Host from the URL)."""
    parts = urlsplit(prepared.url)
    headers = {name.lower(): _text(value) for name, value in prepared.headers.items()}
    headers.setdefault("host", parts.netloc)
    body = body_bytes(prepared.body)
    if body and "transfer-encoding" not in headers:
        headers.setdefault("content-length", str(len(body)))
    request = Request(prepared.method, parts.path or "/", parts.query, headers)
    if read_body:
        request.body = body
    return request


def sign(
    signer: type[SigV4Auth],
    method: str,
    url: str,
    service: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    access_key: str = "test",
    secret: str = "test",
    region: str = "us-east-1",
    **signer_options: Any,
) -> Request:
    aws = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
    signer(BotoCredentials(access_key, secret), service, region, **signer_options).add_auth(aws)
    return to_request(aws.prepare())


class _EmptyRaw:
    def stream(self, **_: Any) -> Any:
        return iter([b""])


def captured(service: str, call: Callable[[Any], Any], *, endpoint: str = ENDPOINT) -> Any:
    """The request a real boto3 client sends for ``call(client)``, caught before the wire."""
    seen: list[AWSPreparedRequest] = []

    def catch(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        seen.append(request)
        return AWSResponse(request.url, 200, {}, _EmptyRaw())

    client = boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    client.meta.events.register("before-send", catch)
    call(client)
    return seen[0]


class Pieces:
    """A BodyStream handing out ``data`` in random small pieces."""

    def __init__(self, data: bytes, *, seed: int = 0, largest: int = 7) -> None:
        self._data = data
        self._random = random.Random(seed)
        self._largest = largest
        self.position = 0

    async def read(self) -> bytes:
        size = self._random.randint(1, self._largest)
        piece = self._data[self.position : self.position + size]
        self.position += len(piece)
        return piece


def read_all(stream: BodyStream) -> bytes:
    async def drain() -> bytes:
        out = bytearray()
        while piece := await stream.read():
            out += piece
        return bytes(out)

    return asyncio.run(drain())


def reads(stream: BodyStream) -> list[bytes]:
    """Every piece a stream hands out, in order."""

    async def drain() -> list[bytes]:
        out = []
        while piece := await stream.read():
            out.append(piece)
        return out

    return asyncio.run(drain())
