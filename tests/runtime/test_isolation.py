"""What a sandbox can see: its own code read-only, its own /tmp, its own processes."""

from __future__ import annotations

from pathlib import Path

from tests.runtime.conftest import Runtime, body

PROBE = """
import os

def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError as error:
        return type(error).__name__

def handler(event, context):
    out = {}
    for name, path in event["read"].items():
        out[name] = _read(path)
    try:
        os.listdir(event["list"])
        out["listing"] = sorted(os.listdir(event["list"]))
    except OSError as error:
        out["listing"] = type(error).__name__
    try:
        open("/var/task/new.txt", "w")
        out["write_code"] = "written"
    except OSError as error:
        out["write_code"] = type(error).__name__
    out["pid"] = os.getpid()
    out["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    out["tmp"] = sorted(os.listdir("/tmp"))
    open("/tmp/" + context.function_name, "w").write("mine")
    return out
"""
UMOUNT = """
import ctypes

def handler(event, context):
    libc = ctypes.CDLL(None, use_errno=True)
    results = []
    for target in (b"/tmp", b"/var/task", event["data"].encode()):
        rc = libc.umount2(target, 2)
        results.append(ctypes.get_errno() if rc else 0)
    return results
"""


def test_a_function_sees_neither_the_data_dir_nor_other_functions(
        runtime: Runtime, namespaced: None, data_dir: Path) -> None:
    neighbour = runtime.function({"app.py": "SECRET = 1\ndef handler(e, c):\n    return 1\n"})
    runtime.invoke(neighbour)  # leaves /tmp/<its name> in its own sandbox
    spec = runtime.function({"app.py": PROBE})
    event = {"read": {"secret": str(data_dir / "secret.txt"),
                      "neighbour": str(neighbour.code_dir / "app.py"),
                      "own": "/var/task/app.py"},
             "list": str(data_dir)}
    out = body(runtime.invoke(spec, event))
    assert out["secret"] in ("FileNotFoundError", "PermissionError")
    assert out["neighbour"] in ("FileNotFoundError", "PermissionError")
    assert out["own"].startswith("\nimport os")
    assert out["listing"] in ([], "PermissionError", "FileNotFoundError")
    assert out["write_code"] in ("OSError", "PermissionError")  # read-only file system
    assert out["tmp"] == []  # not the neighbour's /tmp, nor the host's
    assert out["pid"] != 1 and max(out["pids"]) < 10  # its own pid namespace


def test_a_sandbox_cannot_undo_its_mounts(runtime: Runtime, namespaced: None,
                                          data_dir: Path) -> None:
    spec = runtime.function({"app.py": UMOUNT})
    tmp, task, data = body(runtime.invoke(spec, {"data": str(data_dir)}))
    assert tmp == task == 1  # EPERM: no CAP_SYS_ADMIN
    assert data in (1, 2)  # EPERM, or ENOENT when the data directory is itself under /tmp
