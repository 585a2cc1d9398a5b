"""Function URL configurations through boto3: Create/Get/Update/Delete/List and errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from tests.services.lambda_.conftest import error_of

URL = re.compile(r"^http://[a-z0-9]{32}\.lambda-url\.localhost:\d+/$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


def test_create_get_update_delete(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    created = lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert URL.match(created["FunctionUrl"])
    assert created["FunctionArn"] == ARN + name
    assert created["AuthType"] == "NONE" and created["InvokeMode"] == "BUFFERED"
    assert TIME.match(created["CreationTime"])
    assert "LastModifiedTime" not in created and "Cors" not in created
    got = lam.get_function_url_config(FunctionName=name)
    assert got["FunctionUrl"] == created["FunctionUrl"]
    assert got["CreationTime"] == created["CreationTime"]
    assert TIME.match(got["LastModifiedTime"])
    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["x-custom"], "ExposeHeaders": ["x-out"], "MaxAge": 300,
            "AllowCredentials": True}
    updated = lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM", Cors=cors)
    assert updated["AuthType"] == "AWS_IAM" and updated["Cors"] == cors
    assert updated["FunctionUrl"] == created["FunctionUrl"]  # a URL never changes
    assert updated["LastModifiedTime"] >= got["LastModifiedTime"]
    kept = lam.update_function_url_config(FunctionName=name)  # nothing given: unchanged
    assert kept["AuthType"] == "AWS_IAM" and kept["Cors"] == cors
    assert lam.get_function_url_config(FunctionName=ARN + name)["Cors"] == cors
    deleted = lam.delete_function_url_config(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    code, status, message = error_of(lambda: lam.get_function_url_config(FunctionName=name))
    assert (code, status, message) == ("ResourceNotFoundException", 404,
                                       "The resource you requested does not exist.")
    again = lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert again["FunctionUrl"] != created["FunctionUrl"]  # a new URL, a new id


def test_conflict_and_missing(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    code, status, message = error_of(
        lambda: lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM"))
    assert (code, status) == ("ResourceConflictException", 409)
    assert message == (f"Failed to create function url config for [functionArn = {ARN}{name}]."
                       " Error message:  FunctionUrlConfig exists for this Lambda function")
    for call in (lambda: lam.create_function_url_config(FunctionName="nope", AuthType="NONE"),
                 lambda: lam.get_function_url_config(FunctionName="nope"),
                 lambda: lam.update_function_url_config(FunctionName="nope"),
                 lambda: lam.delete_function_url_config(FunctionName="nope"),
                 lambda: lam.list_function_url_configs(FunctionName="nope")):
        code, status, message = error_of(call)
        assert (code, status, message) == ("ResourceNotFoundException", 404,
                                           f"Function not found: {ARN}nope")
    other = active()
    for call in (lambda: lam.update_function_url_config(FunctionName=other, AuthType="NONE"),
                 lambda: lam.delete_function_url_config(FunctionName=other)):
        code, status, message = error_of(call)
        assert (code, status, message) == ("ResourceNotFoundException", 404,
                                           "The resource you requested does not exist.")


def test_aliases_not_versions(lam: Any, active: Callable[..., str]) -> None:
    name = active(Publish=True)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    on_alias = lam.create_function_url_config(FunctionName=name, Qualifier="live",
                                              AuthType="AWS_IAM")
    assert on_alias["FunctionArn"] == f"{ARN}{name}:live"
    unqualified = lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert unqualified["FunctionUrl"] != on_alias["FunctionUrl"]
    assert lam.get_function_url_config(FunctionName=f"{name}:live")["AuthType"] == "AWS_IAM"
    for qualifier in ("1", "$LATEST"):
        code, status, message = error_of(partial(
            lam.create_function_url_config, FunctionName=name, Qualifier=qualifier,
            AuthType="NONE"))
        assert (code, status) == ("ValidationException", 400)
        assert f"Value '{qualifier}' at 'qualifier' failed to satisfy constraint" in message
    code, status, message = error_of(lambda: lam.create_function_url_config(
        FunctionName=name, Qualifier="missing", AuthType="NONE"))
    assert (code, status, message) == ("ResourceNotFoundException", 404,
                                       f"Function not found: {ARN}{name}:missing")
    listed = lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert sorted(c["FunctionArn"] for c in listed) == [ARN + name, f"{ARN}{name}:live"]
    assert all(TIME.match(c["LastModifiedTime"]) for c in listed)
    lam.delete_alias(FunctionName=name, Name="live")  # the alias's URL goes with it
    listed = lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert [c["FunctionArn"] for c in listed] == [ARN + name]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert error_of(lambda: lam.get_function_url_config(
        FunctionName=name, Qualifier="live"))[1] == 404


def test_deleted_with_function(lam: Any, active: Callable[..., str], create: Callable[..., Any]
                               ) -> None:
    name = active()
    lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    lam.delete_function(FunctionName=name)
    create(FunctionName=name)
    assert lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"] == []
    assert error_of(lambda: lam.get_function_url_config(FunctionName=name))[1] == 404


def test_list_pages(lam: Any, active: Callable[..., str]) -> None:
    name = active(Publish=True)
    for alias in ("a", "b", "c"):
        lam.create_alias(FunctionName=name, Name=alias, FunctionVersion="1")
        lam.create_function_url_config(FunctionName=name, Qualifier=alias, AuthType="NONE")
    first = lam.list_function_url_configs(FunctionName=name, MaxItems=2)
    assert len(first["FunctionUrlConfigs"]) == 2 and first["NextMarker"]
    second = lam.list_function_url_configs(FunctionName=name, MaxItems=2,
                                           Marker=first["NextMarker"])
    assert len(second["FunctionUrlConfigs"]) == 1 and "NextMarker" not in second
    arns = [c["FunctionArn"] for c in first["FunctionUrlConfigs"] +
            second["FunctionUrlConfigs"]]
    assert sorted(arns) == [f"{ARN}{name}:{a}" for a in ("a", "b", "c")]


def test_validation(unchecked: Any, active: Callable[..., str]) -> None:
    name = active()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"AuthType": "OPEN"}, "at 'authType' failed to satisfy constraint: Member must "
                               "satisfy enum value set: [NONE, AWS_IAM]"),
        ({"AuthType": "NONE", "InvokeMode": "FAST"}, "at 'invokeMode'"),
        ({"AuthType": "NONE", "Cors": {"MaxAge": 86401}},
         "at 'cors.maxAge' failed to satisfy constraint: Member must have value less than "
         "or equal to 86400"),
        ({"AuthType": "NONE", "Cors": {"AllowMethods": ["GET"] * 7}},
         "at 'cors.allowMethods' failed to satisfy constraint: Member must have length less "
         "than or equal to 6"),
        ({"AuthType": "NONE", "Cors": {"AllowOrigins": [""]}}, "at 'cors.allowOrigins'"),
    ]
    for params, expected in cases:
        code, status, message = error_of(
            partial(unchecked.create_function_url_config, FunctionName=name, **params))
        assert (code, status) == ("ValidationException", 400), params
        assert expected in message
    code, status, message = error_of(lambda: unchecked.list_function_url_configs(
        FunctionName=name, MaxItems=51))
    assert (code, status) == ("ValidationException", 400)
    code, status, message = error_of(lambda: unchecked.create_function_url_config(
        FunctionName=name, AuthType="NONE", InvokeMode="RESPONSE_STREAM"))
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "RESPONSE_STREAM" in message
    assert error_of(lambda: unchecked.get_function_url_config(FunctionName=name))[1] == 404


def test_permission_for_function_urls(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    added = lam.add_permission(FunctionName=name, StatementId="url", Principal="*",
                               Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE")
    assert '"lambda:FunctionUrlAuthType":"NONE"' in added["Statement"]
    via = lam.add_permission(FunctionName=name, StatementId="via", Principal="*",
                             Action="lambda:InvokeFunction", InvokedViaFunctionUrl=True)
    assert '"lambda:InvokedViaFunctionUrl":"true"' in via["Statement"]
    lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert set(lam.get_function(FunctionName=name)) >= {"Configuration", "Code"}
    assert "FunctionUrl" not in str(lam.get_function(FunctionName=name)["Configuration"])


def test_permission_auth_type_checked(unchecked: Any, active: Callable[..., str]) -> None:
    name = active()
    code, status, message = error_of(lambda: unchecked.add_permission(
        FunctionName=name, StatementId="url", Principal="*",
        Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="OPEN"))
    assert (code, status) == ("ValidationException", 400)
    assert "at 'functionUrlAuthType' failed to satisfy constraint" in message
