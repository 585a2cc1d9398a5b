"""What a sandbox can see: its own code read-only, its own /tmp, its own processes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.runtime.conftest import Runtime, body
from tests.sandboxes import install_dirs_in_tmp

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
    # Not the neighbour's /tmp, nor the host's: only the way to the Nubes install, when
    # it lives under /tmp (bound back read-only so the runtime's modules stay importable).
    assert out["tmp"] == install_dirs_in_tmp()
    assert out["pid"] != 1 and max(out["pids"]) < 10  # its own pid namespace


def test_a_sandbox_cannot_undo_its_mounts(runtime: Runtime, namespaced: None,
                                          data_dir: Path) -> None:
    spec = runtime.function({"app.py": UMOUNT})
    tmp, task, data = body(runtime.invoke(spec, {"data": str(data_dir)}))
    assert tmp == task == 1  # EPERM: no CAP_SYS_ADMIN
    assert data in (1, 2)  # EPERM, or ENOENT when the data directory is itself under /tmp
PRIVILEGES = """
import decimal, os

def _attempt(action):
    try:
        action()
        return "ok"
    except OSError as error:
        return type(error).__name__

def _write(path):
    with open(path, "w") as f:
        f.write("x")

def handler(event, context):
    status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines()
                  if line.startswith("Cap"))
    return {
        "ids": [os.getuid(), os.geteuid(), os.getgid()], "groups": os.getgroups(),
        "caps": {name: int(value, 16) for name, value in status.items()},
        "shadow": _attempt(lambda: open("/etc/shadow").read()),
        "var_tmp": _attempt(lambda: _write("/var/tmp/from-a-function")),
        "etc": _attempt(lambda: _write("/etc/from-a-function")),
        "task": _attempt(lambda: _write("/var/task/new.py")),
        "tmp": _attempt(lambda: _write("/tmp/mine")),
        "tmp_owner": os.stat("/tmp").st_uid,
        "runtime_dir": os.environ["LAMBDA_RUNTIME_DIR"],
        "node_bootstrap": os.path.isfile("/var/runtime/node/bootstrap.js"),
        "stdlib": decimal.Decimal("1.5") * 2 == 3,  # imported after the drop, not preloaded
    }
"""
CUSTOM_PRIVILEGES = """#!/bin/sh
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
yes_no() { if "$@" 2>/dev/null; then echo '"ok"'; else echo '"denied"'; fi; }
OUT="{\\"uid\\": $(id -u), \\"shadow\\": $(yes_no cat /etc/shadow),
 \\"var_tmp\\": $(yes_no touch /var/tmp/from-a-function), \\"tmp\\": $(yes_no touch /tmp/mine)}"
while true; do
  ID=$(curl -sS -D - -o /dev/null "$API/invocation/next" \\
       | grep -i Lambda-Runtime-Aws-Request-Id | tr -d '[:space:]' | cut -d: -f2)
  curl -sS -X POST "$API/invocation/$ID/response" -d "$OUT" >/dev/null
done
"""


def test_a_function_runs_unprivileged_on_a_read_only_host(runtime: Runtime,
                                                          namespaced: None) -> None:
    out = body(runtime.invoke(runtime.function({"app.py": PRIVILEGES})))
    uid = runtime.invoker.launcher.options.sandbox_uid
    assert out["ids"] == [uid, uid, runtime.invoker.launcher.options.sandbox_gid]
    assert uid != 0 and out["groups"] == []
    assert out["caps"] == dict.fromkeys(("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"), 0)
    if Path("/etc/shadow").exists():
        assert out["shadow"] == "PermissionError"
    assert out["var_tmp"] == out["etc"] == out["task"] == "OSError"  # EROFS
    assert out["tmp"] == "ok" and out["tmp_owner"] == uid
    assert out["runtime_dir"] == "/var/runtime" and out["node_bootstrap"]
    assert out["stdlib"] is True
    assert not Path("/var/tmp/from-a-function").exists()


def test_a_custom_runtime_runs_unprivileged(runtime: Runtime, namespaced: None) -> None:
    if not shutil.which("curl"):
        pytest.skip("curl is not installed")
    spec = runtime.function({"bootstrap": CUSTOM_PRIVILEGES}, runtime="provided.al2023")
    out = body(runtime.invoke(spec))
    assert out == {"uid": runtime.invoker.launcher.options.sandbox_uid, "tmp": "ok",
                   "shadow": "denied" if Path("/etc/shadow").exists() else out["shadow"],
                   "var_tmp": "denied"}


def test_host_files_under_tmp_stay_reachable(runtime: Runtime, namespaced: None,
                                             tmp_path: Path) -> None:
    """As when Nubes is installed under /tmp, which each sandbox replaces with its own."""
    sdk = tmp_path / "site-packages"  # where the runtime finds boto3's family
    sdk.mkdir()
    (sdk / "six.py").write_text("WHERE = __file__\n")
    invoker = runtime.new_invoker(sdk_path=sdk)
    try:
        source = "import os, six\ndef handler(e, c):\n    return [six.WHERE, os.listdir('/tmp')]\n"
        spec = runtime.function({"app.py": source})
        where, listing = body(runtime.invoke(spec, invoker=invoker))
        assert where == str(sdk / "six.py")
        assert listing == [Path(sdk).parts[2]]  # only the way to it
    finally:
        runtime.loop.run(invoker.close())
