"""API Gateway (REST APIs) fixtures: a client, error inspection, and a new API."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.functions import ROLE, package


@pytest.fixture(scope="session")
def apigw(make_client: Callable[..., Any]) -> Any:
    return make_client("apigateway")


@pytest.fixture(scope="session")
def lam(make_client: Callable[..., Any]) -> Any:
    return make_client("lambda")


def unique(prefix: str = "api") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def api(apigw: Any) -> dict[str, Any]:
    """A new REST API (as CreateRestApi answered it)."""
    created: dict[str, Any] = apigw.create_rest_api(name=unique())
    return created


# -- the data plane: functions, deployed APIs and plain HTTP calls -------------------------

ACCOUNT = "000000000000"


def make_function(lam: Any, source: str, name: str | None = None) -> str:
    """The ARN of a new Active Python function with ``source`` as app.py."""
    name = name or unique("fn")
    arn: str = lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": package(source)}, Timeout=10)["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    return arn


def allow_api(lam: Any, function_arn: str, api_id: str) -> None:
    """Let an API's methods and authorizers invoke a function, as the console does."""
    lam.add_permission(FunctionName=function_arn, StatementId=unique("apigw"),
                       Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                       SourceArn=f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/*")


def lambda_uri(function_arn: str) -> str:
    return (f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function_arn}"
            "/invocations")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(endpoint: str, api_id: str, path: str, *, method: str = "GET",
         headers: dict[str, str] | None = None, body: bytes | None = None,
         by_host: bool = False) -> Answer:
    """A plain HTTP request to ``/<stage>/<path>`` of an API, by its path-form URL or
    (``by_host``) by its ``<id>.execute-api.localhost`` host."""
    port = int(endpoint.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = dict(headers or {})
    target = path if by_host else f"/_nubes/execute-api/{api_id}{path}"
    if by_host:
        sent["Host"] = f"{api_id}.execute-api.localhost:{port}"
    try:
        connection.request(method, target, body=body, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      response.read())
    finally:
        connection.close()


def deploy(apigw: Any, api_id: str, stage: str = "test", **variables: str) -> None:
    apigw.create_deployment(restApiId=api_id, stageName=stage, variables=variables or {})


def proxy_method(apigw: Any, api_id: str, resource_id: str, function_arn: str,
                 http_method: str = "ANY", **method: Any) -> None:
    """An AWS_PROXY method to a function."""
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=http_method,
                     authorizationType=method.pop("authorizationType", "NONE"), **method)
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=http_method,
                          type="AWS_PROXY", integrationHttpMethod="POST",
                          uri=lambda_uri(function_arn))
