"""Function URLs over plain HTTP: events, responses, auth (NONE and AWS_IAM), CORS."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.functions import printed_events, printing_function
from tests.plain_http import Answer
from tests.server import NubesServer
from tests.services.lambda_.conftest import ROLE, make_zip, new_name

SOURCE = '''
import base64, json

def handler(event, context):
    path = event["rawPath"]
    if path.startswith("/echo"):
        return {"statusCode": 200, "headers": {"content-type": "application/json"},
                "body": json.dumps(event)}
    if path == "/string":
        return "Hello, world!"
    if path == "/object":
        return {"message": "hi"}
    if path == "/cookies":
        return {"statusCode": 201, "headers": {"X-Custom": "v", "X-Number": 7,
                                               "Access-Control-Allow-Origin": "https://fn"},
                "cookies": ["a=1; Max-Age=60", "b=2"], "body": "made"}
    if path == "/binary":
        return {"statusCode": 200, "headers": {"content-type": "image/png"},
                "body": base64.b64encode(b"\\x89PNG\\x00\\xff").decode(),
                "isBase64Encoded": True}
    if path == "/bad":
        return {"statusCode": "teapot"}
    if path == "/raise":
        raise RuntimeError("boom")
    return {"statusCode": 404, "body": "no such path"}
'''


def send(server: NubesServer, method: str, path: str, *, host: str | None = None,
         headers: Mapping[str, str] | None = None, body: bytes = b"") -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        all_headers = dict(headers or {})
        if host is not None:
            all_headers["Host"] = host
        connection.request(method, path, body=body or None, headers=all_headers)
        reply = connection.getresponse()
        return Answer(reply.status, reply.getheaders(), reply.read())
    finally:
        connection.close()


@pytest.fixture(scope="module")
def function(lam: Any) -> str:
    name = new_name("url")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": make_zip({"app.py": SOURCE})},
                        Publish=True)
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    return name


def url_id(config: Mapping[str, Any]) -> str:
    return str(config["FunctionUrl"]).split("//")[1].split(".")[0]


@pytest.fixture(scope="module")
def public(lam: Any, function: str) -> str:
    """The id of the function's public (AuthType NONE) URL."""
    config = lam.create_function_url_config(FunctionName=function, AuthType="NONE")
    lam.add_permission(FunctionName=function, StatementId="public-url", Principal="*",
                       Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE")
    return url_id(config)


@pytest.fixture
def get(nubes_server: NubesServer, public: str) -> Callable[..., Answer]:
    def call(path: str, method: str = "GET", **kwargs: Any) -> Answer:
        return send(nubes_server, method, path,
                    host=f"{public}.lambda-url.localhost:{nubes_server.port}", **kwargs)
    return call


def test_event(get: Callable[..., Answer], public: str, nubes_server: NubesServer) -> None:
    answer = get("/echo/a%20b?x=1&x=2&y=&z=%3D", headers={
        "Cookie": "c1=v1; c2=v2", "X-Repeat": "one", "User-Agent": "tester/1"})
    assert answer.status == 200, answer.body
    event = answer.json()
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/echo/a%20b"
    assert event["rawQueryString"] == "x=1&x=2&y=&z=%3D"
    assert event["queryStringParameters"] == {"x": "1,2", "y": "", "z": "="}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-repeat"] == "one"
    assert event["headers"]["host"] == f"{public}.lambda-url.localhost:{nubes_server.port}"
    assert event["isBase64Encoded"] is False and "body" not in event
    context = event["requestContext"]
    assert context["apiId"] == public and context["domainPrefix"] == public
    assert context["domainName"] == f"{public}.lambda-url.localhost"
    assert context["routeKey"] == "$default" and context["stage"] == "$default"
    assert context["accountId"] == "anonymous" and "authorizer" not in context
    assert context["http"] == {"method": "GET", "path": "/echo/a b",
                               "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                               "userAgent": "tester/1"}
    assert context["requestId"] == answer.header("x-amzn-requestid")
    assert isinstance(context["timeEpoch"], int) and context["time"].endswith(" +0000")


def test_path_form_and_aws_host(nubes_server: NubesServer, public: str) -> None:
    answer = send(nubes_server, "POST", f"/_nubes/lambda-url/{public}/echo/p?q=1",
                  headers={"Content-Type": "text/plain"}, body=b"hello")
    assert answer.status == 200, answer.body
    event = answer.json()
    assert event["rawPath"] == "/echo/p" and event["rawQueryString"] == "q=1"
    assert event["body"] == "hello" and event["isBase64Encoded"] is False
    assert event["requestContext"]["domainName"] == f"{public}.lambda-url.localhost"
    aws = send(nubes_server, "GET", "/echo", host=f"{public}.lambda-url.us-east-1.on.aws")
    assert aws.json()["requestContext"]["domainName"] == f"{public}.lambda-url.us-east-1.on.aws"
    missing = send(nubes_server, "GET", "/", host=f"{'0' * 32}.lambda-url.localhost")
    assert missing.status == 404


def test_bodies(get: Callable[..., Answer]) -> None:
    binary = bytes(range(256))
    event = get("/echo", "POST", body=binary,
                headers={"Content-Type": "application/octet-stream"}).json()
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == binary
    event = get("/echo", "PUT", body=b'{"k": 1}',
                headers={"Content-Type": "application/json"}).json()
    assert event["body"] == '{"k": 1}' and event["isBase64Encoded"] is False
    answer = get("/binary")
    assert answer.status == 200 and answer.body == b"\x89PNG\x00\xff"
    assert answer.header("content-type") == "image/png"


def test_response_mapping(get: Callable[..., Answer]) -> None:
    answer = get("/cookies")
    assert answer.status == 201 and answer.body == b"made"
    assert answer.header("x-custom") == "v" and answer.header("x-number") == "7"
    assert answer.header("access-control-allow-origin") == "https://fn"  # no Cors: as sent
    assert [v for k, v in answer.headers if k.lower() == "set-cookie"] == [
        "a=1; Max-Age=60", "b=2"]
    assert answer.header("content-type") == "application/json"
    answer = get("/string")  # not an object with statusCode: the result is the body
    assert (answer.status, answer.body) == (200, b'"Hello, world!"')
    assert answer.header("content-type") == "application/json"
    answer = get("/object")
    assert (answer.status, json.loads(answer.body)) == (200, {"message": "hi"})
    assert get("/nowhere").status == 404


def test_errors(get: Callable[..., Answer]) -> None:
    for path in ("/raise", "/bad"):
        answer = get(path)
        assert (answer.status, answer.body) == (502, b"Internal Server Error"), path


def test_public_needs_a_policy(lam: Any, function: str, nubes_server: NubesServer) -> None:
    lam.create_alias(FunctionName=function, Name="closed", FunctionVersion="1")
    config = lam.create_function_url_config(FunctionName=function, Qualifier="closed",
                                            AuthType="NONE")
    host = f"{url_id(config)}.lambda-url.localhost:{nubes_server.port}"
    answer = send(nubes_server, "GET", "/echo", host=host)
    assert (answer.status, answer.json()) == (403, {"Message": "Forbidden"})
    lam.add_permission(FunctionName=function, Qualifier="closed", StatementId="iam-only",
                       Principal="*", Action="lambda:InvokeFunctionUrl",
                       FunctionUrlAuthType="AWS_IAM")
    assert send(nubes_server, "GET", "/echo", host=host).status == 403  # wrong auth type
    lam.add_permission(FunctionName=function, Qualifier="closed", StatementId="open",
                       Principal="*", Action="lambda:InvokeFunctionUrl",
                       FunctionUrlAuthType="NONE")
    answer = send(nubes_server, "GET", "/echo", host=host)
    assert answer.status == 200
    assert answer.json()["requestContext"]["apiId"] == url_id(config)
    lam.delete_function_url_config(FunctionName=function, Qualifier="closed")
    assert send(nubes_server, "GET", "/echo", host=host).status == 404


def signed(server: NubesServer, host: str, path: str, *, secret: str = "test",
           service: str = "lambda", body: bytes = b"") -> Answer:
    request = AWSRequest(method="POST", url=f"http://{host}{path}", data=body,
                         headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("test", secret), service, "us-east-1").add_auth(request)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
    return send(server, "POST", path, host=host, headers=headers, body=body)


def test_aws_iam(lam: Any, function: str, nubes_server: NubesServer) -> None:
    lam.create_alias(FunctionName=function, Name="private", FunctionVersion="1")
    config = lam.create_function_url_config(FunctionName=function, Qualifier="private",
                                            AuthType="AWS_IAM")
    host = f"{url_id(config)}.lambda-url.localhost:{nubes_server.port}"
    unsigned = send(nubes_server, "POST", "/echo", host=host, body=b"{}")
    assert (unsigned.status, unsigned.json()) == (403, {"Message": "Forbidden"})
    answer = signed(nubes_server, host, "/echo?a=b", body=b'{"x": 1}')
    assert answer.status == 200, answer.body
    event = answer.json()
    assert event["body"] == '{"x": 1}'
    iam = event["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] == "test" and iam["accountId"] == "000000000000"
    assert event["requestContext"]["accountId"] == "000000000000"
    assert signed(nubes_server, host, "/echo", secret="wrong").status == 403
    assert signed(nubes_server, host, "/echo", service="execute-api").status == 403
    path = f"/_nubes/lambda-url/{url_id(config)}/echo"  # the path form, signed as sent
    answer = signed(nubes_server, f"127.0.0.1:{nubes_server.port}", path)
    assert answer.status == 200 and answer.json()["rawPath"] == "/echo"


def test_cors(lam: Any, function: str, nubes_server: NubesServer) -> None:
    lam.create_alias(FunctionName=function, Name="browser", FunctionVersion="1")
    config = lam.create_function_url_config(
        FunctionName=function, Qualifier="browser", AuthType="AWS_IAM",
        Cors={"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"],
              "AllowHeaders": ["x-custom"], "ExposeHeaders": ["x-out"], "MaxAge": 60,
              "AllowCredentials": True})
    host = f"{url_id(config)}.lambda-url.localhost:{nubes_server.port}"
    # A preflight is answered by the URL: unsigned, without invoking (/raise would fail).
    preflight = send(nubes_server, "OPTIONS", "/raise", host=host, headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-custom"})
    assert preflight.status == 200 and preflight.body == b""
    assert preflight.header("access-control-allow-origin") == "https://app.example"
    assert preflight.header("access-control-allow-methods") == "GET,POST"
    assert preflight.header("access-control-allow-headers") == "x-custom"
    assert preflight.header("access-control-max-age") == "60"
    assert preflight.header("access-control-allow-credentials") == "true"
    other = send(nubes_server, "OPTIONS", "/raise", host=host, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert other.status == 200 and other.header("access-control-allow-origin") is None
    answer = signed(nubes_server, host, "/echo")
    assert answer.header("access-control-allow-origin") is None  # no Origin: no CORS
    request = AWSRequest(method="GET", url=f"http://{host}/cookies",
                         headers={"Origin": "https://app.example"})
    SigV4Auth(Credentials("test", "test"), "lambda", "us-east-1").add_auth(request)
    answer = send(nubes_server, "GET", "/cookies", host=host, headers={
        k: v for k, v in request.headers.items() if k.lower() != "host"})
    assert answer.status == 201
    origins = [v for k, v in answer.headers if k.lower() == "access-control-allow-origin"]
    assert origins == ["https://app.example"]  # the URL's CORS replaces the function's
    assert answer.header("access-control-expose-headers") == "x-out"
    assert answer.header("access-control-allow-credentials") == "true"


def test_throttled(lam: Any, function: str, nubes_server: NubesServer, public: str) -> None:
    lam.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=0)
    try:
        answer = send(nubes_server, "GET", "/echo",
                      host=f"{public}.lambda-url.localhost:{nubes_server.port}")
        assert answer.status == 429
        assert answer.json() == {"Message": "Rate Exceeded."}
    finally:
        lam.delete_function_concurrency(FunctionName=function)


def test_logged_like_invoke(lam: Any, make_client: Callable[..., Any],
                            nubes_server: NubesServer) -> None:
    name, _ = printing_function(lam, new_name("url-logs"))
    config = lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    lam.add_permission(FunctionName=name, StatementId="public", Principal="*",
                       Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE")
    host = f"{url_id(config)}.lambda-url.localhost:{nubes_server.port}"
    answer = send(nubes_server, "GET", "/logged?n=1", host=host)
    assert (answer.status, answer.body) == (200, b'"ok"')
    printed = printed_events(make_client("logs"), name, 1)
    assert [e["rawPath"] for e in printed] == ["/logged"]
    assert printed[0]["requestContext"]["requestId"] == answer.header("x-amzn-requestid")
