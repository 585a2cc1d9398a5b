"""Invoke's checks that come before any code runs: DryRun, states, sizes, bad payloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.services.lambda_.conftest import error_of


def test_dry_run(lam: Any, active: Callable[..., str]) -> None:
    answer = lam.invoke(FunctionName=active(), InvocationType="DryRun")
    assert answer["StatusCode"] == 204


def test_pending_function_conflicts(lam: Any, create: Callable[..., Any]) -> None:
    # Large enough that the extraction is still running when Invoke arrives.
    name = create()["FunctionName"]
    try:
        lam.invoke(FunctionName=name, InvocationType="DryRun")
    except lam.exceptions.ResourceConflictException as error:
        assert str(error).endswith("The operation cannot be performed at this time. The "
                                   "function is currently in the following state: Pending")


def test_payload_limits(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    big = b'"' + b"x" * (6 * 1024 * 1024) + b'"'
    code, status, message = error_of(lambda: lam.invoke(FunctionName=name, Payload=big))
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    assert message == ("Request must be smaller than 6291456 bytes for the InvokeFunction "
                       "operation")
    event = b'"' + b"x" * (1024 * 1024) + b'"'
    code, status, message = error_of(lambda: lam.invoke(FunctionName=name, Payload=event,
                                                        InvocationType="Event"))
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    assert message == ("Request must be smaller than 1048576 bytes for the InvokeFunction "
                       "operation")
    queued = b'"' + b"x" * (512 * 1024) + b'"'  # over the 256 KB AWS allowed until 2025
    assert lam.invoke(FunctionName=name, Payload=queued, InvocationType="Event")[
        "StatusCode"] == 202
    code, status, _ = error_of(lambda: lam.invoke_async(FunctionName=name, InvokeArgs=queued))
    assert (code, status) == ("RequestEntityTooLargeException", 413)


def test_payload_must_be_json(lam: Any, active: Callable[..., str]) -> None:
    code, status, message = error_of(lambda: lam.invoke(FunctionName=active(),
                                                        Payload=b"{not json"))
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message.startswith("Could not parse request body into json")


def test_unknown_function_and_qualifier(lam: Any, active: Callable[..., str]) -> None:
    assert error_of(lambda: lam.invoke(FunctionName="nope-nope"))[:2] == (
        "ResourceNotFoundException", 404)
    name = active()
    code, _, message = error_of(lambda: lam.invoke(FunctionName=name, Qualifier="nolias"))
    assert code == "ResourceNotFoundException" and message.endswith(f"{name}:nolias")
