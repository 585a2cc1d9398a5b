"""The Linux system calls Python's ``os`` lacks (3.10/3.11): unshare, mount, capabilities.

The one place Nubes talks to libc through ctypes. Every call raises ``OSError`` with the
errno on failure.
"""

from __future__ import annotations

import ctypes
import functools
import os

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_SET_PDEATHSIG = 1

# Capabilities a sandboxed root must not keep: they would let it undo its mounts, leave
# its cgroup, load modules, trace other processes or open files by handle.
DROPPED_CAPABILITIES = (
    2,  # CAP_DAC_READ_SEARCH (open_by_handle_at)
    12,  # CAP_NET_ADMIN
    16,  # CAP_SYS_MODULE
    17,  # CAP_SYS_RAWIO
    18,  # CAP_SYS_CHROOT
    19,  # CAP_SYS_PTRACE
    21,  # CAP_SYS_ADMIN
    22,  # CAP_SYS_BOOT
    24,  # CAP_SYS_RESOURCE
    25,  # CAP_SYS_TIME
    27,  # CAP_MKNOD
)
_CAP_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL:
    # The process's own symbols: libc is already loaded (find_library would run ldconfig).
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


def unshare(flags: int) -> None:
    _check(_libc().unshare(ctypes.c_int(flags)))


def mount(source: str | None, target: str, fstype: str | None, flags: int = 0,
          data: str | None = None) -> None:
    def arg(value: str | None) -> bytes | None:
        return None if value is None else value.encode()

    _check(_libc().mount(arg(source), arg(target), arg(fstype), ctypes.c_ulong(flags),
                         arg(data)))


def prctl(option: int, value: int) -> None:
    _check(_libc().prctl(ctypes.c_int(option), ctypes.c_ulong(value), ctypes.c_ulong(0),
                         ctypes.c_ulong(0), ctypes.c_ulong(0)))


def sethostname(name: str) -> None:
    raw = name.encode()
    _check(_libc().sethostname(raw, ctypes.c_size_t(len(raw))))


def drop_capabilities(caps: tuple[int, ...] = DROPPED_CAPABILITIES) -> None:
    """Remove ``caps`` from the bounding set and the effective/permitted/inheritable sets."""
    libc = _libc()
    for cap in caps:
        prctl(PR_CAPBSET_DROP, cap)
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(libc.capget(ctypes.byref(header), ctypes.byref(data)))
    for cap in caps:
        word, bit = divmod(cap, 32)
        mask = ~(1 << bit) & 0xFFFFFFFF
        data[word].effective &= mask
        data[word].permitted &= mask
        data[word].inheritable &= mask
    _check(libc.capset(ctypes.byref(header), ctypes.byref(data)))
