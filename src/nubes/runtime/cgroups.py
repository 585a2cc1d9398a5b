"""One cgroup per sandbox: memory and pids limits, peak memory, clean-up (v1 and v2).

v1 (one hierarchy per controller): the sandbox's groups nest under the server's own
memory and pids groups (``/proc/self/cgroup``), so its memory stays charged wherever the
server's is. v2 (unified): under ``<mount>/nubes.<pid>`` with the memory and pids
controllers enabled, since a v2 group that holds processes cannot have children.
"""

from __future__ import annotations

import contextlib
import os
import signal
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024
CGROUP_ROOT = Path("/sys/fs/cgroup")


def _own_v1_path(controller: str) -> str | None:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _id, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return path
    return None


def _write(path: Path, value: str) -> None:
    path.write_text(value)


@dataclass(frozen=True, slots=True)
class SandboxCgroup:
    """The directories of one sandbox's cgroup (one per v1 controller, or one on v2)."""

    dirs: tuple[Path, ...]
    v2: bool

    @property
    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs]

    def open_peak_memory(self) -> int | None:
        """A descriptor of the peak memory file (for ``PeakMemory``), or None."""
        name = "memory.peak" if self.v2 else "memory.max_usage_in_bytes"
        for d in self.dirs:
            with contextlib.suppress(OSError):
                return os.open(d / name, os.O_RDONLY | os.O_CLOEXEC)
        return None

    def kill(self) -> None:
        """SIGKILL every process in the group."""
        for d in self.dirs:
            if self.v2 and (d / "cgroup.kill").exists():
                with contextlib.suppress(OSError):
                    _write(d / "cgroup.kill", "1")
                continue
            with contextlib.suppress(OSError):
                for pid in (d / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)

    def remove(self) -> bool:
        """Delete the group; False while processes remain in it."""
        done = True
        for d in self.dirs:
            try:
                d.rmdir()
            except FileNotFoundError:
                pass
            except OSError:
                done = False
        return done


class Cgroups:
    """Creates sandbox cgroups under a per-server parent; ``available`` says if it can."""

    def __init__(self, pids_limit: int) -> None:
        self.pids_limit = pids_limit
        self.parents: dict[str, Path] = {}
        self.v2 = False
        self.available = self._find_v1() or self._find_v2()

    def _find_v1(self) -> bool:
        for controller in ("memory", "pids"):
            own = _own_v1_path(controller)
            base = CGROUP_ROOT / controller
            if own is None or not (base / "cgroup.procs").exists():
                return False
            self.parents[controller] = base / own.lstrip("/") / f"nubes.{os.getpid()}"
        return all(os.access(p.parent, os.W_OK) for p in self.parents.values())

    def _find_v2(self) -> bool:
        for mount in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
            controllers = mount / "cgroup.controllers"
            if controllers.exists() and {"memory", "pids"} <= set(
                    controllers.read_text().split()):
                self.parents = {"unified": mount / f"nubes.{os.getpid()}"}
                self.v2 = True
                return os.access(mount, os.W_OK)
        return False

    def _ensure_parents(self) -> None:
        for parent in self.parents.values():
            if not parent.exists():
                parent.mkdir()
                if self.v2:
                    _write(parent / "cgroup.subtree_control", "+memory +pids")

    def create(self, sid: str, memory_mb: int) -> SandboxCgroup:
        self._ensure_parents()
        dirs = []
        for controller, parent in self.parents.items():
            d = parent / sid
            d.mkdir()
            dirs.append(d)
            if controller in ("memory", "unified"):
                self._limit_memory(d, memory_mb * MB)
            if controller in ("pids", "unified"):
                _write(d / "pids.max", str(self.pids_limit))
        return SandboxCgroup(tuple(dirs), self.v2)

    def set_memory(self, group: SandboxCgroup, memory_mb: int) -> None:
        """Change the memory limit of a group (a spare's, when it is given a function)."""
        for d in group.dirs:
            if (d / ("memory.max" if self.v2 else "memory.limit_in_bytes")).exists():
                self._limit_memory(d, memory_mb * MB)

    def _limit_memory(self, d: Path, limit: int) -> None:
        if self.v2:
            _write(d / "memory.max", str(limit))
            with contextlib.suppress(OSError):
                _write(d / "memory.swap.max", "0")
            return
        memsw = d / "memory.memsw.limit_in_bytes"
        files = [d / "memory.limit_in_bytes"] + ([memsw] if memsw.exists() else [])
        current = int(files[0].read_text())
        # memory+swap may never be below memory: raise it first, lower it last
        for path in (reversed(files) if limit > current else files):
            _write(path, str(limit))

    def close(self) -> None:
        """Remove the (now empty) parents."""
        for parent in self.parents.values():
            if not parent.exists():
                continue
            for child in parent.iterdir():
                if child.is_dir():
                    with contextlib.suppress(OSError):
                        child.rmdir()
            with contextlib.suppress(OSError):
                parent.rmdir()


class PeakMemory:
    """A sandbox cgroup's peak memory, read through a descriptor kept open: one pread per
    invocation (every REPORT line says it) rather than an open, reads and a close. Close
    it before removing the group."""

    def __init__(self, cgroup: SandboxCgroup) -> None:
        self.cgroup = cgroup
        self.fd: int | None = None

    def bytes(self) -> int:
        if self.fd is None:
            self.fd = self.cgroup.open_peak_memory()
        if self.fd is None:
            return 0
        try:
            return int(os.pread(self.fd, 64, 0))
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
