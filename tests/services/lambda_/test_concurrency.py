"""Reserved concurrency, account settings and tags through boto3."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.services.lambda_.conftest import error_of


def test_reserved_concurrency(lam: Any, create: Callable[..., Any]) -> None:
    name = create()["FunctionName"]
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    put = lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
    assert put["ReservedConcurrentExecutions"] == 5
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 5
    assert lam.get_function(FunctionName=name)["Concurrency"] == {
        "ReservedConcurrentExecutions": 5}
    settings = lam.get_account_settings()
    limit = settings["AccountLimit"]
    assert limit["ConcurrentExecutions"] == 1000
    assert limit["UnreservedConcurrentExecutions"] <= 995
    code, status, message = error_of(lambda: lam.put_function_concurrency(
        FunctionName=name, ReservedConcurrentExecutions=901))
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == ("Specified ReservedConcurrentExecutions for function decreases "
                       "account's UnreservedConcurrentExecution below its minimum value of "
                       "[100].")
    lam.delete_function_concurrency(FunctionName=name)
    assert "Concurrency" not in lam.get_function(FunctionName=name)


def test_account_settings(lam: Any, create: Callable[..., Any]) -> None:
    created = create()
    settings = lam.get_account_settings()
    assert settings["AccountLimit"]["CodeSizeZipped"] == 52428800
    assert settings["AccountLimit"]["CodeSizeUnzipped"] == 262144000
    assert settings["AccountLimit"]["TotalCodeSize"] == 80530636800
    usage = settings["AccountUsage"]
    assert usage["FunctionCount"] >= 1
    assert usage["TotalCodeSize"] >= created["CodeSize"]


def test_tags(lam: Any, create: Callable[..., Any]) -> None:
    arn = create(Tags={"a": "1"})["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"b": "2"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"a": "1", "b": "2"}
    lam.untag_resource(Resource=arn, TagKeys=["a"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    missing = arn.rsplit(":", 1)[0] + ":missing-fn"
    assert error_of(lambda: lam.list_tags(Resource=missing))[:2] == (
        "ResourceNotFoundException", 404)
