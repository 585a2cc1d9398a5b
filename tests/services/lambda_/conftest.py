"""Lambda fixtures: a client of the session's server, zips built in the test, functions."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
HANDLER_SOURCE = "def handler(event, context):\n    return {'echo': event}\n"


def make_zip(files: Mapping[str, str | bytes], *, links: Mapping[str, str] | None = None
             ) -> bytes:
    """A zip of ``files`` (name -> content) and symlinks (name -> target)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100755 if name.endswith("bootstrap") else 0o100644) << 16
            archive.writestr(info, content)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def new_name(prefix: str = "fn") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def error_of(call: Callable[[], Any]) -> tuple[str, int, str]:
    """(code, HTTP status, message) of the ClientError ``call`` raises."""
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"].get("Message", ""))


@pytest.fixture(scope="session")
def lam(make_client: Callable[..., Any]) -> Any:
    return make_client("lambda")


@pytest.fixture(scope="session")
def unchecked(make_client: Callable[..., Any]) -> Any:
    """A client that leaves the checking of members to the server."""
    config = Config(retries={"max_attempts": 1}, parameter_validation=False)
    return make_client("lambda", config=config)


@pytest.fixture
def create(lam: Any) -> Callable[..., dict[str, Any]]:
    """create(**overrides) -> CreateFunction's answer, for a Python function that echoes."""

    def make(**overrides: Any) -> dict[str, Any]:
        params: dict[str, Any] = {
            "FunctionName": new_name(), "Runtime": "python3.12", "Role": ROLE,
            "Handler": "app.handler", "Code": {"ZipFile": make_zip({"app.py": HANDLER_SOURCE})},
        }
        params.update(overrides)
        result: dict[str, Any] = lam.create_function(**params)
        return result

    return make


@pytest.fixture
def active(lam: Any, create: Callable[..., dict[str, Any]]) -> Callable[..., str]:
    """active(**overrides) -> the name of a new function, once it is Active."""

    def make(**overrides: Any) -> str:
        name: str = create(**overrides)["FunctionName"]
        lam.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
        return name

    return make
