"""Limits: timeout, MemorySize, pids (fork bomb), EphemeralStorage (/tmp flood)."""

from __future__ import annotations

import pytest

from nubes.runtime.api import Outcome
from tests.runtime.conftest import Runtime, body

LOOP = "def handler(e, c):\n    while True:\n        pass\n"
ALLOCATE = """
def handler(event, context):
    hoard = []
    for _ in range(event["mb"]):
        hoard.append(bytearray(1024 * 1024))
    return len(hoard)
"""
FORK_BOMB = """
import os, time

def handler(event, context):
    children = 0
    for _ in range(5000):
        try:
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
            children += 1
        except OSError as error:
            return {"children": children, "error": error.strerror}
    return {"children": children, "error": None}
"""
FLOOD = """
import errno

def handler(event, context):
    written = 0
    try:
        with open("/tmp/flood", "wb") as f:
            while written < 200 * 1024 * 1024:
                f.write(b"x" * (1024 * 1024))
                f.flush()
                written += 1024 * 1024
    except OSError as error:
        return {"written_mb": written // (1024 * 1024), "errno": errno.errorcode[error.errno]}
    return {"written_mb": written // (1024 * 1024), "errno": None}
"""


def test_infinite_loop_times_out_and_the_sandbox_is_replaced(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": LOOP}, timeout_s=1.0)
    result = runtime.invoke(spec, tail=True)
    error = body(result)
    assert result.outcome is Outcome.TIMEOUT and result.function_error == "Unhandled"
    assert error["errorType"] == "Sandbox.Timedout"
    assert error["errorMessage"].endswith("Error: Task timed out after 1.00 seconds")
    assert 1000 <= result.duration_ms < 3000
    assert runtime.invoker.sandboxes(spec) == []
    assert runtime.invoke(spec).cold


def test_allocation_past_memory_size_is_killed(runtime: Runtime, namespaced: None) -> None:
    spec = runtime.function({"app.py": ALLOCATE}, memory_mb=128, timeout_s=10)
    assert body(runtime.invoke(spec, {"mb": 20})) == 20
    result = runtime.invoke(spec, {"mb": 400})
    error = body(result)
    assert result.outcome is Outcome.CRASH
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Runtime exited with error: signal: killed")
    assert result.max_memory_mb >= 120
    assert runtime.invoke(spec, {"mb": 1}).cold  # a fresh sandbox replaces it


def test_max_memory_used_is_read_after_each_invocation(runtime: Runtime,
                                                      namespaced: None) -> None:
    spec = runtime.function({"app.py": ALLOCATE}, memory_mb=256, timeout_s=10)
    first = runtime.invoke(spec, {"mb": 1})
    second = runtime.invoke(spec, {"mb": 80})  # the same sandbox, warm
    assert not second.cold and second.max_memory_mb >= first.max_memory_mb + 60


@pytest.mark.slow
def test_fork_bomb_stays_inside_its_sandbox(runtime: Runtime, namespaced: None) -> None:
    spec = runtime.function({"app.py": FORK_BOMB}, timeout_s=10, memory_mb=512)
    out = body(runtime.invoke(spec))
    limit = runtime.invoker.options.pids_limit
    assert out["error"] == "Resource temporarily unavailable" and out["children"] < limit
    other = runtime.function({"app.py": "def handler(e, c):\n    return 'fine'\n"})
    assert body(runtime.invoke(other)) == "fine"


def test_tmp_flood_stops_at_ephemeral_storage(runtime: Runtime, namespaced: None) -> None:
    spec = runtime.function({"app.py": FLOOD}, ephemeral_mb=16, memory_mb=256)
    out = body(runtime.invoke(spec))
    assert out == {"written_mb": 15, "errno": "ENOSPC"} or out["written_mb"] == 16
