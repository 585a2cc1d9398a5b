"""Invoking Python functions through boto3 against a real server: payloads, errors, logs,
versions and weighted aliases, throttling, layers under /opt, waiters."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from tests.services.lambda_.conftest import error_of, make_zip, new_name

FAST = {"Delay": 0.05, "MaxAttempts": 1200}
APP = '''
import os

def handler(event, context):
    print("handling", event)
    if event.get("fail"):
        raise ValueError("boom")
    return {
        "event": event,
        "name": context.function_name,
        "version": context.function_version,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "stage": os.environ.get("STAGE"),
    }
'''


def _code(source: str = APP, **more: str) -> dict[str, bytes]:
    return {"ZipFile": make_zip({"app.py": source, **more})}


def _invoke(lam: Any, name: str, payload: Any = None, **kwargs: Any) -> tuple[Any, Any]:
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}), **kwargs)
    return answer, json.loads(answer["Payload"].read())


def test_round_trip(lam: Any, active: Callable[..., str]) -> None:
    name = active(Code=_code(), MemorySize=256, Environment={"Variables": {"STAGE": "dev"}})
    answer, body = _invoke(lam, name, {"hello": ["world", 1]})
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    assert answer["ExecutedVersion"] == "$LATEST"
    assert body["event"] == {"hello": ["world", 1]}
    assert body["name"] == name and body["version"] == "$LATEST"
    assert body["arn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert (body["memory"], body["stage"]) in ((256, "dev"), ("256", "dev"))


def test_function_error_and_log_tail(lam: Any, active: Callable[..., str]) -> None:
    name = active(Code=_code())
    answer, body = _invoke(lam, name, {"fail": True}, LogType="Tail")
    assert answer["StatusCode"] == 200
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorMessage"] == "boom" and body["errorType"] == "ValueError"
    assert isinstance(body["stackTrace"], list)
    tail = base64.b64decode(answer["LogResult"]).decode()
    assert "START RequestId:" in tail and "REPORT RequestId:" in tail
    assert "handling {'fail': True}" in tail


def test_config_change_reaches_new_invocations(lam: Any, active: Callable[..., str]) -> None:
    name = active(Code=_code(), Environment={"Variables": {"STAGE": "one"}})
    assert _invoke(lam, name)[1]["stage"] == "one"
    lam.update_function_configuration(FunctionName=name,
                                      Environment={"Variables": {"STAGE": "two"}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    assert _invoke(lam, name)[1]["stage"] == "two"
    lam.update_function_code(FunctionName=name, ZipFile=make_zip(
        {"app.py": "def handler(event, context):\n    return 'v2'\n"}))
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    assert _invoke(lam, name)[1] == "v2"


def test_versions_and_weighted_alias(lam: Any, active: Callable[..., str]) -> None:
    name = active(Code=_code(), Environment={"Variables": {"STAGE": "v1"}}, Publish=True)
    lam.update_function_configuration(FunctionName=name,
                                      Environment={"Variables": {"STAGE": "v2"}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    lam.publish_version(FunctionName=name)
    answer, body = _invoke(lam, name, Qualifier="1")
    assert answer["ExecutedVersion"] == "1" and body["stage"] == "v1"
    assert body["arn"].endswith(f"{name}:1")
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    executed: Counter[str] = Counter()
    for _ in range(40):
        answer, body = _invoke(lam, f"{name}:live")
        executed[answer["ExecutedVersion"]] += 1
        assert body["stage"] == f"v{answer['ExecutedVersion']}"
        assert body["arn"].endswith(f"{name}:live")
    assert executed["1"] > 0 and executed["2"] > 0


def test_reserved_concurrency_zero_throttles(lam: Any, active: Callable[..., str]) -> None:
    name = active(Code=_code())
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with_error = lam.exceptions.TooManyRequestsException
    try:
        lam.invoke(FunctionName=name, Payload=b"{}")
        raise AssertionError("not throttled")
    except with_error as error:
        response = error.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lam.delete_function_concurrency(FunctionName=name)
    assert _invoke(lam, name)[0]["StatusCode"] == 200


def test_layers_under_opt(lam: Any, active: Callable[..., str]) -> None:
    layer = lam.publish_layer_version(
        LayerName=new_name("layer"),
        Content={"ZipFile": make_zip({"python/helper.py": "VALUE = 42\n", "data.txt": "hi"})})
    source = ("import helper\n\ndef handler(event, context):\n"
              "    return [helper.VALUE, open('/opt/data.txt').read()]\n")
    name = active(Code=_code(source), Layers=[layer["LayerVersionArn"]])
    assert _invoke(lam, name)[1] == [42, "hi"]


def test_unsupported_runtime_named(lam: Any, create: Callable[..., Any]) -> None:
    code, _, message = error_of(lambda: create(Runtime="java21"))
    assert code == "InvalidParameterValueException"
    assert "java21" in message


def test_warm_invocations_follow_every_change(lam: Any, active: Callable[..., str]) -> None:
    """What an invocation runs is kept between invocations: each change must reach it."""
    name = active(Code=_code(), Environment={"Variables": {"STAGE": "v1"}}, Publish=True)
    assert _invoke(lam, name)[1]["stage"] == "v1"
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    assert error_of(lambda: _invoke(lam, name))[:2] == ("TooManyRequestsException", 429)
    lam.delete_function_concurrency(FunctionName=name)
    lam.update_function_configuration(FunctionName=name,
                                      Environment={"Variables": {"STAGE": "v2"}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert _invoke(lam, f"{name}:live")[1]["stage"] == "v1"
    lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    assert _invoke(lam, f"{name}:live")[1]["stage"] == "v2"
    lam.delete_function(FunctionName=name, Qualifier="1")
    assert error_of(lambda: _invoke(lam, name, Qualifier="1"))[0] == (
        "ResourceNotFoundException")
    lam.delete_function(FunctionName=name)
    assert error_of(lambda: _invoke(lam, name))[0] == "ResourceNotFoundException"
    active(FunctionName=name, Code=_code("def handler(event, context):\n    return 'new'\n"))
    assert _invoke(lam, name)[1] == "new"
