"""The invoker's end of a Python sandbox's frame channel (asyncio, non-blocking).

Frames are those of ``bootstrap/nubes_py/frames.py``. Reading is a reader callback on the
event loop that parses whole frames; ``read`` awaits the next one (None at EOF).
"""

from __future__ import annotations

import asyncio
import collections
import socket

from .bootstrap.nubes_py import frames

_CHUNK = 1 << 18


class FrameChannel:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        sock.setblocking(False)
        self.loop = asyncio.get_running_loop()
        self.buffer = bytearray()
        self.frames: collections.deque[tuple[int, bytes]] = collections.deque()
        self.eof = False
        self.waiter: asyncio.Future[None] | None = None
        self.loop.add_reader(sock.fileno(), self._on_readable)

    def _on_readable(self) -> None:
        while True:
            try:
                chunk = self.sock.recv(_CHUNK)
            except BlockingIOError:
                break
            except OSError:
                chunk = b""
            if not chunk:
                self.eof = True
                self.loop.remove_reader(self.sock.fileno())
                break
            self.buffer += chunk
            if len(chunk) < _CHUNK:
                break
        self._parse()
        if self.waiter is not None and not self.waiter.done() and (self.frames or self.eof):
            self.waiter.set_result(None)

    def _parse(self) -> None:
        header = frames.HEADER
        while len(self.buffer) >= header.size:
            size, kind = header.unpack_from(self.buffer)
            end = header.size + size
            if len(self.buffer) < end:
                return
            self.frames.append((kind, bytes(self.buffer[header.size:end])))
            del self.buffer[:end]

    async def read(self) -> tuple[int, bytes] | None:
        """The next frame; None once the sandbox has closed its end."""
        while not self.frames:
            if self.eof:
                return None
            self.waiter = self.loop.create_future()
            await self.waiter
        return self.frames.popleft()

    async def write(self, data: bytes) -> None:
        try:
            sent = self.sock.send(data)
        except BlockingIOError:
            sent = 0
        if sent < len(data):
            await self.loop.sock_sendall(self.sock, memoryview(data)[sent:])

    def close(self) -> None:
        if not self.eof:
            self.loop.remove_reader(self.sock.fileno())
            self.eof = True
        self.sock.close()
