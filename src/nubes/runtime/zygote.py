"""The invoker's side of a zygote: start it once, ask it to fork sandboxes, hear exits.

The zygote itself is ``bootstrap/nubes_py/zygote.py``, run by the function's interpreter
with ``-I -S`` (no site-packages: a function sees the standard library, its own code,
its layers, and the runtime's boto3 family through a last-resort finder).
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import NubesError

log = logging.getLogger(__name__)

BOOTSTRAP_DIR = Path(__file__).parent / "bootstrap"
_START = (
    "import sys; sys.path[:] = [p for p in sys.path if p]; sys.path.insert(0, {dir!r}); "
    "from nubes_py import zygote; zygote.main()"
)
_SIGNAL_NAMES = {
    signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted", signal.SIGTERM: "terminated", signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception", signal.SIGILL: "illegal instruction",
    signal.SIGINT: "interrupt", signal.SIGPIPE: "broken pipe", signal.SIGHUP: "hangup",
    signal.SIGXFSZ: "file size limit exceeded", signal.SIGXCPU: "CPU time limit exceeded",
}


class ZygoteError(NubesError):
    """The zygote could not start, or could not fork a sandbox."""


@dataclass(frozen=True, slots=True)
class ExitStatus:
    code: int | None
    signal: int | None
    maxrss_kb: int = 0

    def describe(self) -> str:
        """As Lambda (Go's ProcessState) says it: "exit status 1", "signal: killed"."""
        if self.signal is not None:
            try:
                name = _SIGNAL_NAMES.get(signal.Signals(self.signal), f"signal {self.signal}")
            except ValueError:
                name = f"signal {self.signal}"
            return f"signal: {name}"
        return f"exit status {self.code}"


class ZygoteProcess:
    """One zygote; ``spawn`` returns the sandbox's host pid, ``exited`` its end."""

    def __init__(self, interpreter: str, config: dict[str, Any]) -> None:
        self.interpreter = interpreter
        self.config = config
        self.process: asyncio.subprocess.Process | None = None
        self.sock: socket.socket | None = None
        self.pending: dict[str, asyncio.Future[int]] = {}
        self.preforks: dict[str, asyncio.Future[None]] = {}
        self.exits: dict[int, asyncio.Future[ExitStatus]] = {}
        self.ready: asyncio.Future[int] | None = None

    async def start(self, timeout: float = 120.0) -> None:
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        config = dict(self.config, control_fd=theirs.fileno())
        command = _START.format(dir=str(BOOTSTRAP_DIR))
        self.ready = loop.create_future()
        try:
            self.process = await asyncio.create_subprocess_exec(
                self.interpreter, "-I", "-S", "-c", command, json.dumps(config),
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, cwd="/",
                env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                     "HOME": "/nonexistent"})
        finally:
            theirs.close()
        ours.setblocking(False)
        self.sock = ours
        loop.add_reader(ours.fileno(), self._on_readable)
        try:
            await asyncio.wait_for(asyncio.shield(self.ready), timeout)
        except (TimeoutError, ZygoteError) as error:
            await self.close()
            raise ZygoteError(f"the {self.interpreter} zygote did not start: {error}") from error

    def _on_readable(self) -> None:
        assert self.sock is not None
        while True:
            try:
                message = self.sock.recv(1 << 16)
            except BlockingIOError:
                return
            except OSError:
                message = b""
            if not message:
                self._on_eof()
                return
            self._dispatch(json.loads(message))

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "ready" in message and self.ready and not self.ready.done():
            self.ready.set_result(message["ready"])
        elif "exit" in message:
            future = self.exits.get(message["exit"])
            if future is not None and not future.done():
                future.set_result(ExitStatus(message["code"], message["signal"],
                                             message["maxrss_kb"]))
        elif "slot" in message:
            forked = self.preforks.pop(message["slot"], None)
            if forked is not None and not forked.done():
                forked.set_result(None)
        elif "sid" in message:
            waiter = self.pending.pop(message["sid"], None)
            if waiter is None or waiter.done():
                return
            if "error" in message:
                waiter.set_exception(ZygoteError(message["error"]))
            else:
                self.exits[message["pid"]] = asyncio.get_running_loop().create_future()
                waiter.set_result(message["pid"])

    def _on_eof(self) -> None:
        assert self.sock is not None
        asyncio.get_running_loop().remove_reader(self.sock.fileno())
        lost = ZygoteError("the zygote exited")
        for future in [*self.pending.values(), *self.preforks.values(), self.ready]:
            if future is not None and not future.done():
                future.set_exception(lost)
        for status in self.exits.values():
            if not status.done():
                status.set_result(ExitStatus(None, signal.SIGKILL))
        self.pending.clear()
        self.preforks.clear()
        self.exits.clear()
        self.sock.close()
        self.sock = None

    @property
    def alive(self) -> bool:
        return self.sock is not None

    async def prefork(self, slot: str, mode: str, cgroup_procs: list[str]) -> None:
        """Have a launcher forked (and moved into its cgroups) ahead of a cold start."""
        if self.sock is None:
            raise ZygoteError("the zygote is not running")
        forked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.preforks[slot] = forked
        message = {"op": "prefork", "slot": slot, "mode": mode, "cgroup_procs": cgroup_procs}
        self.sock.send(json.dumps(message).encode())
        await forked

    async def spawn(self, sid: str, cfg: dict[str, Any], fds: tuple[int, int],
                    slot: str | None = None) -> int:
        """Start a sandbox with (data socket, log pipe) as its fds, from a pre-forked
        launcher when ``slot`` names one; its host pid."""
        if self.sock is None:
            raise ZygoteError("the zygote is not running")
        waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.pending[sid] = waiter
        message = json.dumps({"op": "spawn", "sid": sid, "cfg": cfg, "slot": slot}).encode()
        socket.send_fds(self.sock, [message], list(fds))
        return await waiter

    def exited(self, pid: int) -> asyncio.Future[ExitStatus]:
        """Resolves when the sandbox with host pid ``pid`` ends (``forget`` it after)."""
        future = self.exits.get(pid)
        if future is None:  # the zygote is gone
            future = asyncio.get_running_loop().create_future()
            future.set_result(ExitStatus(None, signal.SIGKILL))
        return future

    def forget(self, pid: int) -> None:
        self.exits.pop(pid, None)

    async def close(self) -> None:
        if self.sock is not None:
            self._on_eof()
        if self.process is not None and self.process.returncode is None:
            try:
                await asyncio.wait_for(self.process.wait(), 2)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
