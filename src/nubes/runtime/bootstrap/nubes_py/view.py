"""The file system a namespaced sandbox sees, mounted by its init in its own namespace.

The host's file system is read-only. Over it: the function's code at ``/var/task``, its
layers at ``/opt``, the runtime's own files (``nubes/runtime/bootstrap``) at
``/var/runtime`` as on Lambda, private tmpfs mounts at ``/tmp`` and ``/dev/shm``, a fresh
``/proc``, an empty ``/sys``, the data directory hidden, and the host paths the
unprivileged function user could not reach otherwise bound back read-only (see
``nubes.runtime.confinement``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from . import linux

RUNTIME_DIR = "/var/runtime"
REPLACED = ("/tmp", "/dev/shm")  # as in nubes.runtime.confinement: mounted afresh
_SAFE = linux.MS_NOSUID | linux.MS_NODEV


def _bind_readonly(source: str, target: str) -> None:
    linux.mount(source, target, None, linux.MS_BIND | linux.MS_REC)
    linux.mount(None, target, None, linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY
                | _SAFE)


def _mount_opt(layers: Sequence[str]) -> None:
    if len(layers) == 1:
        _bind_readonly(layers[0], "/opt")
    elif layers:  # the last layer wins, as Lambda extracts them in order
        lower = ":".join(reversed(layers))
        linux.mount("overlay", "/opt", "overlay", linux.MS_RDONLY, f"lowerdir={lower}")
    else:
        linux.mount("tmpfs", "/opt", "tmpfs", linux.MS_RDONLY, "size=4k,mode=755")


def _open_exposed(expose: Sequence[Sequence[str]]) -> list[tuple[str, str, int]]:
    """(cover, path, fd): each path held open before its cover hides it."""
    return [(cover, path, os.open(path, os.O_PATH | os.O_DIRECTORY))
            for cover, path in expose]


def _make_dirs(path: str) -> None:
    """``os.makedirs`` at a tenth of its cost (it matters: this runs on every cold start)."""
    place = ""
    for part in path.strip("/").split("/"):
        place += "/" + part
        try:
            os.mkdir(place, 0o755)
        except FileExistsError:
            pass


def _expose(opened: Sequence[tuple[str, str, int]]) -> None:
    """Bind each path back at its own place under its cover: the sandbox's /tmp (or
    /dev/shm), or a tmpfs over a directory others may not enter, read-only once filled."""
    covers = {cover for cover, _path, _fd in opened if cover not in REPLACED}
    for cover in covers:
        linux.mount("tmpfs", cover, "tmpfs", _SAFE, "size=4k,mode=755")
    for _cover, path, fd in opened:
        _make_dirs(path)
        _bind_readonly(f"/proc/self/fd/{fd}", path)  # the host /proc is still mounted
        os.close(fd)
    for cover in covers:
        linux.mount(None, cover, None, linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY
                    | _SAFE)


def mount_view(cfg: dict[str, Any]) -> None:
    """The sandbox's file system (see the module's docstring)."""
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    opened = _open_exposed(cfg["expose"])
    # First, so that only the host's mounts turn read-only, not the sandbox's own.
    linux.make_readonly("/")
    _bind_readonly(cfg["code_dir"], "/var/task")
    _bind_readonly(cfg["bootstrap_dir"], RUNTIME_DIR)
    _mount_opt(cfg["layer_dirs"])
    for path in cfg["hide"]:
        if os.path.isdir(path):
            linux.mount("tmpfs", path, "tmpfs", linux.MS_RDONLY, "size=4k,mode=000")
    owner = f"uid={cfg['uid']},gid={cfg['gid']}"
    linux.mount("tmpfs", "/tmp", "tmpfs", _SAFE,
                f"size={cfg['ephemeral_mb']}m,mode=1777,{owner}")
    if os.path.isdir("/dev/shm"):
        linux.mount("tmpfs", "/dev/shm", "tmpfs", _SAFE, "size=64m,mode=1777")
    _expose(opened)
    linux.mount("proc", "/proc", "proc", _SAFE | linux.MS_NOEXEC)
    linux.mount("tmpfs", "/sys", "tmpfs", linux.MS_RDONLY, "size=4k,mode=555")
