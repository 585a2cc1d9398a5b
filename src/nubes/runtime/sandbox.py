"""One execution environment: its process (forked by a zygote), cgroup, log and channel.

A ``Sandbox`` is started once (``start``: a cold start, ending when the function's init
is done), runs one invocation at a time (``invoke``), and is ended by ``close``; calling
anything after ``close`` is harmless. How invocations reach the function is the
``Transport``'s business: length-prefixed frames for Python (``FrameTransport``), the
Lambda Runtime API for everything else (``runtime_api.ApiTransport``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .api import FunctionSpec, Invocation, Outcome
from .bootstrap.nubes_py import frames
from .cgroups import PeakMemory, SandboxCgroup
from .channel import FrameChannel
from .logs import LogCapture
from .zygote import ExitStatus, ZygoteProcess

MB = 1024 * 1024
EXIT_GRACE_S = 2.0


class SandboxGone(Exception):
    """The function's process ended while it was being talked to."""


class Transport(Protocol):
    def bind_exit(self, exit: asyncio.Future[ExitStatus]) -> None:
        """Resolves when the function's process ends."""
        ...

    async def ready(self) -> bytes | None:
        """None once init is done, or AWS's error document if it failed."""
        ...

    async def invoke(self, meta: dict[str, Any], payload: bytes) -> tuple[bytes, str | None]:
        """(body, None) on success, (error document, errorType) on a function error."""
        ...

    def close(self) -> None: ...


class FrameTransport:
    """Python sandboxes: frames over a socketpair (see ``bootstrap/nubes_py/frames.py``)."""

    def __init__(self, channel: FrameChannel) -> None:
        self.channel = channel

    def bind_exit(self, exit: asyncio.Future[ExitStatus]) -> None:
        """Unused: a Python runtime's death is seen as EOF on the channel."""

    async def ready(self) -> bytes | None:
        frame = await self.channel.read()
        if frame is None:
            raise SandboxGone
        kind, body = frame
        return None if kind == frames.READY else body

    async def invoke(self, meta: dict[str, Any], payload: bytes) -> tuple[bytes, str | None]:
        await self.channel.write(frames.encode_invoke(meta, payload))
        frame = await self.channel.read()
        if frame is None:
            raise SandboxGone
        kind, body = frame
        if kind == frames.RESULT:
            return body, None
        return body, str(json.loads(body).get("errorType", "Unhandled"))

    def close(self) -> None:
        self.channel.close()


@dataclass(frozen=True, slots=True)
class Reply:
    """What one invocation (or a failed init) came to, before logs and metering."""

    outcome: Outcome
    body: bytes
    error_type: str | None = None
    status: str | None = None  # REPORT's "Status: timeout" / "error"
    log_lines: tuple[str, ...] = ()  # what Lambda itself logs about the failure


def error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


class Sandbox:
    def __init__(self, spec: FunctionSpec, sid: str, log_stream: str, mode: str,
                 cgroup: SandboxCgroup | None, tmp_dir: Path | None) -> None:
        self.spec = spec
        self.sid = sid
        self.log_stream = log_stream
        self.mode = mode
        self.cgroup = cgroup
        self.peak_memory = PeakMemory(cgroup) if cgroup is not None else None
        self.tmp_dir = tmp_dir
        self.pid = 0
        self.zygote: ZygoteProcess | None = None
        self.exit: asyncio.Future[ExitStatus] | None = None
        self.logs: LogCapture | None = None
        self.transport: Transport | None = None
        self.closed = False
        self.retired = False  # end after the current invocation (code changed)
        self.last_used = time.monotonic()

    async def start(self, zygote: ZygoteProcess, cfg: dict[str, Any],
                    fds: tuple[int, int], log_fd: int, transport: Transport,
                    timeout_s: float, slot: str | None = None,
                    request_id: str = "") -> Reply | float:
        """Fork and init: the init duration in ms, or the Reply of a failed init (named
        after ``request_id``, the invocation that waits for it)."""
        self.logs = LogCapture(log_fd)
        self.transport = transport
        started = time.monotonic()
        try:
            self.pid = await zygote.spawn(self.sid, cfg, fds, slot)
        finally:
            for fd in fds:
                os.close(fd)
        self.zygote = zygote
        self.exit = zygote.exited(self.pid)
        transport.bind_exit(self.exit)
        try:
            async with asyncio.timeout(timeout_s):
                error = await transport.ready()
        except TimeoutError:
            return await self._timed_out(request_id, timeout_s)
        except SandboxGone:
            return await self._crashed(request_id)
        if error is not None:
            return Reply(Outcome.INIT_ERROR, error,
                         str(json.loads(error).get("errorType")), "error")
        return (time.monotonic() - started) * 1000

    async def invoke(self, invocation: Invocation, deadline_ms: int) -> Reply:
        assert self.transport is not None
        meta = {"request_id": invocation.request_id, "invoked_arn": invocation.invoked_arn,
                "deadline_ms": deadline_ms, "trace_id": invocation.trace_id,
                "client_context": invocation.client_context}
        timeout_s = self.spec.timeout_s
        try:
            async with asyncio.timeout(timeout_s):
                body, error_type = await self.transport.invoke(meta, invocation.payload)
        except TimeoutError:
            return await self._timed_out(invocation.request_id, timeout_s)
        except SandboxGone:
            return await self._crashed(invocation.request_id)
        self.last_used = time.monotonic()
        if error_type is None:
            return Reply(Outcome.SUCCESS, body)
        return Reply(Outcome.FUNCTION_ERROR, body, error_type)

    async def _timed_out(self, request_id: str, timeout_s: float) -> Reply:
        self.kill()
        await self.wait_exit()
        after = f"Task timed out after {timeout_s:.2f} seconds"
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        return Reply(Outcome.TIMEOUT,
                     error_payload("Sandbox.Timedout", f"RequestId: {request_id} Error: {after}"),
                     "Sandbox.Timedout", "timeout", (f"{stamp}Z {request_id} {after}\n",))

    async def _crashed(self, request_id: str) -> Reply:
        status = await self.wait_exit()
        message = (f"RequestId: {request_id} Error: Runtime exited with error: "
                   f"{status.describe()}")
        return Reply(Outcome.CRASH, error_payload("Runtime.ExitError", message),
                     "Runtime.ExitError", "error", (f"{message}\n", "Runtime.ExitError\n"))

    async def wait_exit(self) -> ExitStatus:
        assert self.exit is not None
        try:
            return await asyncio.wait_for(asyncio.shield(self.exit), EXIT_GRACE_S)
        except TimeoutError:
            self.kill()
            return await asyncio.wait_for(asyncio.shield(self.exit), EXIT_GRACE_S)

    @property
    def alive(self) -> bool:
        return not self.closed and self.exit is not None and not self.exit.done()

    def kill(self) -> None:
        if self.pid and (self.exit is None or not self.exit.done()):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        if self.cgroup is not None:
            self.cgroup.kill()

    def max_memory_mb(self) -> int:
        if self.peak_memory is not None:
            return math.ceil(self.peak_memory.bytes() / MB)
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return math.ceil(int(line.split()[1]) / 1024)
        if self.exit is not None and self.exit.done():
            return math.ceil(self.exit.result().maxrss_kb / 1024)
        return 0

    def take_logs(self) -> list[Any]:
        return self.logs.take() if self.logs is not None else []

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.transport is not None:
            self.transport.close()  # EOF: a Python runtime ends by itself
        if self.exit is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self.exit), 0.5)
            except TimeoutError:
                self.kill()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self.exit), EXIT_GRACE_S)
        if self.logs is not None:
            self.logs.close()
        await self._clean_up()

    async def _clean_up(self) -> None:
        if self.zygote is not None:
            self.zygote.forget(self.pid)
        if self.peak_memory is not None:
            self.peak_memory.close()
        for _ in range(100):  # a group stays busy for a moment after its last process dies
            if self.cgroup is None or self.cgroup.remove():
                break
            self.cgroup.kill()
            await asyncio.sleep(0.01)
        if self.tmp_dir is not None:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
