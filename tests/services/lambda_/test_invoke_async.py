"""Event invocations against a server of their own (retries after 0.3 s and 0.6 s):
queued durably (also while throttled, across a restart), retried twice on failure, run
to success."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from tests.server import NubesServer, client_factory, with_settings
from tests.services.lambda_.conftest import ROLE, make_zip, new_name

# Each attempt leaves an object in S3 (then sleeps if asked); the first two attempts fail.
FLAKY = '''
import os, time, boto3

def handler(event, context):
    s3 = boto3.client("s3")
    bucket, prefix = event["bucket"], event["prefix"]
    seen = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("KeyCount", 0)
    s3.put_object(Bucket=bucket, Key=f"{prefix}{seen}", Body=b"x")
    time.sleep(event.get("sleep", 0))
    if seen < event["fail_times"]:
        raise RuntimeError(f"attempt {seen} fails")
    return "ok"
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NubesServer]:
    data_dir = with_settings(tmp_path_factory.mktemp("async") / "data",
                             "lambda_async_retry_delays = [0.3, 0.6]\n")
    with NubesServer(data_dir) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: NubesServer) -> Callable[[str], Any]:
    return client_factory(server)


def _keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get(
        "Contents", [])]


def _wait_for(s3: Any, bucket: str, prefix: str, count: int) -> list[str]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        keys = _keys(s3, bucket, prefix)
        if len(keys) >= count:
            return keys
        time.sleep(0.05)
    return _keys(s3, bucket, prefix)


@pytest.fixture(scope="module")
def flaky(client: Callable[[str], Any]) -> tuple[str, str]:
    lam, s3 = client("lambda"), client("s3")
    bucket, name = new_name("bucket"), new_name("flaky")
    s3.create_bucket(Bucket=bucket)
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Timeout=30,
                        Code={"ZipFile": make_zip({"app.py": FLAKY})})
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    return name, bucket


def _event(lam: Any, name: str, payload: str) -> None:
    answer = lam.invoke(FunctionName=name, InvocationType="Event", Payload=payload)
    assert answer["StatusCode"] == 202
    assert answer["Payload"].read() == b""


def test_retried_until_success(client: Callable[[str], Any], flaky: tuple[str, str]) -> None:
    lam, s3 = client("lambda"), client("s3")
    name, bucket = flaky
    _event(lam, name, f'{{"bucket": "{bucket}", "prefix": "ok/", "fail_times": 2}}')
    assert len(_wait_for(s3, bucket, "ok/", 3)) == 3
    time.sleep(1.0)
    assert len(_keys(s3, bucket, "ok/")) == 3  # succeeded on the third: no fourth run


def test_given_up_after_two_retries(client: Callable[[str], Any], flaky: tuple[str, str]
                                    ) -> None:
    lam, s3 = client("lambda"), client("s3")
    name, bucket = flaky
    _event(lam, name, f'{{"bucket": "{bucket}", "prefix": "bad/", "fail_times": 99}}')
    assert len(_wait_for(s3, bucket, "bad/", 3)) == 3
    time.sleep(1.5)
    assert len(_keys(s3, bucket, "bad/")) == 3


def test_queued_events_survive_a_restart(server: NubesServer, client: Callable[[str], Any],
                                         flaky: tuple[str, str]) -> None:
    lam, s3 = client("lambda"), client("s3")
    name, bucket = flaky
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    blocker = threading.Thread(target=_quietly, args=(client("lambda"), name, json.dumps(
        {"bucket": bucket, "prefix": "blocker/", "fail_times": 0, "sleep": 25})))
    blocker.start()  # holds the one execution the function may have
    assert len(_wait_for(s3, bucket, "blocker/", 1)) == 1
    _event(lam, name, f'{{"bucket": "{bucket}", "prefix": "later/", "fail_times": 0}}')
    time.sleep(0.3)
    assert _keys(s3, bucket, "later/") == []
    server.kill()  # throttled: still queued when the process dies
    blocker.join()
    server.start()
    assert len(_wait_for(s3, bucket, "later/", 1)) == 1
    lam.delete_function_concurrency(FunctionName=name)


def _quietly(lam: Any, name: str, payload: str) -> None:
    """Invoke and wait; the server is killed meanwhile, which ends the call."""
    try:
        lam.invoke(FunctionName=name, Payload=payload)
    except (BotoCoreError, ClientError):
        pass


def test_legacy_invoke_async(client: Callable[[str], Any], flaky: tuple[str, str]) -> None:
    lam, s3 = client("lambda"), client("s3")
    name, bucket = flaky
    payload = f'{{"bucket": "{bucket}", "prefix": "legacy/", "fail_times": 0}}'
    assert lam.invoke_async(FunctionName=name, InvokeArgs=payload)["Status"] == 202
    assert len(_wait_for(s3, bucket, "legacy/", 1)) == 1
