"""API Gateway (REST APIs) fixtures: a client, error inspection, and a new API."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture(scope="session")
def apigw(make_client: Callable[..., Any]) -> Any:
    return make_client("apigateway")


@pytest.fixture(scope="session")
def lam(make_client: Callable[..., Any]) -> Any:
    return make_client("lambda")


def unique(prefix: str = "api") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    """The error boto3 raised for a call (``Code``, ``Message``) and its HTTP status."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return {**response["Error"], "status": response["ResponseMetadata"]["HTTPStatusCode"]}


@pytest.fixture
def api(apigw: Any) -> dict[str, Any]:
    """A new REST API (as CreateRestApi answered it)."""
    created: dict[str, Any] = apigw.create_rest_api(name=unique())
    return created
