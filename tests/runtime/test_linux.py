"""The sandbox's system calls on their own: a read-only host, and leaving root for good."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable

import pytest

from nubes.runtime.bootstrap.nubes_py import linux

pytestmark = pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0,
                                reason="needs root on Linux")


def in_child(body: Callable[[], int]) -> int:
    """``body``'s exit code, run in a forked child with its own mount namespace."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            linux.unshare(linux.CLONE_NEWNS)
            linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
            code = body()
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def write_errno(path: str) -> int:
    try:
        with open(path, "w"):
            return 0
    except OSError as error:
        return error.errno or 0


@pytest.mark.parametrize("readonly", [linux.make_readonly, linux._remount_each_readonly],
                         ids=["mount_setattr", "remount each (before 5.12)"])
def test_the_host_turns_read_only(readonly: Callable[[str], None]) -> None:
    def body() -> int:
        readonly("/")
        return write_errno(f"/var/tmp/nubes-test-{os.getpid()}")

    assert in_child(body) == errno.EROFS
    assert not [n for n in os.listdir("/var/tmp") if n.startswith("nubes-test-")]


def test_become_leaves_no_capability() -> None:
    def body() -> int:
        linux.forgo_capabilities_on_exec()
        linux.become(993, 993)
        with open("/proc/self/status") as status:
            caps = [line for line in status if line.startswith("Cap")]
        left = [line for line in caps if int(line.split()[1], 16)]
        try:
            os.setuid(0)
        except PermissionError:
            return 1 if left else 0
        return 2

    assert in_child(body) == 0
