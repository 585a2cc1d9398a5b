"""Functions through boto3 against a real server: create, states, read, update, delete."""

from __future__ import annotations

import base64
import hashlib
import urllib.request
from collections.abc import Callable
from functools import partial
from typing import Any

from tests.services.lambda_.conftest import HANDLER_SOURCE, ROLE, error_of, make_zip, new_name

FAST = {"Delay": 0.05, "MaxAttempts": 1200}


def test_create_answers_pending_then_becomes_active(lam: Any, create: Callable[..., Any]
                                                    ) -> None:
    package = make_zip({"app.py": HANDLER_SOURCE})
    created = create(Code={"ZipFile": package}, Description="echo",
                     Environment={"Variables": {"STAGE": "test"}}, Tags={"team": "a"})
    name = created["FunctionName"]
    assert created["State"] == "Pending"
    assert created["StateReasonCode"] == "Creating"
    assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert created["CodeSize"] == len(package)
    assert (created["Timeout"], created["MemorySize"]) == (3, 128)
    assert created["EphemeralStorage"] == {"Size": 512}
    assert created["PackageType"] == "Zip" and created["Architectures"] == ["x86_64"]
    assert created["Version"] == "$LATEST"
    assert created["Environment"] == {"Variables": {"STAGE": "test"}}
    lam.get_waiter("function_exists").wait(FunctionName=name, WaiterConfig=FAST)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig=FAST)
    got = lam.get_function(FunctionName=name)
    config = got["Configuration"]
    assert config["State"] == "Active" and config["LastUpdateStatus"] == "Successful"
    assert "StateReasonCode" not in config
    assert got["Tags"] == {"team": "a"}
    assert got["Code"]["RepositoryType"] == "S3"
    with urllib.request.urlopen(got["Code"]["Location"]) as response:
        assert response.read() == package
    assert lam.get_function_configuration(FunctionName=name)["Description"] == "echo"


def test_code_link_is_signed(lam: Any, active: Callable[..., str]) -> None:
    location = lam.get_function(FunctionName=active())["Code"]["Location"]
    forged = location.replace("Signature=", "Signature=0")
    try:
        urllib.request.urlopen(forged)
        raise AssertionError("a forged link was served")
    except urllib.error.HTTPError as error:
        assert error.code == 403


def test_names_partial_and_full_arns(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    for given in (name, f"000000000000:function:{name}", arn, f"{arn}:$LATEST"):
        assert lam.get_function_configuration(FunctionName=given)["FunctionName"] == name


def test_not_found_and_conflict(lam: Any, create: Callable[..., Any]) -> None:
    code, status, message = error_of(lambda: lam.get_function(FunctionName="nope-missing"))
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == ("Function not found: "
                       "arn:aws:lambda:us-east-1:000000000000:function:nope-missing")
    name = create()["FunctionName"]
    code, status, message = error_of(lambda: create(FunctionName=name))
    assert (code, status, message) == ("ResourceConflictException", 409,
                                       f"Function already exist: {name}")
    code, status, message = error_of(lambda: lam.get_function(FunctionName=name,
                                                              Qualifier="7"))
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message.endswith(f":function:{name}:7")


def test_invalid_parameters(unchecked: Any, create: Callable[..., Any]) -> None:
    code, status, message = error_of(lambda: create(Runtime="python2.7"))
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("The runtime parameter of python2.7 is no longer supported")
    assert error_of(lambda: create(Runtime="cobol9"))[0] == "InvalidParameterValueException"
    base = {"FunctionName": new_name(), "Runtime": "python3.12", "Role": ROLE,
            "Handler": "app.handler", "Code": {"ZipFile": make_zip({"app.py": "x = 1"})}}
    code, status, message = error_of(lambda: unchecked.create_function(**base, MemorySize=64))
    assert (code, status) == ("ValidationException", 400)
    assert message == ("1 validation error detected: Value '64' at 'memorySize' failed to "
                       "satisfy constraint: Member must have value greater than or equal to 128")
    small = {"Size": 100}
    assert error_of(lambda: unchecked.create_function(
        **base, EphemeralStorage=small))[0] == "ValidationException"
    assert error_of(lambda: create(MemorySize=10241))[0] == "ValidationException"
    assert error_of(lambda: create(Timeout=901))[0] == "ValidationException"
    assert error_of(lambda: create(Role="not-a-role"))[0] == "ValidationException"
    code, _, message = error_of(lambda: create(Code={"ZipFile": b"not a zip"}))
    assert code == "InvalidParameterValueException"
    assert message.startswith("Could not unzip uploaded file.")
    big = {"Variables": {"V": "x" * 5000}}
    code, _, message = error_of(lambda: create(Environment=big))
    assert code == "InvalidParameterValueException" and "exceeded the 4KB limit" in message


def test_unsafe_zips_are_refused(create: Callable[..., Any]) -> None:
    for package in (make_zip({"../evil.py": "x"}), make_zip({"/abs.py": "x"}),
                    make_zip({"app.py": "x"}, links={"etc": "../../etc"}),
                    make_zip({"app.py": "x"}, links={"root": "/"})):
        code, _, message = error_of(partial(create, Code={"ZipFile": package}))
        assert code == "InvalidParameterValueException"
        assert message.startswith("Could not unzip")


def test_code_from_s3(lam: Any, s3: Any, bucket: str, create: Callable[..., Any]) -> None:
    package = make_zip({"app.py": HANDLER_SOURCE})
    s3.put_object(Bucket=bucket, Key="code/app.zip", Body=package)
    created = create(Code={"S3Bucket": bucket, "S3Key": "code/app.zip"})
    assert created["CodeSize"] == len(package)
    code, _, message = error_of(lambda: create(Code={"S3Bucket": bucket, "S3Key": "missing"}))
    assert code == "InvalidParameterValueException"
    assert message == ("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error "
                       "Message: The specified key does not exist.")
    code, _, message = error_of(lambda: create(Code={"S3Bucket": "no-such-bucket-x",
                                                     "S3Key": "k"}))
    assert "S3 Error Code: NoSuchBucket" in message


def test_update_code_and_configuration(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    before = lam.get_function_configuration(FunctionName=name)
    new_code = make_zip({"app.py": HANDLER_SOURCE + "# v2\n"})
    updated = lam.update_function_code(FunctionName=name, ZipFile=new_code,
                                       RevisionId=before["RevisionId"])
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["CodeSha256"] != before["CodeSha256"]
    code, status, _ = error_of(lambda: lam.update_function_code(
        FunctionName=name, ZipFile=new_code, RevisionId=before["RevisionId"]))
    assert (code, status) in (("PreconditionFailedException", 412),
                              ("ResourceConflictException", 409))
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    config = lam.update_function_configuration(
        FunctionName=name, MemorySize=256, Timeout=10,
        Environment={"Variables": {"ALPHA": "1"}})
    assert config["LastUpdateStatus"] == "InProgress"
    assert (config["MemorySize"], config["Timeout"]) == (256, 10)
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    got = lam.get_function_configuration(FunctionName=name)
    assert got["LastUpdateStatus"] == "Successful"
    assert got["Environment"] == {"Variables": {"ALPHA": "1"}}
    code, status, message = error_of(lambda: lam.update_function_configuration(
        FunctionName=name, Timeout=5, RevisionId="stale"))
    assert (code, status) == ("PreconditionFailedException", 412)
    assert message.startswith("The Revision Id provided does not match")


def test_update_in_progress_conflicts(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    lam.update_function_configuration(FunctionName=name, Timeout=4)
    # The next update races the first one; if it lost the race it says why, as AWS does.
    try:
        lam.update_function_configuration(FunctionName=name, Timeout=5)
    except lam.exceptions.ResourceConflictException as error:
        assert "An update is in progress for resource" in str(error)


def test_dry_run_code_update_changes_nothing(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    before = lam.get_function_configuration(FunctionName=name)
    answer = lam.update_function_code(FunctionName=name, DryRun=True,
                                      ZipFile=make_zip({"app.py": "x = 1\n"}))
    assert answer["CodeSha256"] == before["CodeSha256"]
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] == \
        before["RevisionId"]


def test_list_functions_pages(lam: Any, create: Callable[..., Any]) -> None:
    prefix = new_name("list")
    names = sorted(create(FunctionName=f"{prefix}-{i}")["FunctionName"] for i in range(3))
    seen: list[str] = []
    marker: dict[str, str] = {}
    while True:
        page = lam.list_functions(MaxItems=2, **marker)
        seen += [f["FunctionName"] for f in page["Functions"]]
        if "NextMarker" not in page:
            break
        marker = {"Marker": page["NextMarker"]}
    assert [n for n in seen if n.startswith(prefix)] == names
    paginated = [f["FunctionName"] for p in lam.get_paginator("list_functions").paginate()
                 for f in p["Functions"]]
    assert set(names) <= set(paginated)


def test_delete_function_and_versions(lam: Any, active: Callable[..., str]) -> None:
    name = active(Publish=True)
    code, _, message = error_of(lambda: lam.delete_function(FunctionName=name,
                                                            Qualifier="$LATEST"))
    assert code == "InvalidParameterValueException"
    lam.delete_function(FunctionName=name, Qualifier="1")
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]
    assert lam.delete_function(FunctionName=name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lambda: lam.get_function(FunctionName=name))[1] == 404
    assert error_of(lambda: lam.delete_function(FunctionName=name))[1] == 404


def test_role_any_well_formed_arn(create: Callable[..., Any]) -> None:
    created = create(Role="arn:aws:iam::123456789012:role/service-role/x")
    assert created["Role"] == "arn:aws:iam::123456789012:role/service-role/x"
    assert ROLE
