"""``nubes invoke``, ``nubes logs`` and ``nubes functions`` against a running server, as a
user types them, with ``AWS_ENDPOINT_URL`` pointing at it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.server import NubesServer
from tests.services.lambda_.conftest import ROLE, make_zip, new_name

APP = """
def handler(event, context):
    print("cli says", event.get("word"))
    if event.get("fail"):
        raise ValueError("no such word")
    return {"heard": event.get("word")}
"""


def nubes(server: NubesServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUBES_", "AWS_"))}
    env["AWS_ENDPOINT_URL"] = server.endpoint
    return subprocess.run([sys.executable, "-m", "nubes", *args], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def function(make_client: Callable[..., Any]) -> str:
    lam = make_client("lambda")
    name = new_name("cli")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": make_zip({"app.py": APP})})
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 0.05})
    return name


def test_invoke_prints_the_response(nubes_server: NubesServer, function: str) -> None:
    done = nubes(nubes_server, "invoke", function, "--payload", '{"word": "hello"}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"heard": "hello"}


def test_invoke_exits_1_on_a_function_error(nubes_server: NubesServer, function: str
                                            ) -> None:
    done = nubes(nubes_server, "invoke", function, "--payload", '{"fail": true}')
    assert done.returncode == 1
    error = json.loads(done.stdout)
    assert (error["errorType"], error["errorMessage"]) == ("ValueError", "no such word")


def test_invoke_with_the_log_tail(nubes_server: NubesServer, function: str) -> None:
    done = nubes(nubes_server, "invoke", function, "--payload", '{"word": "tail"}', "--log")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "cli says tail" in lines and lines[-1] == '{"heard": "tail"}'
    assert any(line.startswith("REPORT RequestId: ") for line in lines)


def test_invoke_of_a_missing_function(nubes_server: NubesServer) -> None:
    done = nubes(nubes_server, "invoke", "no-such-function")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("nubes: ResourceNotFoundException: ")
    assert "Traceback" not in done.stderr


def test_logs_prints_the_functions_lines(nubes_server: NubesServer, function: str) -> None:
    assert nubes(nubes_server, "invoke", function, "--payload", '{"word": "logged"}'
                 ).returncode == 0
    done = nubes(nubes_server, "logs", function)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "cli says logged" in lines
    assert any(line.startswith("START RequestId: ") for line in lines)
    assert any(line.startswith("END RequestId: ") for line in lines)


def test_functions_lists_it(nubes_server: NubesServer, function: str) -> None:
    done = nubes(nubes_server, "functions")
    assert done.returncode == 0, done.stderr
    header, *rows = [line.split() for line in done.stdout.splitlines()]
    assert header == ["NAME", "RUNTIME", "MEMORY", "TIMEOUT", "STATE", "LAST", "MODIFIED"]
    assert [function, "python3.12", "128", "3", "Active"] in [row[:5] for row in rows]


def _lines_until(process: subprocess.Popen[str], wanted: str) -> list[str]:
    """The lines ``process`` prints, up to and including ``wanted`` (or its end)."""
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if lines[-1] == wanted:
            break
    return lines


@pytest.mark.slow
def test_logs_follow_prints_new_lines_as_they_come(
        nubes_server: NubesServer, function: str, make_client: Callable[..., Any]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUBES_", "AWS_"))}
    env["AWS_ENDPOINT_URL"] = nubes_server.endpoint
    with subprocess.Popen([sys.executable, "-m", "nubes", "logs", function, "--follow"],
                          env=env, stdout=subprocess.PIPE, text=True) as follower:
        try:
            make_client("lambda").invoke(FunctionName=function,
                                         Payload=json.dumps({"word": "followed"}))
            found = ThreadPoolExecutor(1).submit(_lines_until, follower, "cli says followed")
            assert found.result(timeout=30)[-1] == "cli says followed"
        finally:
            follower.terminate()
