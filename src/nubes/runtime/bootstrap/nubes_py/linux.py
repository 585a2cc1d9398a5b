"""The Linux system calls Python's ``os`` lacks (3.10/3.11): unshare, mount, capabilities.

The one place Nubes talks to libc through ctypes. Every call raises ``OSError`` with the
errno on failure.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import re

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

AT_FDCWD = -100
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 0x1
_SYS_MOUNT_SETATTR = 442  # one number on every architecture (Linux 5.12+)
_ST_KEPT = os.ST_NOSUID | os.ST_NODEV | os.ST_NOEXEC  # == MS_NOSUID | MS_NODEV | MS_NOEXEC
_CAP_VERSION_3 = 0x20080522
_OCTAL = re.compile(r"\\([0-7]{3})")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


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
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


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


def make_readonly(root: str) -> None:
    """Make ``root`` and every mount below it read-only (in this mount namespace)."""
    attr = _MountAttr(MOUNT_ATTR_RDONLY, 0, 0, 0)
    result = _libc().syscall(ctypes.c_long(_SYS_MOUNT_SETATTR), ctypes.c_int(AT_FDCWD),
                             root.encode(), ctypes.c_uint(AT_RECURSIVE), ctypes.byref(attr),
                             ctypes.c_size_t(ctypes.sizeof(attr)))
    if result != 0 and ctypes.get_errno() == errno.ENOSYS:
        _remount_each_readonly(root)
        return
    _check(result)


def _mount_points(root: str) -> list[str]:
    prefix = root.rstrip("/") + "/"
    with open("/proc/self/mountinfo") as mountinfo:
        # Field 5 is the mount point, with space, tab, newline and backslash octal-escaped.
        points = [_OCTAL.sub(lambda m: chr(int(m[1], 8)), line.split()[4])
                  for line in mountinfo]
    return [p for p in points if p == root or p.startswith(prefix)]


def _remount_each_readonly(root: str) -> None:
    """Before Linux 5.12 (no mount_setattr): one bind remount per mount, keeping the
    nosuid/nodev/noexec flags a remount would otherwise clear."""
    for point in _mount_points(root):
        kept = os.statvfs(point).f_flag & _ST_KEPT
        mount(None, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | kept)


def forgo_capabilities_on_exec() -> None:
    """Empty the bounding and inheritable sets, so that no program exec'd from here on
    can gain a capability. Effective and permitted stay: the launcher still mounts."""
    for cap in range(64):
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except OSError as error:  # past the kernel's last capability
            if error.errno != errno.EINVAL:
                raise
            break
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc().capget(ctypes.byref(header), ctypes.byref(data)))
    data[0].inheritable = data[1].inheritable = 0
    _check(_libc().capset(ctypes.byref(header), ctypes.byref(data)))


def become(uid: int, gid: int) -> None:
    """Run as ``uid``:``gid`` with no supplementary groups. Leaving uid 0 clears the
    permitted, effective and ambient sets (no SECBIT_KEEP_CAPS); with the bounding and
    inheritable sets already empty (``forgo_capabilities_on_exec``), no capability is
    left anywhere."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
