"""Every way a function can fail, as a boto3 user sees it: AWS's status, headers and error
documents, and a next invocation that works because the broken sandbox was replaced."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server import NubesServer
from tests.services.lambda_.conftest import error_of, make_zip

Deploy = Callable[..., str]

RAISES = """
def handler(event, context):
    return inner(event)

def inner(event):
    raise KeyError("missing " + event["what"])
"""
EXITS = "import sys\n\ndef handler(event, context):\n    sys.exit(1)\n"
LOOPS_OR_ECHOES = """
def handler(event, context):
    while event.get("loop"):
        pass
    return "alive"
"""
ALLOCATES = """
def handler(event, context):
    hoard = [bytearray(1024 * 1024) for _ in range(event["mb"])]
    return len(hoard)
"""
FORK_BOMB = """
import os

def handler(event, context):
    if event.get("where"):
        return open("/proc/self/cgroup").read()
    while True:
        try:
            os.fork()
        except OSError:
            pass
"""
FLOOD = """
import errno, os

def handler(event, context):
    written = 0
    try:
        with open("/tmp/flood", "wb") as f:
            while True:
                f.write(b"x" * (1024 * 1024))
                f.flush()
                written += 1
    except OSError as error:
        size = os.statvfs("/tmp")
        return {"written_mb": written, "errno": errno.errorcode[error.errno],
                "tmp_mb": size.f_blocks * size.f_frsize // (1024 * 1024)}
"""
SLEEPS = """
import time

def handler(event, context):
    time.sleep(event["s"])
    return "slept"
"""


@pytest.fixture
def deploy(active: Callable[..., str]) -> Deploy:
    """deploy(source, **config) -> the name of an Active function running ``source``."""

    def make(source: str, **config: Any) -> str:
        return active(Code={"ZipFile": make_zip({"app.py": source})}, **config)

    return make


def invoke(lam: Any, name: str, event: Any = None) -> tuple[dict[str, Any], Any]:
    """(response, decoded payload) of a RequestResponse invocation."""
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}))
    return response, json.loads(response["Payload"].read())


def failed(lam: Any, name: str, event: Any = None) -> tuple[str, Any]:
    """The request id and error document of an invocation that must fail as Lambda does."""
    response, doc = invoke(lam, name, event)
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-function-error"] == "Unhandled"
    return response["ResponseMetadata"]["RequestId"], doc


def test_a_handler_that_raises(lam: Any, deploy: Deploy) -> None:
    name = deploy(RAISES)
    request_id, doc = failed(lam, name, {"what": "key"})
    assert doc["errorType"] == "KeyError" and doc["errorMessage"] == "'missing key'"
    assert doc["requestId"] == request_id
    trace = doc["stackTrace"]
    assert isinstance(trace, list) and all(isinstance(line, str) for line in trace)
    assert "in handler" in trace[0] and "in inner" in trace[-1]
    assert 'raise KeyError("missing " + event["what"])' in trace[-1]


def test_a_handler_that_calls_sys_exit(lam: Any, deploy: Deploy) -> None:
    name = deploy(EXITS)
    request_id, doc = failed(lam, name)
    assert doc == {"errorType": "Runtime.ExitError", "errorMessage":
                   f"RequestId: {request_id} Error: Runtime exited with error: exit status 1"}
    assert failed(lam, name)[1]["errorType"] == "Runtime.ExitError"  # a new sandbox, again


def test_sys_exit_at_import(lam: Any, deploy: Deploy) -> None:
    name = deploy("import sys\n\nsys.exit(2)\n")
    request_id, doc = failed(lam, name)
    assert doc == {"errorType": "Runtime.ExitError", "errorMessage":
                   f"RequestId: {request_id} Error: Runtime exited with error: exit status 2"}


def test_an_infinite_loop_times_out_and_the_next_invoke_works(lam: Any, deploy: Deploy
                                                               ) -> None:
    name = deploy(LOOPS_OR_ECHOES, Timeout=1)
    request_id, doc = failed(lam, name, {"loop": True})
    assert doc == {"errorType": "Sandbox.Timedout", "errorMessage":
                   f"RequestId: {request_id} Error: Task timed out after 1.00 seconds"}
    response, answer = invoke(lam, name)
    assert "FunctionError" not in response and answer == "alive"


def test_allocating_past_memory_size_is_killed_and_the_next_invoke_works(
        lam: Any, deploy: Deploy) -> None:
    name = deploy(ALLOCATES, MemorySize=128, Timeout=10)
    request_id, doc = failed(lam, name, {"mb": 400})
    assert doc == {"errorType": "Runtime.ExitError", "errorMessage":
                   f"RequestId: {request_id} Error: Runtime exited with error: signal: killed"}
    assert invoke(lam, name, {"mb": 8})[1] == 8


def _pids_group(cgroup_file: str) -> str:
    """The line naming the pids cgroup (v1) or the unified one (v2) of /proc/<pid>/cgroup."""
    lines = cgroup_file.splitlines()
    return next((line for line in lines if "pids" in line.split(":")[1].split(",")),
                next(line for line in lines if line.startswith("0::")))


def _members(group: str) -> list[int]:
    """Host processes in the cgroup that ``group`` (a /proc/<pid>/cgroup line) names."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and group in (entry / "cgroup").read_text().splitlines():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _eventually_empty(group: str, wait_s: float = 15.0) -> list[int]:
    deadline = time.monotonic() + wait_s
    while (left := _members(group)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.slow
def test_a_fork_bomb_stays_contained(lam: Any, deploy: Deploy,
                                     nubes_server: NubesServer) -> None:
    bystander = deploy(LOOPS_OR_ECHOES)
    bomb = deploy(FORK_BOMB, Timeout=2)
    group = _pids_group(invoke(lam, bomb, {"where": True})[1])
    assert _members(group) != []  # the warm sandbox, seen from the host
    request_id, doc = failed(lam, bomb)
    assert doc["errorType"] in ("Sandbox.Timedout", "Runtime.ExitError")
    assert doc["errorMessage"].startswith(f"RequestId: {request_id} Error: ")
    assert nubes_server.healthy()
    assert invoke(lam, bystander)[1] == "alive"
    assert _eventually_empty(group) == []


@pytest.mark.slow
def test_a_tmp_flood_stops_at_ephemeral_storage(lam: Any, deploy: Deploy) -> None:
    name = deploy(FLOOD, MemorySize=1024, EphemeralStorage={"Size": 512})
    response, out = invoke(lam, name)
    if "FunctionError" in response:  # killed rather than refused: just as contained
        assert out["errorType"] == "Runtime.ExitError"
        return
    assert out["errno"] == "ENOSPC" and out["tmp_mb"] == 512
    assert 500 <= out["written_mb"] <= 512  # a /tmp of its own, not the host's disk


@pytest.mark.parametrize(("files", "error_type", "message"), [
    ({"app.py": "def handler(event, context:\n    return 1\n"},
     "Runtime.UserCodeSyntaxError", "Syntax error in module 'app': "),
    ({"app.py": "import nope\n\ndef handler(event, context):\n    return 1\n"},
     "Runtime.ImportModuleError", "Unable to import module 'app': No module named 'nope'"),
    ({"app.py": "def other(event, context):\n    return 1\n"},
     "Runtime.HandlerNotFound", "Handler 'handler' missing on module 'app'"),
    ({"lib.py": "X = 1\n"},
     "Runtime.ImportModuleError", "Unable to import module 'app': No module named 'app'"),
])
def test_init_errors(lam: Any, active: Callable[..., str], files: dict[str, str],
                     error_type: str, message: str) -> None:
    name = active(Code={"ZipFile": make_zip(files)})
    _, doc = failed(lam, name)
    assert doc["errorType"] == error_type and doc["errorMessage"].startswith(message)
    assert isinstance(doc["stackTrace"], list)
    for _ in range(3):  # init is tried again each time, in a new sandbox
        assert failed(lam, name)[1]["errorType"] == error_type


def test_a_result_that_is_not_json(lam: Any, deploy: Deploy) -> None:
    name = deploy("def handler(event, context):\n    return {1, 2}\n")
    request_id, doc = failed(lam, name)
    assert doc == {"errorType": "Runtime.MarshalError", "requestId": request_id,
                   "errorMessage": "Unable to marshal response: Object of type set is not "
                                   "JSON serializable", "stackTrace": []}


def test_a_payload_over_6_mb_is_refused(lam: Any, deploy: Deploy) -> None:
    name = deploy(LOOPS_OR_ECHOES)
    payload = json.dumps({"blob": "x" * (6 * 1024 * 1024)})
    code, status, message = error_of(lambda: lam.invoke(FunctionName=name, Payload=payload))
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    assert message == ("Request must be smaller than 6291456 bytes for the InvokeFunction "
                       "operation")


def _invoke_or_throttle(lam: Any, name: str) -> str:
    try:
        return str(invoke(lam, name, {"s": 1.5})[1])
    except ClientError as error:
        response = error.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
        return str(response["Error"]["Code"])


@pytest.mark.slow
def test_concurrent_invokes_past_reserved_concurrency_are_throttled(
        lam: Any, deploy: Deploy) -> None:
    name = deploy(SLEEPS, Timeout=10)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: _invoke_or_throttle(lam, name), range(5)))
    assert answers.count("slept") >= 1
    assert answers.count("TooManyRequestsException") >= 1
    assert set(answers) == {"slept", "TooManyRequestsException"}
    assert invoke(lam, name, {"s": 0})[1] == "slept"
