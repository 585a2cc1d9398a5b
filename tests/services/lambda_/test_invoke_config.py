"""Asynchronous invocation configuration through boto3: Put, Update (merging), Get, List,
Delete, per qualifier; AWS's checks and errors; configurations gone with their function
or version; DeadLetterConfig accepted, returned and checked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from tests.services.lambda_.conftest import error_of

ACCOUNT = "000000000000"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:some-queue"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:some-topic"
BUS = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"


def _arn(name: str, qualifier: str = "$LATEST") -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}:{qualifier}"


def test_put_get_list_delete(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    put = lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=300,
        DestinationConfig={"OnSuccess": {"Destination": QUEUE},
                           "OnFailure": {"Destination": TOPIC}})
    assert put["FunctionArn"] == _arn(name)
    assert put["MaximumRetryAttempts"] == 1
    assert put["MaximumEventAgeInSeconds"] == 300
    assert put["DestinationConfig"] == {"OnSuccess": {"Destination": QUEUE},
                                        "OnFailure": {"Destination": TOPIC}}
    assert isinstance(put["LastModified"], datetime)
    got = lam.get_function_event_invoke_config(FunctionName=name)
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == {
        k: v for k, v in put.items() if k != "ResponseMetadata"}
    listed = lam.list_function_event_invoke_configs(FunctionName=name)
    assert [c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]] == [_arn(name)]
    deleted = lam.delete_function_event_invoke_config(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    code, status, message = error_of(lambda: lam.get_function_event_invoke_config(
        FunctionName=name))
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"The function {_arn(name)} doesn't have an EventInvokeConfig"
    assert lam.list_function_event_invoke_configs(
        FunctionName=name)["FunctionEventInvokeConfigs"] == []


def test_put_replaces_and_update_merges(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": QUEUE}})
    put = lam.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=120)
    assert "MaximumRetryAttempts" not in put  # Put drops what it does not name
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    updated = lam.update_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=2,
        DestinationConfig={"OnSuccess": {"Destination": BUS},
                           "OnFailure": {"Destination": TOPIC}})
    assert updated["MaximumRetryAttempts"] == 2
    assert updated["MaximumEventAgeInSeconds"] == 120  # kept
    assert updated["DestinationConfig"] == {"OnSuccess": {"Destination": BUS},
                                            "OnFailure": {"Destination": TOPIC}}
    kept = lam.update_function_event_invoke_config(FunctionName=name,
                                                   MaximumEventAgeInSeconds=600)
    assert kept["DestinationConfig"] == updated["DestinationConfig"]
    assert kept["MaximumRetryAttempts"] == 2
    cleared = lam.update_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": ""}})
    assert cleared["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}


def test_update_without_a_configuration(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    code, _, message = error_of(lambda: lam.update_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=1))
    assert code == "ResourceNotFoundException"
    assert message == f"The function {_arn(name)} doesn't have an EventInvokeConfig"
    code, _, _ = error_of(lambda: lam.delete_function_event_invoke_config(FunctionName=name))
    assert code == "ResourceNotFoundException"


def test_per_qualifier(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=2)
    lam.put_function_event_invoke_config(FunctionName=name, Qualifier=version,
                                         MaximumRetryAttempts=1)
    by_alias = lam.put_function_event_invoke_config(FunctionName=f"{name}:live",
                                                    MaximumRetryAttempts=0)
    assert by_alias["FunctionArn"] == _arn(name, "live")
    assert lam.get_function_event_invoke_config(
        FunctionName=name, Qualifier=version)["MaximumRetryAttempts"] == 1
    assert lam.get_function_event_invoke_config(
        FunctionName=name, Qualifier="live")["MaximumRetryAttempts"] == 0
    listed = lam.list_function_event_invoke_configs(FunctionName=name)
    assert sorted(c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]) == sorted(
        [_arn(name), _arn(name, version), _arn(name, "live")])
    first = lam.list_function_event_invoke_configs(FunctionName=name, MaxItems=2)
    assert len(first["FunctionEventInvokeConfigs"]) == 2
    rest = lam.list_function_event_invoke_configs(FunctionName=name, Marker=first["NextMarker"])
    assert len(rest["FunctionEventInvokeConfigs"]) == 1 and "NextMarker" not in rest
    lam.delete_alias(FunctionName=name, Name="live")
    lam.delete_function(FunctionName=name, Qualifier=version)
    for qualifier in (version, "live"):
        code, _, _ = error_of(lambda q=qualifier: lam.get_function_event_invoke_config(
            FunctionName=name, Qualifier=q))
        assert code == "ResourceNotFoundException"
    left = lam.list_function_event_invoke_configs(FunctionName=name)
    assert [c["FunctionArn"] for c in left["FunctionEventInvokeConfigs"]] == [_arn(name)]


def test_unknown_function_or_qualifier(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    for call in (
        lambda: lam.put_function_event_invoke_config(FunctionName="nope-nope",
                                                     MaximumRetryAttempts=1),
        lambda: lam.put_function_event_invoke_config(FunctionName=name, Qualifier="7",
                                                     MaximumRetryAttempts=1),
        lambda: lam.put_function_event_invoke_config(FunctionName=name, Qualifier="nosuch",
                                                     MaximumRetryAttempts=1),
        lambda: lam.list_function_event_invoke_configs(FunctionName="nope-nope"),
    ):
        assert error_of(call)[:3] == ("ResourceNotFoundException", 404,
                                      "The function doesn't exist.")
    code, _, message = error_of(lambda: lam.get_function_event_invoke_config(
        FunctionName="nope-nope"))
    assert code == "ResourceNotFoundException"
    assert message == f"The function {_arn('nope-nope')} doesn't have an EventInvokeConfig"


def test_gone_with_the_function(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    lam.delete_function(FunctionName=name)
    recreated = active(FunctionName=name)
    code, _, _ = error_of(lambda: lam.get_function_event_invoke_config(FunctionName=recreated))
    assert code == "ResourceNotFoundException"


@pytest.mark.parametrize(("member", "value", "message"), [
    ("MaximumRetryAttempts", 3, "1 validation error detected: Value '3' at "
     "'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than "
     "or equal to 2"),
    ("MaximumRetryAttempts", -1, "1 validation error detected: Value '-1' at "
     "'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater "
     "than or equal to 0"),
    ("MaximumEventAgeInSeconds", 59, "1 validation error detected: Value '59' at "
     "'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value "
     "greater than or equal to 60"),
    ("MaximumEventAgeInSeconds", 21601, "1 validation error detected: Value '21601' at "
     "'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value less "
     "than or equal to 21600"),
])
def test_ranges(unchecked: Any, active: Callable[..., str], member: str, value: int,
                message: str) -> None:
    name = active()
    code, status, said = error_of(lambda: unchecked.put_function_event_invoke_config(
        FunctionName=name, **{member: value}))
    assert (code, status, said) == ("ValidationException", 400, message)


def test_nothing_to_configure(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    for call in (lam.put_function_event_invoke_config, lam.update_function_event_invoke_config):
        code, status, message = error_of(lambda call=call: call(FunctionName=name))
        assert (code, status) == ("InvalidParameterValueException", 400)
        assert message == ("You must specify at least one of error handling or destination "
                           "setting.")


def test_destination_checks(lam: Any, unchecked: Any, active: Callable[..., str]) -> None:
    name, other = active(), active()
    bucket_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/t"
    code, _, message = error_of(lambda: lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": bucket_arn}}))
    assert code == "InvalidParameterValueException"
    assert message == (f"The provided destination config DestinationConfig(onSuccess=OnSuccess("
                       f"destination={bucket_arn}), onFailure=null) is invalid.")
    missing = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:not-there"
    assert error_of(lambda: lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": missing}})) == (
        "InvalidParameterValueException", 400, f"The destination ARN {missing} is invalid.")
    itself = lam.get_function_configuration(FunctionName=name)["FunctionArn"]
    assert error_of(lambda: lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": itself}})) == (
        "InvalidParameterValueException", 400,
        "You can't specify the function as a destination for itself.")
    code, _, message = error_of(lambda: unchecked.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": "not-an-arn"}}))
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'not-an-arn' at "
                              "'destinationConfig.onFailure.destination' failed to satisfy "
                              "constraint: Member must satisfy regular expression pattern: ")
    target = lam.get_function_configuration(FunctionName=other)["FunctionArn"]
    ok = lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": target}})
    assert ok["DestinationConfig"]["OnFailure"] == {"Destination": target}


def test_dead_letter_config(lam: Any, unchecked: Any, active: Callable[..., str],
                            create: Callable[..., dict[str, Any]]) -> None:
    created = create(DeadLetterConfig={"TargetArn": QUEUE})
    assert created["DeadLetterConfig"] == {"TargetArn": QUEUE}
    name = created["FunctionName"]
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    lam.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    updated = lam.update_function_configuration(FunctionName=name,
                                                DeadLetterConfig={"TargetArn": TOPIC})
    assert updated["DeadLetterConfig"] == {"TargetArn": TOPIC}
    lam.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    assert lam.get_function_configuration(
        FunctionName=name)["DeadLetterConfig"] == {"TargetArn": TOPIC}
    removed = lam.update_function_configuration(FunctionName=name,
                                                DeadLetterConfig={"TargetArn": ""})
    assert "TargetArn" not in removed.get("DeadLetterConfig", {})
    lam.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    table = "arn:aws:dynamodb:us-east-1:000000000000:table/t"
    code, _, _ = error_of(lambda: lam.update_function_configuration(
        FunctionName=name, DeadLetterConfig={"TargetArn": table}))
    assert code == "InvalidParameterValueException"
    code, _, message = error_of(lambda: unchecked.update_function_configuration(
        FunctionName=name, DeadLetterConfig={"TargetArn": "queue"}))
    assert code == "ValidationException"
    assert "'deadLetterConfig.targetArn'" in message
    code, _, _ = error_of(lambda: create(DeadLetterConfig={"TargetArn": table}))
    assert code == "InvalidParameterValueException"
