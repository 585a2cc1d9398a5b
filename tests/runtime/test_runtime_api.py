"""The Lambda Runtime API: custom runtimes, Node.js, and AWS's own awslambdaric."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nubes.runtime.api import Outcome
from tests.runtime.conftest import Runtime, body, tail_text

SHELL_BOOTSTRAP = """#!/bin/sh
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  ID=$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  ARN=$(grep -i Lambda-Runtime-Invoked-Function-Arn "$HEADERS" | tr -d '[:space:]' | cut -d: -f2-)
  DEADLINE=$(grep -i Lambda-Runtime-Deadline-Ms "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  echo "custom runtime got $EVENT"
  if [ "$EVENT" = '{"fail": true}' ]; then
    curl -sS -X POST -H "Lambda-Runtime-Function-Error-Type: Custom.Failure" \
      "$API/invocation/$ID/error" -d '{"errorMessage": "asked to", "errorType": "Custom.Failure"}'
  else
    BODY="{\\"echo\\": $EVENT, \\"id\\": \\"$ID\\", \\"arn\\": \\"$ARN\\""
    curl -sS -X POST "$API/invocation/$ID/response" -d "$BODY, \\"deadline\\": $DEADLINE}"
  fi
done
"""
INIT_FAILS = """#!/bin/sh
curl -sS -X POST -H "Lambda-Runtime-Function-Error-Type: Runtime.Custom" \
  "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/init/error" \
  -d '{"errorMessage": "cannot start", "errorType": "Runtime.Custom"}'
exit 1
"""
NODE_ASYNC = """
let count = 0;
exports.handler = async (event, context) => {
  count += 1;
  console.log("node got", JSON.stringify(event));
  if (event.fail) throw new TypeError("node failed");
  return { count, id: context.awsRequestId, name: context.functionName,
           memory: context.memoryLimitInMB, left: context.getRemainingTimeInMillis() > 0,
           root: process.env.LAMBDA_TASK_ROOT, uid: process.getuid() };
};
"""
NODE_CALLBACK = """
exports.handler = (event, context, callback) => {
  setTimeout(() => callback(null, { doubled: event.n * 2 }), 5);
};
"""


@pytest.fixture
def needs_curl() -> None:
    if not shutil.which("curl"):
        pytest.skip("curl is not installed")


def test_custom_runtime_speaks_the_runtime_api(runtime: Runtime, needs_curl: None) -> None:
    spec = runtime.function({"bootstrap": SHELL_BOOTSTRAP}, runtime="provided.al2023")
    first = runtime.invoke(spec, {"n": 1}, tail=True)
    out = body(first)
    assert first.cold and out["echo"] == {"n": 1} and out["arn"] == spec.arn
    assert len(out["id"]) == 36 and out["deadline"] > 0
    assert "custom runtime got {\"n\": 1}" in tail_text(first)
    second = runtime.invoke(spec, {"fail": True})
    assert not second.cold and second.outcome is Outcome.FUNCTION_ERROR
    assert body(second) == {"errorMessage": "asked to", "errorType": "Custom.Failure"}
    assert body(runtime.invoke(spec, {"n": 3}))["echo"] == {"n": 3}


def test_custom_runtime_init_error(runtime: Runtime, needs_curl: None) -> None:
    spec = runtime.function({"bootstrap": INIT_FAILS}, runtime="provided")
    result = runtime.invoke(spec)
    assert result.outcome is Outcome.INIT_ERROR and result.function_error == "Unhandled"
    assert body(result)["errorMessage"] == "cannot start"


def test_missing_bootstrap_is_an_exit_error(runtime: Runtime) -> None:
    spec = runtime.function({"readme.txt": "no bootstrap"}, runtime="provided.al2")
    result = runtime.invoke(spec)
    assert result.outcome is Outcome.CRASH
    assert body(result)["errorType"] == "Runtime.ExitError"


@pytest.fixture
def node(runtimes: dict[str, str]) -> str:
    found = [name for name in runtimes if name.startswith("nodejs")]
    if not found:
        pytest.skip("no node on this host")
    return found[-1]


def test_node_async_handler(runtime: Runtime, node: str) -> None:
    spec = runtime.function({"index.js": NODE_ASYNC}, runtime=node, handler="index.handler")
    first, second = runtime.invoke(spec, {"a": 1}), runtime.invoke(spec, {"a": 2})
    assert body(first)["count"] == 1 and body(second)["count"] == 2 and not second.cold
    assert body(first)["name"] == spec.name and body(first)["memory"] == "128"
    assert body(first)["left"] is True and body(first)["root"]
    if runtime.invoker.mode == "namespace":  # run as the unprivileged sandbox user
        assert body(first)["uid"] == runtime.invoker.launcher.options.sandbox_uid
    failed = runtime.invoke(spec, {"fail": True}, tail=True)
    assert failed.outcome is Outcome.FUNCTION_ERROR
    assert body(failed)["errorType"] == "TypeError"
    assert body(failed)["errorMessage"] == "node failed"
    assert "node got {\"fail\":true}" in tail_text(failed)


def test_node_callback_handler_and_missing_handler(runtime: Runtime, node: str) -> None:
    spec = runtime.function({"index.js": NODE_CALLBACK}, runtime=node, handler="index.handler")
    assert body(runtime.invoke(spec, {"n": 21})) == {"doubled": 42}
    missing = runtime.function({"index.js": NODE_CALLBACK}, runtime=node, handler="index.nope")
    result = runtime.invoke(missing)
    assert result.outcome is Outcome.INIT_ERROR
    assert body(result)["errorType"] == "Runtime.HandlerNotFound"


@pytest.fixture(scope="session")
def awslambdaric(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("awslambdaric")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
           "awslambdaric"]
    done = subprocess.run(pip, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"pip could not install awslambdaric: {done.stderr[-2000:]}")
    yield target


@pytest.mark.slow
def test_awslambdaric_as_a_custom_runtime(runtime: Runtime, awslambdaric: Path) -> None:
    python = Path(sys.executable).resolve()
    bootstrap = f"#!/bin/sh\nexec {python} -m awslambdaric app.handler\n"
    handler = ("import os\ndef handler(event, context):\n"
               "    print('ric got', event)\n"
               "    return {'event': event, 'id': context.aws_request_id,\n"
               "            'arn': context.invoked_function_arn,\n"
               "            'left': context.get_remaining_time_in_millis() > 0}\n")
    spec = runtime.function({"bootstrap": bootstrap, "app.py": handler},
                            runtime="provided.al2023", timeout_s=10)
    shutil.copytree(awslambdaric, spec.code_dir, dirs_exist_ok=True)
    spec.code_dir.chmod(0o755)  # copytree gave it pytest's 0700: the function user's too
    result = runtime.invoke(spec, {"x": 1}, tail=True)
    assert result.outcome is Outcome.SUCCESS, tail_text(result)
    out = body(result)
    assert out["event"] == {"x": 1} and out["arn"] == spec.arn and out["left"]
    assert "ric got {'x': 1}" in tail_text(result)
    assert body(runtime.invoke(spec, {"x": 2}))["event"] == {"x": 2}
