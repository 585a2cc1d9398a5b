"""Cold starts: choosing the isolation mode, the zygotes, and starting one sandbox.

The mode is decided once: "namespace" when running as root on Linux with memory and pids
cgroups, else "process" (plain processes with rlimits); the choice is logged. Zygotes are
started lazily, one per interpreter; Runtime API sandboxes (Node.js, custom runtimes)
fork from the host interpreter's zygote and ``execve`` their runtime.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import logging
import os
import socket
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..errors import NubesError
from .api import FunctionSpec
from .cgroups import Cgroups, SandboxCgroup
from .channel import FrameChannel
from .confinement import Confinement, exposures
from .environment import SandboxPlan, exec_argv, opt_root, spawn_config
from .logs import stream_name
from .options import InvokerOptions, SandboxMode
from .runtime_api import ApiTransport, RuntimeApiServer
from .runtimes import RuntimeKind, available_runtimes, find_python, runtime_kind
from .sandbox import FrameTransport, Reply, Sandbox, Transport
from .zygote import BOOTSTRAP_DIR, ZygoteProcess

log = logging.getLogger(__name__)
TASK_ROOT = "/var/task"
RUNTIME_DIR = "/var/runtime"  # bootstrap/, where Lambda keeps its runtime's own files


@dataclass(frozen=True, slots=True)
class Spare:
    """A launcher forked ahead of need, already in its (fresh) cgroup."""

    slot: str
    cgroup: SandboxCgroup | None


class UnsupportedRuntime(NubesError):
    """The host has no interpreter for this runtime."""


def _sdk_path() -> str:
    """The site-packages holding this server's botocore (and, beside it, boto3's family)."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or spec.origin is None:
        raise NubesError("botocore is not installed")
    return str(Path(spec.origin).parent.parent)


def choose_mode(requested: SandboxMode | str, cgroups: Cgroups) -> SandboxMode:
    capable = sys.platform == "linux" and os.geteuid() == 0 and cgroups.available
    mode = SandboxMode(requested)
    if mode is SandboxMode.NAMESPACE and not capable:
        raise NubesError("sandbox mode 'namespace' needs root on Linux with memory and "
                         "pids cgroups")
    if mode is SandboxMode.AUTO:
        mode = SandboxMode.NAMESPACE if capable else SandboxMode.PROCESS
    return mode


class Launcher:
    def __init__(self, options: InvokerOptions) -> None:
        self.options = options
        self.runtimes = {**available_runtimes(), **options.extra_runtimes}
        self.cgroups = Cgroups(options.pids_limit)
        self.mode = choose_mode(options.sandbox_mode, self.cgroups)
        if self.mode is SandboxMode.NAMESPACE:
            for mount_point in (TASK_ROOT, RUNTIME_DIR):  # the host's / is read-only inside
                os.makedirs(mount_point, exist_ok=True)
            log.info("function sandboxes: namespaces (mount, pid, ipc, uts) and cgroup %s",
                     "v2" if self.cgroups.v2 else "v1")
        else:
            log.warning("function sandboxes: plain processes with rlimits (no namespaces "
                        "or cgroups: not root, or not Linux)")
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        self.host_python = find_python(version) or str(Path(sys.executable).resolve())
        self.zygotes: dict[str, ZygoteProcess] = {}
        self.spares: dict[str, list[Spare]] = {}  # per zygote interpreter
        self.refills: set[asyncio.Task[None]] = set()
        self.locks: dict[str, asyncio.Lock] = {}
        self.sdk_path = str(options.sdk_path or _sdk_path())
        self.confinement = self._confinement()

    def _confinement(self) -> Confinement:
        """Hidden: the data and work directories. Exposed: what a function legitimately
        reads outside its sandbox (interpreters, the boto3 family) if hidden from it."""
        options = self.options
        needed = [Path(self.sdk_path)]
        for interpreter in self.runtimes.values():
            if os.path.isabs(interpreter):  # not a custom runtime's "bootstrap"
                needed.append(Path(interpreter).resolve().parent.parent)  # bin/..
        hide = tuple(str(p) for p in (*options.hidden_paths, options.work_dir))
        return Confinement(hide, exposures(needed), options.sandbox_uid, options.sandbox_gid)

    def interpreter(self, spec: FunctionSpec) -> str:
        found = self.runtimes.get(spec.runtime)
        if found is None:
            supported = ", ".join(sorted(self.runtimes))
            raise UnsupportedRuntime(f"runtime {spec.runtime} is not available on this host "
                                     f"(available: {supported})")
        return found

    async def zygote(self, interpreter: str) -> ZygoteProcess:
        lock = self.locks.setdefault(interpreter, asyncio.Lock())
        async with lock:
            zygote = self.zygotes.get(interpreter)
            if zygote is None or not zygote.alive:
                zygote = ZygoteProcess(interpreter, {
                    "sdk_path": self.sdk_path,
                    "preload_clients": list(self.options.preload_clients)})
                await zygote.start()
                self.zygotes[interpreter] = zygote
            return zygote

    def _refill(self, interpreter: str, zygote: ZygoteProcess) -> None:
        """Keep ``options.spare_launchers`` launchers forked for the next cold starts."""
        spares = self.spares.setdefault(interpreter, [])
        if len(spares) + len(self.refills) >= self.options.spare_launchers:
            return
        task = asyncio.get_running_loop().create_task(self._prefork(spares, zygote))
        self.refills.add(task)
        task.add_done_callback(self.refills.discard)

    async def _prefork(self, spares: list[Spare], zygote: ZygoteProcess) -> None:
        slot = uuid.uuid4().hex[:20]
        namespaced = self.mode is SandboxMode.NAMESPACE
        cgroup = self.cgroups.create(slot, 128) if namespaced else None
        try:
            await zygote.prefork(slot, self.mode.value, cgroup.procs_files if cgroup else [])
        except Exception:
            log.exception("could not pre-fork a sandbox launcher")
            if cgroup is not None:
                cgroup.remove()
            return
        spares.append(Spare(slot, cgroup))

    def _slot(self, interpreter: str, memory_mb: int) -> tuple[str, SandboxCgroup | None,
                                                               str | None]:
        """(sandbox id, cgroup, spare slot): a spare's if one is ready, else new ones."""
        spares = self.spares.get(interpreter)
        if spares:
            spare = spares.pop()
            if spare.cgroup is not None:
                self.cgroups.set_memory(spare.cgroup, memory_mb)
            return spare.slot, spare.cgroup, spare.slot
        sid = uuid.uuid4().hex[:20]
        cgroup = (self.cgroups.create(sid, memory_mb)
                  if self.mode is SandboxMode.NAMESPACE else None)
        return sid, cgroup, None

    def _plan(self, spec: FunctionSpec, sid: str) -> SandboxPlan:
        namespaced = self.mode is SandboxMode.NAMESPACE
        tmp_dir = None
        if not namespaced:
            tmp = self.options.work_dir / "tmp" / sid
            tmp.mkdir(parents=True)
            tmp_dir = str(tmp)
        kind = runtime_kind(spec.runtime)
        return SandboxPlan(
            sid=sid, mode=self.mode.value,
            task_root=TASK_ROOT if namespaced else str(spec.code_dir),
            opt_root=opt_root(spec, self.mode.value), log_stream=stream_name(spec.version),
            runtime_dir=RUNTIME_DIR if namespaced else str(BOOTSTRAP_DIR),
            credentials=self.options.credentials_for(spec.account_id),
            endpoint_url=self.options.endpoint_url, tmp_dir=tmp_dir,
            python_version=spec.runtime.removeprefix("python")
            if kind is RuntimeKind.PYTHON else "")

    async def _transport(self, spec: FunctionSpec,
                         sock: socket.socket) -> tuple[Transport, str | None]:
        if runtime_kind(spec.runtime) is RuntimeKind.PYTHON:
            return FrameTransport(FrameChannel(sock)), None
        sock.close()
        server = await RuntimeApiServer.start(self.options.runtime_api_host, spec)
        return ApiTransport(server), server.address

    async def start(self, spec: FunctionSpec, request_id: str = ""
                    ) -> tuple[Sandbox, Reply | float]:
        """A new sandbox for ``spec``, with its init done: (sandbox, init ms or Reply);
        ``request_id`` names the invocation waiting for it in a failed init's Reply."""
        interpreter = self.interpreter(spec)
        python = runtime_kind(spec.runtime) is RuntimeKind.PYTHON
        zygote_interpreter = interpreter if python else self.host_python
        zygote = await self.zygote(zygote_interpreter)
        sid, cgroup, slot = self._slot(zygote_interpreter, spec.memory_mb)
        self._refill(zygote_interpreter, zygote)
        plan = self._plan(spec, sid)
        sandbox = Sandbox(spec, sid, plan.log_stream, plan.mode, cgroup,
                          Path(plan.tmp_dir) if plan.tmp_dir else None)
        ours, theirs = socket.socketpair()
        log_r, log_w = os.pipe()
        handed_over = False  # from then on, sandbox.start owns (and closes) the fds
        try:
            transport, address = await self._transport(spec, ours)
            plan = dataclasses.replace(plan, runtime_api=address)
            cfg = spawn_config(spec, plan, confine=self.confinement,
                               argv=[] if python else exec_argv(spec, plan, interpreter),
                               cgroup_procs=cgroup.procs_files if cgroup else [])
            handed_over = True
            outcome = await sandbox.start(zygote, cfg, (theirs.detach(), log_w), log_r,
                                          transport, self.options.init_timeout_s, slot,
                                          request_id)
        except BaseException:
            if not handed_over:
                os.close(log_r)
                os.close(log_w)
                theirs.close()
            await sandbox.close()
            raise
        return sandbox, outcome

    async def close(self) -> None:
        for task in list(self.refills):
            task.cancel()
        for zygote in self.zygotes.values():
            await zygote.close()  # spare launchers see EOF and exit
        self.zygotes.clear()
        groups = [s.cgroup for spares in self.spares.values() for s in spares if s.cgroup]
        self.spares.clear()
        for _ in range(100):
            groups = [group for group in groups if not group.remove()]
            if not groups:
                break
            for group in groups:
                group.kill()
            await asyncio.sleep(0.01)
        self.cgroups.close()

