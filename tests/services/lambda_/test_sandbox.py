"""Inside a function's sandbox, as a user sees it through boto3: warm reuse, the context and
Lambda's environment, boto3 reaching Nubes as the function's account, and isolation."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conftest import CREDENTIALS
from tests.sandboxes import install_dirs_in_tmp
from tests.server import NubesServer
from tests.services.lambda_.conftest import ROLE, make_zip, new_name

COUNTER = """
import os

COUNT = 0

def handler(event, context):
    global COUNT
    COUNT += 1
    with open("/tmp/visits", "a") as f:
        f.write("x")
    return {"count": COUNT, "visits": os.path.getsize("/tmp/visits"),
            "stream": context.log_stream_name}
"""
CONTEXT = """
import os

def handler(event, context):
    names = ("aws_request_id", "function_name", "function_version", "invoked_function_arn",
             "memory_limit_in_mb", "log_group_name", "log_stream_name")
    fields = {name: getattr(context, name) for name in names}
    fields["remaining"] = context.get_remaining_time_in_millis()
    return {"context": fields, "env": dict(os.environ)}
"""
BOTO3 = """
import boto3

def handler(event, context):
    s3 = boto3.client("s3")
    s3.put_object(Bucket=event["bucket"], Key="from-function", Body=b"written inside")
    return sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
"""
PROBE = """
import os

def attempt(action):
    try:
        return action()
    except OSError as error:
        return type(error).__name__

def handler(event, context):
    if "secret" in event:
        with open("/tmp/secret", "w") as f:
            f.write(event["secret"])
    return {
        "tmp": sorted(os.listdir("/tmp")),
        "task": sorted(os.listdir("/var/task")),
        "data_dir": attempt(lambda: sorted(os.listdir(event["data_dir"]))),
        "database": attempt(lambda: open(event["data_dir"] + "/nubes.db", "rb").read(16)),
        "other_code": attempt(lambda: sorted(os.listdir(event["other_code"]))),
        "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "write_task": attempt(lambda: open("/var/task/new.py", "w").write("x")),
        "chmod_task": attempt(lambda: os.chmod("/var/task/app.py", 0o777)),
    }
"""


def deploy(lam: Any, source: str, **config: Any) -> str:
    """The name of a new Active Python function running ``source`` (with lam's account)."""
    name = new_name()
    role = config.pop("Role", ROLE)
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                        Handler="app.handler", Code={"ZipFile": make_zip({"app.py": source})},
                        **config)
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    return name


def call(lam: Any, name: str, event: Any = None) -> Any:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}))
    assert "FunctionError" not in response, response["Payload"].read()
    return json.loads(response["Payload"].read())


def test_a_warm_sandbox_keeps_module_state_and_tmp(lam: Any) -> None:
    name = deploy(lam, COUNTER)
    answers = [call(lam, name) for _ in range(3)]
    assert [(a["count"], a["visits"]) for a in answers] == [(1, 1), (2, 2), (3, 3)]
    assert len({a["stream"] for a in answers}) == 1  # one sandbox, one log stream
    lam.update_function_configuration(FunctionName=name, Description="new config")
    lam.get_waiter("function_updated_v2").wait(FunctionName=name,
                                               WaiterConfig={"Delay": 0.05})
    assert call(lam, name)["count"] == 1  # a new configuration, a new sandbox


def test_the_context_and_lambdas_environment(lam: Any) -> None:
    name = deploy(lam, CONTEXT, MemorySize=256, Timeout=7,
                  Environment={"Variables": {"STAGE": "prod"}})
    response = lam.invoke(FunctionName=name, Payload=b"{}")
    out = json.loads(response["Payload"].read())
    context, env = out["context"], out["env"]
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert context["aws_request_id"] == response["ResponseMetadata"]["RequestId"]
    assert (context["function_name"], context["function_version"]) == (name, "$LATEST")
    assert context["invoked_function_arn"] == arn
    assert context["memory_limit_in_mb"] == "256"  # a str, as in awslambdaric
    assert context["log_group_name"] == f"/aws/lambda/{name}"
    assert 0 < context["remaining"] <= 7000
    assert env["STAGE"] == "prod"
    assert {key: env[key] for key in LAMBDA_VARIABLES} == {
        "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": context["log_stream_name"], "_HANDLER": "app.handler",
        "LAMBDA_TASK_ROOT": "/var/task", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "TZ": ":UTC"}
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"]
    assert context["log_stream_name"].split("/[$LATEST]")[1].isalnum()
    assert call(lam, f"{name}:$LATEST")["context"]["invoked_function_arn"] == f"{arn}:$LATEST"


LAMBDA_VARIABLES = ("AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "AWS_DEFAULT_REGION",
                    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "_HANDLER",
                    "LAMBDA_TASK_ROOT", "AWS_EXECUTION_ENV", "TZ")


@pytest.fixture(scope="module")
def other_account(nubes_server: NubesServer, make_client: Callable[..., Any]
                  ) -> dict[str, Any]:
    """A second account (made with ``nubes keys create``): its id and clients."""
    done = subprocess.run(
        [sys.executable, "-m", "nubes", "keys", "create", "--data-dir",
         str(nubes_server.data_dir)], capture_output=True, text=True, check=True)
    key = dict(line.split(None, 1) for line in done.stdout.splitlines() if line.strip())
    creds = {"aws_access_key_id": key["aws_access_key_id"],
             "aws_secret_access_key": key["aws_secret_access_key"]}
    return {"id": key["account_id"], "s3": make_client("s3", **creds),
            "lambda": make_client("lambda", **creds)}


def test_boto3_inside_reaches_nubes_as_the_functions_account(
        other_account: dict[str, Any], s3: Any, bucket: str) -> None:
    theirs = f"theirs-{uuid.uuid4().hex[:12]}"
    other_account["s3"].create_bucket(Bucket=theirs)
    lam = other_account["lambda"]
    role = f"arn:aws:iam::{other_account['id']}:role/lambda-role"
    name = deploy(lam, BOTO3, Role=role, Timeout=30)
    assert call(lam, name, {"bucket": theirs}) == [theirs]  # not the test account's buckets
    got = other_account["s3"].get_object(Bucket=theirs, Key="from-function")
    assert got["Body"].read() == b"written inside"
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"bucket": bucket}))
    assert response["FunctionError"] == "Unhandled"  # another account's bucket
    assert "AccessDenied" in json.loads(response["Payload"].read())["errorMessage"]
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


UNREADABLE = ("FileNotFoundError", "PermissionError")


@pytest.fixture(scope="module")
def home_server() -> Iterator[NubesServer]:
    """A server whose data directory is outside /tmp, as a real one is (the session's is
    under /tmp, which every sandbox replaces with its own anyway)."""
    parent = Path(tempfile.mkdtemp(prefix="nubes-test-", dir="/var/tmp"))
    try:
        with NubesServer(parent / "data") as server:
            yield server
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def test_a_function_sees_only_its_own_code_and_tmp(home_server: NubesServer) -> None:
    lam = boto3.client("lambda", endpoint_url=home_server.endpoint, region_name="us-east-1",
                       **CREDENTIALS)
    data_dir = str(home_server.data_dir)
    event = {"data_dir": data_dir, "other_code": f"{data_dir}/lambda/code"}
    first, second = deploy(lam, PROBE), deploy(lam, PROBE + "\nSECOND = True\n")
    mine = call(lam, first, {**event, "secret": "first's"})
    theirs = call(lam, second, event)
    install = install_dirs_in_tmp()  # Nubes under /tmp is bound back into every /tmp
    assert mine["tmp"] == sorted(["secret", *install]) and theirs["tmp"] == install
    assert theirs["task"] == ["app.py"]
    for out in (mine, theirs):
        assert out["data_dir"] in ([], *UNREADABLE)
        assert out["database"] in UNREADABLE and out["other_code"] in UNREADABLE
        assert out["processes"][0] == 1 and len(out["processes"]) <= 3  # its own pid space
    assert out["write_task"] == "OSError" and out["chmod_task"] == "OSError"  # read-only


PRIVILEGES = """
import os

def attempt(action):
    try:
        action()
        return "ok"
    except OSError as error:
        return type(error).__name__

def write(path):
    with open(path, "w") as f:
        f.write("x")

def handler(event, context):
    return {
        "uid": os.getuid(),
        "shadow": attempt(lambda: open("/etc/shadow").read()),
        "var_tmp": attempt(lambda: write("/var/tmp/from-a-function")),
        "etc": attempt(lambda: write("/etc/from-a-function")),
        "task": attempt(lambda: write("/var/task/new.py")),
        "tmp": attempt(lambda: write("/tmp/mine")),
    }
"""


def test_a_function_runs_unprivileged_on_a_read_only_host(home_server: NubesServer) -> None:
    lam = boto3.client("lambda", endpoint_url=home_server.endpoint, region_name="us-east-1",
                       **CREDENTIALS)
    out = call(lam, deploy(lam, PRIVILEGES))
    assert out["uid"] != 0
    if Path("/etc/shadow").exists():
        assert out["shadow"] == "PermissionError"
    assert out["var_tmp"] == out["etc"] == out["task"] == "OSError"  # read-only file system
    assert out["tmp"] == "ok"
    assert not Path("/var/tmp/from-a-function").exists()
