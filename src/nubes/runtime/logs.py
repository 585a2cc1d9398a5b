"""A sandbox's log: its stdout/stderr line by line, and the lines Lambda itself writes.

``LogCapture`` reads the sandbox's output pipe on the event loop; ``drain`` reads what is
left synchronously, so everything the function printed before answering is attributed to
that invocation. ``InvocationLog`` collects one invocation's events with START / END /
REPORT in Lambda's format and gives the tail (last 4 KB, base64) for ``LogType: Tail``.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import time
from datetime import UTC, datetime

from .api import LogEvent

TAIL_BYTES = 4096
_CHUNK = 1 << 16


def now_ms() -> int:
    return int(time.time() * 1000)


def stream_name(version: str) -> str:
    """A log stream per sandbox, named as Lambda names them: 2026/11/22/[$LATEST]<hex>."""
    day = datetime.now(UTC).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{secrets.token_hex(16)}"


class LogCapture:
    """Reads a sandbox's stdout/stderr pipe into log events, one per line."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        os.set_blocking(fd, False)
        self.partial = b""
        self.events: list[LogEvent] = []
        self.closed = False
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(fd, self.drain)

    def drain(self) -> None:
        """Read everything the pipe holds now."""
        while not self.closed:
            try:
                chunk = os.read(self.fd, _CHUNK)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self._flush_partial()
                self.close()
                return
            self._split(chunk)

    def _split(self, chunk: bytes) -> None:
        *lines, self.partial = (self.partial + chunk).split(b"\n")
        stamp = now_ms()
        for line in lines:
            self.events.append(LogEvent(stamp, line.decode(errors="replace") + "\n"))

    def _flush_partial(self) -> None:
        if self.partial:
            self.events.append(LogEvent(now_ms(), self.partial.decode(errors="replace")))
            self.partial = b""

    def take(self) -> list[LogEvent]:
        """The events captured since the last take (a trailing partial line included)."""
        self.drain()
        self._flush_partial()
        events, self.events = self.events, []
        return events

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.loop.remove_reader(self.fd)
            os.close(self.fd)


def report_line(request_id: str, duration_ms: float, billed_ms: int, memory_mb: int,
                max_memory_mb: int, init_ms: float | None, status: str | None = None) -> str:
    parts = [f"REPORT RequestId: {request_id}", f"Duration: {duration_ms:.2f} ms",
             f"Billed Duration: {billed_ms} ms", f"Memory Size: {memory_mb} MB",
             f"Max Memory Used: {max_memory_mb} MB"]
    if init_ms is not None:
        parts.append(f"Init Duration: {init_ms:.2f} ms")
    if status:
        parts.append(f"Status: {status}")
    return "\t".join(parts) + "\t\n"  # Lambda's REPORT lines end with a tab


class InvocationLog:
    """One invocation's log events, in the order Lambda writes them."""

    def __init__(self, request_id: str, version: str) -> None:
        self.request_id = request_id
        self.events: list[LogEvent] = []
        self.add(f"START RequestId: {request_id} Version: {version}\n")

    def add(self, message: str) -> None:
        self.events.append(LogEvent(now_ms(), message))

    def extend(self, events: list[LogEvent]) -> None:
        self.events.extend(events)

    def end(self, report: str) -> None:
        self.add(f"END RequestId: {self.request_id}\n")
        self.add(report)

    def tail(self) -> str:
        raw = "".join(event.message for event in self.events).encode()
        return base64.b64encode(raw[-TAIL_BYTES:]).decode()
