"""The zygote: one long-lived process per interpreter that forks sandboxes on request.

Started once by the invoker (``nubes.runtime.zygote``) as
``python -s -E -c 'import nubes_py.zygote as z; z.main()' CONFIG``. It imports the Python
runtime, json and boto3/botocore, builds a warm boto3 session (service models loaded),
freezes the heap for copy-on-write, then serves a SOCK_SEQPACKET control socket:

- ``{"op": "prefork", "slot", "mode", "cgroup_procs"}`` -> forks a launcher that joins
  the sandbox's cgroups ahead of need (moving a process between cgroups costs an RCU
  grace period, ~5 ms per controller), answers ``{"slot"}``;
- ``{"op": "spawn", "sid", "cfg", "slot"?}`` with two fds (data socket, log pipe) -> hands
  them to the slot's launcher (or one forked now), answers ``{"sid", "pid"}`` (or
  ``{"sid", "error"}``);
- when a sandbox's top process ends it sends ``{"exit": pid, "code", "signal", "maxrss_kb"}``.

It is a child subreaper, so a namespaced sandbox's init is reaped here after its launcher
exits, and it dies with the invoker (PDEATHSIG, or EOF on the control socket).
"""

from __future__ import annotations

import array
import gc
import json
import os
import selectors
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from typing import Any

from . import lambda_runtime, linux, sandbox

_MAX_MESSAGE = 1 << 20


def preload(cfg: dict[str, Any]) -> None:
    """Import what every sandbox would, so a fork pays none of it."""
    sys.meta_path.append(sandbox.SdkFinder(cfg["sdk_path"]))
    assert lambda_runtime.LambdaContext is not None
    try:
        import boto3
    except ImportError:
        return
    boto3.setup_default_session()
    for service in cfg.get("preload_clients", ()):
        # Loads the models, endpoint rules and retry config into the session's loader
        # cache; explicit dummy credentials and region leave nothing resolved behind.
        boto3.client(service, region_name="us-east-1", aws_access_key_id="x",
                     aws_secret_access_key="x")


class Zygote:
    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.selector = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()
        self.launchers: set[int] = set()
        self.spares: dict[str, socket.socket] = {}

    def _in_child(self, body: Callable[[], int]) -> None:
        """In a forked child: drop the zygote's plumbing, run ``body``, never return."""
        code = 127
        try:
            sandbox.reset_child_signals()
            self.selector.close()
            self.control.close()
            for spare in self.spares.values():
                spare.close()
            os.close(self.wake_r)
            os.close(self.wake_w)
            code = body()
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)

    def prefork(self, slot: str, mode: str, cgroup_procs: list[str]) -> None:
        """Fork a launcher ahead of need; it joins its cgroups while nobody waits."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            ours.close()
            self._in_child(lambda: sandbox.launch_spare(theirs, mode, cgroup_procs))
        theirs.close()
        if mode == "namespace":
            self.launchers.add(pid)
        self.spares[slot] = ours

    def spawn(self, cfg: dict[str, Any], data_fd: int, log_fd: int, slot: str | None) -> int:
        """Launch a sandbox from a pre-forked launcher (or one forked now): its pid."""
        if slot not in self.spares:
            slot = "now"
            self.prefork(slot, cfg["mode"], cfg["cgroup_procs"])
        with self.spares.pop(slot) as spare:
            socket.send_fds(spare, [json.dumps(cfg).encode()], [data_fd, log_fd])
            answer = spare.recv(64)
        if not answer:
            raise RuntimeError("the sandbox launcher failed (see the zygote's stderr)")
        return int(answer)

    def on_request(self) -> bool:
        fds = array.array("i")
        message, ancdata, _flags, _addr = self.control.recvmsg(
            _MAX_MESSAGE, socket.CMSG_SPACE(4 * fds.itemsize))
        if not message:
            return False
        for _level, _type, data in ancdata:
            fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
        request = json.loads(message)
        if request["op"] == "prefork":
            self.prefork(request["slot"], request["mode"], request["cgroup_procs"])
            self.control.send(json.dumps({"slot": request["slot"]}).encode())
            return True
        data_fd, log_fd = fds[0], fds[1]
        try:
            pid = self.spawn(request["cfg"], data_fd, log_fd, request.get("slot"))
            reply = {"sid": request["sid"], "pid": pid}
        except Exception as error:
            reply = {"sid": request["sid"], "error": f"{type(error).__name__}: {error}"}
        finally:
            os.close(data_fd)
            os.close(log_fd)
        self.control.send(json.dumps(reply).encode())
        return True

    def on_children(self) -> None:
        while True:
            try:
                os.read(self.wake_r, 512)
            except BlockingIOError:
                break
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.launchers:
                self.launchers.discard(pid)
                continue
            self.control.send(json.dumps(_exit_message(pid, status, usage.ru_maxrss)).encode())

    def serve(self) -> None:
        os.set_blocking(self.wake_w, False)
        os.set_blocking(self.wake_r, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda _sig, _frame: None)
        self.selector.register(self.control, selectors.EVENT_READ, "control")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "children")
        self.control.send(json.dumps({"ready": os.getpid()}).encode())
        while True:
            for key, _events in self.selector.select():
                if key.data == "children":
                    self.on_children()
                elif not self.on_request():
                    return


def _exit_message(pid: int, status: int, maxrss_kb: int) -> dict[str, Any]:
    code: int | None = None
    sig: int | None = None
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
    else:
        code = os.waitstatus_to_exitcode(status)
        if code > 128:  # a namespaced init reports its function's signal N as 128+N
            sig, code = code - 128, None
    return {"exit": pid, "code": code, "signal": sig, "maxrss_kb": maxrss_kb}


def main() -> None:
    cfg = json.loads(sys.argv[1])
    # Ctrl-C in a terminal reaches the whole process group; the server stops the zygotes
    # itself (and they die with it), so they take no part in it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    linux.prctl(linux.PR_SET_PDEATHSIG, int(signal.SIGKILL))
    linux.prctl(linux.PR_SET_CHILD_SUBREAPER, 1)
    preload(cfg)
    gc.collect()
    gc.freeze()  # the collector must not touch (and so copy) the zygote's objects
    control = socket.socket(fileno=cfg["control_fd"])
    control.setblocking(True)
    Zygote(control).serve()
