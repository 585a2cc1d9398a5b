"""Turning a freshly forked zygote child into a sandbox, and running what it hosts.

``launch_namespaced`` (mode "namespace"): the forked launcher joins the sandbox's cgroups,
unshares mount/pid/ipc/uts namespaces and forks the sandbox's init (pid 1 there), which
mounts the sandbox's view of the file system (``view.py``), forks the function's process
(which drops to an unprivileged user) and reaps every child until that process ends, then
exits with its status (128+N for signal N).
``launch_plain`` (mode "process"): the child sets rlimits and becomes the function's
process. Either way the function's process runs ``run_function``: the Python runtime
or ``execve`` of a Runtime API client (node, a custom ``bootstrap``).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import io
import json
import os
import resource
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from . import lambda_runtime, linux, view

SDK_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
MB = 1024 * 1024


class SdkFinder(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: the runtime's boto3 family when the function has none."""

    def __init__(self, path: str) -> None:
        self.path = path

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if path is not None or fullname not in SDK_PACKAGES:
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, [self.path])


def _shadowed(roots: Sequence[str]) -> bool:
    """Whether the function's code or layers bring their own copy of the SDK."""
    for root in roots:
        for name in SDK_PACKAGES:
            if os.path.isdir(os.path.join(root, name)) or os.path.isfile(
                    os.path.join(root, name + ".py")):
                return True
    return False


def prepare_python(cfg: dict[str, Any]) -> None:
    """sys.path as Lambda's (task root, then /opt), the SDK shadowed by the function's."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    opt = cfg["opt_root"]
    roots = [cfg["task_root"], f"{opt}/python/lib/{version}/site-packages", f"{opt}/python"]
    sys.path[:0] = roots
    if _shadowed(roots):
        for name in list(sys.modules):
            if name.split(".")[0] in SDK_PACKAGES:
                del sys.modules[name]
    importlib.invalidate_caches()


def _redirect_stdio(log_fd: int) -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(line_buffering=True)


def run_function(cfg: dict[str, Any], data_fd: int, log_fd: int) -> int:
    """The function's process: environment, stdio, then the Python runtime or execve."""
    started = time.monotonic()
    _redirect_stdio(log_fd)
    # Nothing of the zygote's or the launcher's may leak into the function.
    os.closerange(3, data_fd)
    os.closerange(data_fd + 1, 1 << 16)
    os.environ.clear()
    os.environ.update(cfg["env"])
    time.tzset()
    try:
        os.chdir(cfg["task_root"])
        if cfg["kind"] == "exec":
            os.close(data_fd)
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            os.execve(cfg["argv"][0], cfg["argv"], cfg["env"])
    except OSError as error:  # the function's log says why its runtime never started
        print(f"Error: {error}", file=sys.stderr)
        return 1
    prepare_python(cfg)
    sock = socket.socket(fileno=data_fd)
    sock.setblocking(True)
    return lambda_runtime.run(sock, cfg["handler"], started)


def _join_cgroups(paths: Sequence[str]) -> None:
    for path in paths:
        with open(path, "w") as procs:
            procs.write(str(os.getpid()))


def _init(cfg: dict[str, Any], data_fd: int, log_fd: int) -> int:
    """pid 1 of the sandbox: mounts, the function's process, reaping until it ends."""
    os.setsid()
    linux.sethostname("localhost")
    view.mount_view(cfg)
    child = os.fork()
    if child == 0:
        code = 1
        try:
            # Init stays root to reap; the function gets no capability and no root uid,
            # so the owner bits of root's files (/etc/shadow) do not let it in either.
            linux.become(cfg["uid"], cfg["gid"])
            linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
            code = run_function(cfg, data_fd, log_fd)
        finally:
            os._exit(code)
    os.close(data_fd)
    os.close(log_fd)
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == child:
            if os.WIFSIGNALED(status):
                return 128 + os.WTERMSIG(status)
            return os.waitstatus_to_exitcode(status)


def launch_namespaced(cfg: dict[str, Any], data_fd: int, log_fd: int,
                      upward: socket.socket, report: Callable[[int], None]) -> int:
    """The launcher: namespaces, then fork pid 1 and ``report`` its pid upward."""
    linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWPID | linux.CLONE_NEWIPC
                  | linux.CLONE_NEWUTS)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            upward.close()
            code = _init(cfg, data_fd, log_fd)
        finally:
            os._exit(code)
    report(pid)
    return 0


def launch_spare(sock: socket.socket, mode: str, cgroup_procs: Sequence[str]) -> int:
    """A pre-forked launcher: join the cgroups now (slow: an RCU grace period per
    controller), then wait for the sandbox's config and fds, and launch it."""
    _join_cgroups(cgroup_procs)
    if mode == "namespace":  # ~40 credential changes (~0.15 ms): now, while nobody waits
        linux.forgo_capabilities_on_exec()
    message, fds, _flags, _addr = socket.recv_fds(sock, 1 << 20, 2)
    if not message:
        return 0  # discarded
    cfg = json.loads(message)
    data_fd, log_fd = fds[0], fds[1]

    def report(pid: int) -> None:
        sock.send(str(pid).encode())
        sock.close()

    if mode == "namespace":
        return launch_namespaced(cfg, data_fd, log_fd, sock, report)
    report(os.getpid())
    return launch_plain(cfg, data_fd, log_fd)


def launch_plain(cfg: dict[str, Any], data_fd: int, log_fd: int) -> int:
    """Mode "process": rlimits instead of cgroups and namespaces."""
    os.setsid()
    size = cfg["ephemeral_mb"] * MB
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    if cfg["kind"] == "python":
        with open("/proc/self/statm") as statm:
            base = int(statm.read().split()[0]) * resource.getpagesize()
        limit = base + cfg["memory_mb"] * MB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return run_function(cfg, data_fd, log_fd)


def reset_child_signals() -> None:
    """A forked child must not keep the zygote's SIGCHLD wake-up pipe or handlers."""
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)
