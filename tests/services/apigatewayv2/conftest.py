"""HTTP API fixtures: clients, a function echoing its event, and plain HTTP calls."""

from __future__ import annotations

import http.client
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.functions import ROLE, package
from tests.plain_http import Answer
from tests.server import NubesServer

# Answers what its event asks: "echo" (the event, as a 2.0 response with its body),
# "raw" (the event itself, for the inference rule), "status"/"body"/... given in the
# query string "answer" as JSON.
ECHO_HANDLER = (
    "import json, time\n"
    "def handler(event, context):\n"
    "    q = event.get('queryStringParameters') or {}\n"
    "    if q.get('sleep'):\n"
    "        time.sleep(float(q['sleep']))\n"
    "    if q.get('answer'):\n"
    "        return json.loads(q['answer'])\n"
    "    if q.get('fail'):\n"
    "        raise RuntimeError('failed on purpose')\n"
    "    return {'statusCode': 200, 'headers': {'content-type': 'application/json'},\n"
    "            'body': json.dumps(event)}\n"
)


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def apigw(make_client: Callable[..., Any]) -> Any:
    return make_client("apigatewayv2")


@pytest.fixture(scope="session")
def lam(make_client: Callable[..., Any]) -> Any:
    return make_client("lambda")


def make_function(lam: Any, source: str = ECHO_HANDLER, name: str | None = None,
                  permit: bool = True) -> str:
    """A new Active function; with ``permit``, API Gateway may invoke it from any API."""
    name = name or unique("fn")
    arn: str = lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": package(source)}, Timeout=10)["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    if permit:
        lam.add_permission(FunctionName=name, StatementId="apigw", Action="lambda:InvokeFunction",
                           Principal="apigateway.amazonaws.com",
                           SourceArn="arn:aws:execute-api:us-east-1:000000000000:*")
    return arn


@pytest.fixture(scope="session")
def echo_arn(lam: Any) -> str:
    return make_function(lam)


@pytest.fixture(scope="session")
def call(nubes_server: NubesServer) -> Callable[..., Answer]:
    """call(api_id, method, path, headers=..., body=..., path_form=False) over plain HTTP,
    addressed by host (``<id>.execute-api.localhost``) or by path."""

    def send(api_id: str, method: str, path: str, headers: dict[str, str] | None = None,
             body: bytes = b"", *, path_form: bool = False,
             header_list: list[tuple[str, str]] | None = None) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", nubes_server.port, timeout=30)
        try:
            target = f"/_nubes/execute-api/{api_id}{path}" if path_form else path
            conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            host = f"127.0.0.1:{nubes_server.port}" if path_form else \
                f"{api_id}.execute-api.localhost:{nubes_server.port}"
            conn.putheader("host", host)
            for name, value in [*(headers or {}).items(), *(header_list or [])]:
                conn.putheader(name, value)
            conn.putheader("content-length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            return Answer(response.status, response.getheaders(), response.read())
        finally:
            conn.close()

    return send


@pytest.fixture
def http_api(apigw: Any) -> Iterator[Callable[..., str]]:
    """http_api(**create_api_kwargs) -> a new HTTP API's id, deleted after the test."""
    made: list[str] = []

    def create(**kwargs: Any) -> str:
        api_id: str = apigw.create_api(Name=unique("api"), ProtocolType="HTTP",
                                       **kwargs)["ApiId"]
        made.append(api_id)
        return api_id

    yield create
    for api_id in made:
        try:
            apigw.delete_api(ApiId=api_id)
        except Exception:  # noqa: BLE001 - already deleted by the test
            pass
