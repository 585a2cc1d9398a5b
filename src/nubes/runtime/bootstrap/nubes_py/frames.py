"""Length-prefixed frames between the invoker and a Python sandbox (blocking side).

A frame is a 5-byte header (body length: u32 big-endian, kind: u8) and the body. The
invoker's asyncio side (``nubes.runtime.channel``) uses the same header and kinds.
"""

from __future__ import annotations

import json
import socket
import struct
from typing import Any

HEADER = struct.Struct("!IB")

INVOKE = 1  # invoker -> sandbox: u32 meta length, meta JSON, payload bytes
READY = 2  # sandbox -> invoker: JSON {"init_ms": float}
INIT_ERROR = 3  # sandbox -> invoker: AWS's error document (JSON)
RESULT = 4  # sandbox -> invoker: the handler's response bytes
ERROR = 5  # sandbox -> invoker: AWS's error document (JSON)

_META = struct.Struct("!I")


def encode(kind: int, body: bytes) -> bytes:
    return HEADER.pack(len(body), kind) + body


def encode_invoke(meta: dict[str, Any], payload: bytes) -> bytes:
    raw = json.dumps(meta).encode()
    return encode(INVOKE, _META.pack(len(raw)) + raw + payload)


def decode_invoke(body: bytes) -> tuple[dict[str, Any], bytes]:
    (size,) = _META.unpack_from(body)
    meta: dict[str, Any] = json.loads(body[_META.size:_META.size + size])
    return meta, body[_META.size + size:]


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(sock: socket.socket) -> tuple[int, bytes] | None:
    """The next frame, or None when the invoker has closed the channel."""
    header = _read_exactly(sock, HEADER.size)
    if header is None:
        return None
    size, kind = HEADER.unpack(header)
    body = _read_exactly(sock, size)
    if body is None:
        return None
    return kind, body
