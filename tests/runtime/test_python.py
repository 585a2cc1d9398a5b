"""Python functions as a user sees them: cold and warm, context, environment, errors."""

from __future__ import annotations

import pytest

from nubes.runtime.api import Outcome
from tests.runtime.conftest import ACCOUNT, REGION, Runtime, body

COUNTER = """
import os, time
count = 0
started = time.time()

def handler(event, context):
    global count
    count += 1
    path = "/tmp/seen"
    seen = os.path.exists(path)
    open(path, "w").write("x")
    return {"count": count, "tmp_seen": seen, "pid": os.getpid()}
"""

INSPECT = """
import os

def handler(event, context):
    keys = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
            "_HANDLER", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "TZ",
            "LANG", "PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GREETING"]
    return {
        "env": {k: os.environ.get(k) for k in keys},
        "cwd": os.getcwd(),
        "context": {
            "aws_request_id": context.aws_request_id,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
        },
        "event": event,
    }
"""


def test_cold_then_warm_keeps_module_state_and_tmp(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": COUNTER})
    first = runtime.invoke(spec)
    second = runtime.invoke(spec)
    assert first.outcome is Outcome.SUCCESS and first.cold and first.init_ms
    assert body(first) == {"count": 1, "tmp_seen": False, "pid": body(first)["pid"]}
    assert not second.cold and second.init_ms is None
    assert body(second)["count"] == 2 and body(second)["tmp_seen"]
    assert body(second)["pid"] == body(first)["pid"]


def test_context_and_environment(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": INSPECT}, memory_mb=256, timeout_s=5,
                            environment={"GREETING": "hi", "AWS_REGION": "xx-fake-1"})
    result = runtime.invoke(spec, {"k": "v"})
    out = body(result)
    context, env = out["context"], out["env"]
    assert out["event"] == {"k": "v"}
    assert context["function_name"] == spec.name and context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == spec.arn
    assert context["memory_limit_in_mb"] == "256"
    assert context["log_group_name"] == f"/aws/lambda/{spec.name}"
    assert 4000 < context["remaining"] <= 5000
    assert len(context["aws_request_id"]) == 36
    assert env["AWS_REGION"] == REGION == env["AWS_DEFAULT_REGION"]  # reserved: not overridden
    assert env["GREETING"] == "hi" and env["_HANDLER"] == "app.handler"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12" and env["TZ"] == ":UTC"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == context["log_stream_name"]
    assert env["AWS_ACCESS_KEY_ID"] == f"AK{ACCOUNT}" and env["AWS_SECRET_ACCESS_KEY"]
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert "/opt/python" in env["PYTHONPATH"] and env["PATH"] and env["LD_LIBRARY_PATH"]
    assert env["LAMBDA_TASK_ROOT"] == out["cwd"]
    if runtime.invoker.mode == "namespace":
        assert env["LAMBDA_TASK_ROOT"] == "/var/task"


def test_handler_raises(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": "def handler(e, c):\n    raise ValueError('boom')\n"})
    result = runtime.invoke(spec)
    error = body(result)
    assert result.outcome is Outcome.FUNCTION_ERROR and result.function_error == "Unhandled"
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "boom"
    assert error["requestId"] and 'line 2, in handler' in error["stackTrace"][0]
    assert runtime.invoke(spec).outcome is Outcome.FUNCTION_ERROR  # the sandbox lives on
    assert not runtime.invoke(spec).cold


def test_sys_exit_is_a_runtime_exit_error(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": "import sys\ndef handler(e, c):\n    sys.exit(1)\n"})
    result = runtime.invoke(spec)
    error = body(result)
    assert result.outcome is Outcome.CRASH and result.function_error == "Unhandled"
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Runtime exited with error: exit status 1")
    assert runtime.invoke(spec).cold  # replaced


@pytest.mark.parametrize(("files", "error_type", "message"), [
    ({"app.py": "def handler(e, c:\n    pass\n"}, "Runtime.UserCodeSyntaxError",
     "Syntax error in module 'app'"),
    ({"app.py": "import nope_not_here\n"}, "Runtime.ImportModuleError",
     "Unable to import module 'app': No module named 'nope_not_here'"),
    ({"other.py": "x = 1\n"}, "Runtime.ImportModuleError",
     "Unable to import module 'app': No module named 'app'"),
    ({"app.py": "x = 1\n"}, "Runtime.HandlerNotFound", "Handler 'handler' missing on module 'app'"),
])
def test_init_errors(runtime: Runtime, files: dict[str, str], error_type: str,
                     message: str) -> None:
    spec = runtime.function(files)
    result = runtime.invoke(spec)
    error = body(result)
    assert result.outcome is Outcome.INIT_ERROR and result.function_error == "Unhandled"
    assert error["errorType"] == error_type and error["errorMessage"].startswith(message)
    assert runtime.invoker.sandboxes(spec) == []  # never handed to the next invocation


def test_unserializable_result_is_a_marshal_error(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": "def handler(e, c):\n    return {1, 2}\n"})
    error = body(runtime.invoke(spec))
    assert error["errorType"] == "Runtime.MarshalError"
    assert error["errorMessage"].startswith("Unable to marshal response: Object of type set")


def test_boto3_inside_reaches_nubes_as_the_functions_account(runtime: Runtime) -> None:
    code = ("import boto3\ns3 = boto3.client('s3')\n"
            "def handler(e, c):\n"
            "    creds = s3._request_signer._credentials\n"
            "    return [s3.meta.endpoint_url, s3.meta.region_name, creds.access_key]\n")
    result = runtime.invoke(runtime.function({"app.py": code}))
    assert body(result) == ["http://127.0.0.1:4566", REGION, f"AK{ACCOUNT}"]


def test_the_functions_own_boto3_wins(runtime: Runtime) -> None:
    files = {"boto3/__init__.py": "VERSION = 'vendored'\n",
             "app.py": "import boto3\ndef handler(e, c):\n    return boto3.VERSION\n"}
    assert body(runtime.invoke(runtime.function(files))) == "vendored"


@pytest.mark.slow
def test_every_python_runtime_on_this_host(runtime: Runtime, runtimes: dict[str, str]) -> None:
    code = ("import sys, boto3\n"
            "def handler(e, c):\n    return [sys.version_info[0], sys.version_info[1]]\n")
    pythons = [name for name in runtimes if name.startswith("python")]
    assert pythons
    for name in pythons:
        result = runtime.invoke(runtime.function({"app.py": code}, runtime=name))
        assert body(result) == [int(part) for part in name.removeprefix("python").split(".")]
