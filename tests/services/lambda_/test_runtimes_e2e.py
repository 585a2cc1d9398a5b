"""Every runtime this host offers, created and invoked through boto3: each Python version,
Node.js (async and callback handlers) and custom runtimes whose ``bootstrap`` speaks the
Lambda Runtime API."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from nubes.runtime.runtimes import available_runtimes
from nubes.services.lambda_.runtimes import FALLBACK_RUNTIMES
from tests.services.lambda_.conftest import ROLE, error_of, make_zip, new_name

RUNTIMES = available_runtimes()
PYTHONS = sorted(name for name in RUNTIMES if name.startswith("python"))
NODES = sorted(name for name in RUNTIMES if name.startswith("nodejs"))

PYTHON_APP = """
import sys

def handler(event, context):
    return {"version": "%d.%d" % sys.version_info[:2], "event": event}
"""
NODE_ASYNC = """
let calls = 0;
exports.handler = async (event, context) => {
  calls += 1;
  if (event.fail) throw new TypeError("asked to fail");
  return { calls, event, id: context.awsRequestId, name: context.functionName,
           node: process.version };
};
"""
NODE_CALLBACK = """
exports.handler = (event, context, callback) => {
  if (event.fail) return callback(new RangeError("out of range"));
  setTimeout(() => callback(null, { doubled: event.n * 2 }), 5);
};
"""
SHELL_BOOTSTRAP = """#!/bin/sh
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  ID=$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  echo "shell runtime got $EVENT"
  curl -sS -X POST "$API/invocation/$ID/response" -d "{\\"shell\\": $EVENT}" > /dev/null
done
"""
PYTHON_BOOTSTRAP = """#!/usr/bin/env python3
import json, os, urllib.request

API = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]

def post(path, body, headers=None):
    request = urllib.request.Request(API + path, json.dumps(body).encode(), headers or {})
    urllib.request.urlopen(request).read()

while True:
    with urllib.request.urlopen(API + "/invocation/next") as answer:
        request_id = answer.headers["Lambda-Runtime-Aws-Request-Id"]
        arn = answer.headers["Lambda-Runtime-Invoked-Function-Arn"]
        event = json.loads(answer.read())
    if event.get("fail"):
        post("/invocation/%s/error" % request_id,
             {"errorMessage": "bootstrap refused", "errorType": "Custom.Refused"},
             {"Lambda-Runtime-Function-Error-Type": "Custom.Refused"})
    else:
        post("/invocation/%s/response" % request_id,
             {"event": event, "arn": arn, "handler": os.environ["_HANDLER"],
              "task_root": os.environ["LAMBDA_TASK_ROOT"]})
"""


def deploy(lam: Any, runtime: str, files: dict[str, str], handler: str = "app.handler"
           ) -> str:
    name = new_name(runtime.replace(".", "-"))
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                        Code={"ZipFile": make_zip(files)}, Timeout=10)
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    return name


def invoke(lam: Any, name: str, event: Any) -> tuple[dict[str, Any], Any]:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event))
    return response, json.loads(response["Payload"].read())


def test_the_host_offers_python_and_custom_runtimes() -> None:
    assert PYTHONS, "no Python interpreter found for any Lambda python runtime"
    assert {"provided", "provided.al2", "provided.al2023"} <= set(RUNTIMES)


@pytest.mark.parametrize("runtime", PYTHONS)
def test_every_python_runtime(lam: Any, runtime: str) -> None:
    name = deploy(lam, runtime, {"app.py": PYTHON_APP})
    assert lam.get_function(FunctionName=name)["Configuration"]["Runtime"] == runtime
    response, out = invoke(lam, name, {"n": 1})
    assert "FunctionError" not in response
    assert out == {"version": runtime.removeprefix("python"), "event": {"n": 1}}


@pytest.fixture(scope="module")
def node_runtime() -> str:
    if not NODES:
        pytest.skip("no node on this host")
    return NODES[-1]


def test_node_async_handler(lam: Any, node_runtime: str) -> None:
    name = deploy(lam, node_runtime, {"index.js": NODE_ASYNC}, "index.handler")
    response, first = invoke(lam, name, {"n": 1})
    assert "FunctionError" not in response
    assert first["event"] == {"n": 1} and first["name"] == name
    assert first["id"] == response["ResponseMetadata"]["RequestId"]
    assert invoke(lam, name, {})[1]["calls"] == 2  # warm: module state kept
    response, error = invoke(lam, name, {"fail": True})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "TypeError" and error["errorMessage"] == "asked to fail"
    assert isinstance(error["trace"], list) and error["trace"][0] == "TypeError: asked to fail"


def test_node_callback_handler(lam: Any, node_runtime: str) -> None:
    name = deploy(lam, node_runtime, {"index.js": NODE_CALLBACK}, "index.handler")
    assert invoke(lam, name, {"n": 21})[1] == {"doubled": 42}
    response, error = invoke(lam, name, {"fail": True})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "RangeError" and error["errorMessage"] == "out of range"


def test_a_python_bootstrap_speaks_the_runtime_api(lam: Any) -> None:
    name = deploy(lam, "provided.al2023", {"bootstrap": PYTHON_BOOTSTRAP}, "my.handler")
    response, out = invoke(lam, name, {"n": 1})
    assert "FunctionError" not in response
    assert out == {"event": {"n": 1}, "handler": "my.handler", "task_root": "/var/task",
                   "arn": f"arn:aws:lambda:us-east-1:000000000000:function:{name}"}
    response, error = invoke(lam, name, {"fail": True})
    assert response["FunctionError"] == "Unhandled"
    assert error == {"errorMessage": "bootstrap refused", "errorType": "Custom.Refused"}
    assert invoke(lam, name, {"n": 2})[1]["event"] == {"n": 2}


def test_a_shell_bootstrap_speaks_the_runtime_api(lam: Any) -> None:
    if not shutil.which("curl"):
        pytest.skip("curl is not installed")
    name = deploy(lam, "provided", {"bootstrap": SHELL_BOOTSTRAP})
    response = lam.invoke(FunctionName=name, Payload=b'{"n": 3}', LogType="Tail")
    assert json.loads(response["Payload"].read()) == {"shell": {"n": 3}}
    assert "FunctionError" not in response and "LogResult" in response


def test_a_runtime_the_host_lacks_is_refused_with_the_ones_it_has(lam: Any) -> None:
    missing = sorted(FALLBACK_RUNTIMES - set(RUNTIMES))
    if not missing:
        pytest.skip("this host has every runtime Nubes knows")
    code, status, message = error_of(lambda: deploy(lam, missing[0], {"app.py": PYTHON_APP}))
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert missing[0] in message and ", ".join(sorted(RUNTIMES)) in message


def test_a_bootstrap_that_exits_during_init(lam: Any) -> None:
    name = deploy(lam, "provided.al2023", {"bootstrap": "#!/bin/sh\nexit 3\n"})
    response, error = invoke(lam, name, {})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert error == {"errorType": "Runtime.ExitError", "errorMessage":
                     f"RequestId: {request_id} Error: Runtime exited with error: exit status 3"}


@pytest.mark.parametrize(("files", "error_type", "message"), [
    ({"index.js": "exports.handler = async (e => {"}, "Runtime.UserCodeSyntaxError",
     "SyntaxError: Unexpected end of input"),
    ({"other.js": "1;"}, "Runtime.ImportModuleError",
     "Error: Cannot find module 'index'\nRequire stack:\n- /var/runtime/index.mjs"),
])
def test_node_init_errors(lam: Any, node_runtime: str, files: dict[str, str],
                          error_type: str, message: str) -> None:
    name = deploy(lam, node_runtime, files, "index.handler")
    response, error = invoke(lam, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert (error["errorType"], error["errorMessage"]) == (error_type, message)
    assert error["trace"][0] == f"{error_type}: {message.splitlines()[0]}"
