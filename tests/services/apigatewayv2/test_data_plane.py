"""HTTP APIs over plain HTTP: routing, both payload formats with a real function, the
answers' mapping, errors, throttling, CORS, Lambda authorizers and HTTP proxying."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.services.apigatewayv2.conftest import Answer, make_function

Call = Callable[..., Answer]


def _lambda_api(apigw: Any, api_id: str, arn: str, version: str = "2.0",
                timeout: int | None = None) -> str:
    extra = {"TimeoutInMillis": timeout} if timeout else {}
    integration = apigw.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                           IntegrationUri=arn, PayloadFormatVersion=version,
                                           **extra)
    return f"integrations/{integration['IntegrationId']}"


def _answer(value: object) -> str:
    return "answer=" + quote(json.dumps(value))


def test_quick_create_payload_2(call: Call, http_api: Callable[..., str], echo_arn: str
                                ) -> None:
    api_id = http_api(Target=echo_arn)
    answer = call(api_id, "POST", "/any/path%20x?a=1&a=2&b=",
                  {"content-type": "text/plain", "user-agent": "tester/1"},
                  b"hello", header_list=[("cookie", "c1=1; c2=2"), ("x-multi", "a"),
                                         ("x-multi", "b")])
    assert answer.status == 200, answer.body
    assert answer.header("apigw-requestid")
    event = answer.json()
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/any/path%20x"
    assert event["rawQueryString"] == "a=1&a=2&b="
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["cookies"] == ["c1=1", "c2=2"]
    assert event["headers"]["x-multi"] == "a,b"
    assert event["body"] == "hello" and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "$default" and context["apiId"] == api_id
    assert context["accountId"] == "000000000000"
    assert context["http"]["method"] == "POST" and context["http"]["userAgent"] == "tester/1"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["domainName"] == f"{api_id}.execute-api.localhost"
    assert context["requestId"] == answer.header("apigw-requestid")
    by_path = call(api_id, "GET", "/x", path_form=True)
    assert by_path.status == 200 and by_path.json()["rawPath"] == "/x"
    binary = call(api_id, "POST", "/b", {"content-type": "application/octet-stream"},
                  b"\x00\xff")
    assert binary.json()["isBase64Encoded"] is True
    assert base64.b64decode(binary.json()["body"]) == b"\x00\xff"


def test_routes_stage_and_payload_1(apigw: Any, call: Call, http_api: Callable[..., str],
                                    echo_arn: str) -> None:
    api_id = http_api()
    v1 = _lambda_api(apigw, api_id, echo_arn, "1.0")
    v2 = _lambda_api(apigw, api_id, echo_arn, "2.0")
    for key, target in (("GET /posts/{id}", v1), ("GET /posts/latest", v2),
                        ("ANY /{proxy+}", v2), ("POST /posts/{id}/{rest+}", v2),
                        ("$default", v2)):
        apigw.create_route(ApiId=api_id, RouteKey=key, Target=target)
    apigw.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True,
                       StageVariables={"color": "blue"})
    one = call(api_id, "GET", "/prod/posts/7?tag=a&tag=b", {"X-Custom": "v"})
    assert one.status == 200, one.body
    event = one.json()
    assert event["version"] == "1.0" and event["resource"] == "/posts/{id}"
    assert event["httpMethod"] == "GET" and event["path"] == "/prod/posts/7"
    assert event["pathParameters"] == {"id": "7"}
    assert event["queryStringParameters"] == {"tag": "b"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"]}
    assert event["multiValueHeaders"]["X-Custom"] == ["v"]
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["requestContext"]["resourcePath"] == "/posts/{id}"
    assert event["stageVariables"] == {"color": "blue"}
    assert event["requestContext"]["stage"] == "prod"
    assert event["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"
    assert event["body"] is None and event["isBase64Encoded"] is False

    def route_of(method: str, path: str) -> tuple[str, Any]:
        got = call(api_id, method, path)
        assert got.status == 200, (path, got.body)
        event = got.json()
        key = event.get("routeKey") or f"{event['httpMethod']} {event['resource']}"
        return key, event.get("pathParameters")

    by_path = call(api_id, "GET", "/prod/posts/8", path_form=True)
    assert by_path.status == 200 and by_path.json()["pathParameters"] == {"id": "8"}
    assert by_path.json()["requestContext"]["stage"] == "prod"
    assert route_of("GET", "/prod/posts/latest") == ("GET /posts/latest", None)
    assert route_of("DELETE", "/prod/posts/7") == ("ANY /{proxy+}", {"proxy": "posts/7"})
    assert route_of("POST", "/prod/posts/7/a/b") == ("POST /posts/{id}/{rest+}",
                                                     {"id": "7", "rest": "a/b"})
    assert route_of("GET", "/prod/") == ("$default", None)
    assert call(api_id, "GET", "/nostage/x").status == 404
    assert call(api_id, "GET", "/nostage/x").json() == {"message": "Not Found"}


def test_no_route_is_not_found(apigw: Any, call: Call, http_api: Callable[..., str],
                               echo_arn: str) -> None:
    api_id = http_api()
    apigw.create_route(ApiId=api_id, RouteKey="GET /only",
                       Target=_lambda_api(apigw, api_id, echo_arn))
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    assert call(api_id, "GET", "/only").status == 200
    for method, path in (("POST", "/only"), ("GET", "/other"), ("GET", "/")):
        got = call(api_id, method, path)
        assert (got.status, got.json()) == (404, {"message": "Not Found"}), (method, path)


def test_deployments_are_snapshots(apigw: Any, call: Call, http_api: Callable[..., str],
                                   echo_arn: str) -> None:
    api_id = http_api()
    target = _lambda_api(apigw, api_id, echo_arn)
    apigw.create_route(ApiId=api_id, RouteKey="GET /a", Target=target)
    deployment = apigw.create_deployment(ApiId=api_id)["DeploymentId"]
    apigw.create_stage(ApiId=api_id, StageName="v1", DeploymentId=deployment)
    apigw.create_route(ApiId=api_id, RouteKey="GET /b", Target=target)
    assert call(api_id, "GET", "/v1/a").status == 200
    assert call(api_id, "GET", "/v1/b").status == 404  # not deployed yet
    apigw.create_deployment(ApiId=api_id, StageName="v1")
    assert call(api_id, "GET", "/v1/b").status == 200
    apigw.create_stage(ApiId=api_id, StageName="none")
    assert call(api_id, "GET", "/none/a").status == 404  # a stage with no deployment


def test_answers_mapped(call: Call, http_api: Callable[..., str], echo_arn: str) -> None:
    api_id = http_api(Target=echo_arn)
    inferred = call(api_id, "GET", "/?" + _answer({"hello": "world"}))
    assert inferred.status == 200 and inferred.json() == {"hello": "world"}
    assert inferred.header("content-type") == "application/json"
    text = call(api_id, "GET", "/?" + _answer("just text"))
    assert text.status == 200 and text.body == b'"just text"'
    full = call(api_id, "GET", "/?" + _answer({
        "statusCode": 201, "headers": {"x-one": "1"}, "cookies": ["a=1; Path=/", "b=2"],
        "body": base64.b64encode(b"\x01\x02").decode(), "isBase64Encoded": True}))
    assert full.status == 201 and full.body == b"\x01\x02"
    assert full.header("x-one") == "1"
    assert full.header_values("set-cookie") == ["a=1; Path=/", "b=2"]


def test_function_errors(apigw: Any, call: Call, http_api: Callable[..., str],
                         echo_arn: str) -> None:
    api_id = http_api(Target=echo_arn)
    failed = call(api_id, "GET", "/?fail=1")
    assert (failed.status, failed.json()) == (500, {"message": "Internal Server Error"})
    malformed = call(api_id, "GET", "/?" + _answer({"statusCode": "abc"}))
    assert (malformed.status, malformed.json()) == (500, {"message": "Internal Server Error"})
    v1 = http_api()
    apigw.create_route(ApiId=v1, RouteKey="$default",
                       Target=_lambda_api(apigw, v1, echo_arn, "1.0"))
    apigw.create_stage(ApiId=v1, StageName="$default", AutoDeploy=True)
    no_status = call(v1, "GET", "/?" + _answer({"body": "x"}))
    assert (no_status.status, no_status.json()) == (500, {"message": "Internal Server Error"})


def test_integration_timeout(apigw: Any, call: Call, http_api: Callable[..., str],
                             echo_arn: str) -> None:
    api_id = http_api()
    apigw.create_route(ApiId=api_id, RouteKey="$default",
                       Target=_lambda_api(apigw, api_id, echo_arn, timeout=100))
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    slow = call(api_id, "GET", "/?sleep=3")
    assert (slow.status, slow.json()) == (503, {"message": "Service Unavailable"})


def test_invoke_permission_required(lam: Any, call: Call, http_api: Callable[..., str]
                                    ) -> None:
    arn = make_function(lam, permit=False)
    api_id = http_api(Target=arn)
    refused = call(api_id, "GET", "/")
    assert (refused.status, refused.json()) == (500, {"message": "Internal Server Error"})
    name = arn.rpartition(":")[2]
    lam.add_permission(FunctionName=name, StatementId="other-api",
                       Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                       SourceArn="arn:aws:execute-api:us-east-1:000000000000:otherapi/*")
    assert call(api_id, "GET", "/").status == 500
    lam.add_permission(FunctionName=name, StatementId="this-api",
                       Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                       SourceArn=f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/*/$default")
    assert call(api_id, "GET", "/").status == 200


def test_throttling(apigw: Any, call: Call, http_api: Callable[..., str], echo_arn: str
                    ) -> None:
    api_id = http_api()
    target = _lambda_api(apigw, api_id, echo_arn)
    apigw.create_route(ApiId=api_id, RouteKey="GET /limited", Target=target)
    apigw.create_route(ApiId=api_id, RouteKey="GET /free", Target=target)
    apigw.create_stage(
        ApiId=api_id, StageName="$default", AutoDeploy=True,
        RouteSettings={"GET /limited": {"ThrottlingBurstLimit": 2,
                                        "ThrottlingRateLimit": 0.001}})
    statuses = [call(api_id, "GET", "/limited").status for _ in range(5)]
    assert statuses == [200, 200, 429, 429, 429]
    throttled = call(api_id, "GET", "/limited")
    assert throttled.json() == {"message": "Too Many Requests"}
    assert all(call(api_id, "GET", "/free").status == 200 for _ in range(5))
    apigw.update_stage(ApiId=api_id, StageName="$default",
                       DefaultRouteSettings={"ThrottlingBurstLimit": 0,
                                             "ThrottlingRateLimit": 0.0})
    assert call(api_id, "GET", "/free").status == 429


def test_cors(apigw: Any, call: Call, http_api: Callable[..., str], echo_arn: str) -> None:
    api_id = http_api(Target=echo_arn, CorsConfiguration={
        "AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"],
        "AllowHeaders": ["content-type", "x-api"], "ExposeHeaders": ["x-out"],
        "MaxAge": 600, "AllowCredentials": True})
    preflight = call(api_id, "OPTIONS", "/items", {
        "origin": "https://app.example", "access-control-request-method": "POST",
        "access-control-request-headers": "content-type"})
    assert preflight.status == 204
    assert preflight.header("access-control-allow-origin") == "https://app.example"
    assert preflight.header("access-control-allow-methods") == "GET,POST"
    assert preflight.header("access-control-allow-headers") == "content-type,x-api"
    assert preflight.header("access-control-max-age") == "600"
    assert preflight.header("access-control-allow-credentials") == "true"
    stranger = call(api_id, "OPTIONS", "/items", {
        "origin": "https://evil.example", "access-control-request-method": "POST"})
    assert stranger.status == 204 and stranger.header("access-control-allow-origin") is None
    actual = call(api_id, "GET", "/items", {"origin": "https://app.example"})
    assert actual.status == 200
    assert actual.header("access-control-allow-origin") == "https://app.example"
    assert actual.header("access-control-expose-headers") == "x-out"
    plain = call(api_id, "GET", "/items")
    assert plain.status == 200 and plain.header("access-control-allow-origin") is None


SIMPLE_AUTHORIZER = (
    "import json, uuid\n"
    "def handler(event, context):\n"
    "    print('AUTH ' + json.dumps(event))\n"
    "    token = event['headers'].get('x-token')\n"
    "    return {'isAuthorized': token in ('good', 'good2'),\n"
    "            'context': {'user': token, 'nonce': uuid.uuid4().hex}}\n"
)

POLICY_AUTHORIZER = (
    "def handler(event, context):\n"
    "    effect = 'Allow' if event['headers'].get('X-Token') == 'good' else 'Deny'\n"
    "    return {'principalId': 'me', 'context': {'role': 'admin'},\n"
    "            'policyDocument': {'Version': '2012-10-17', 'Statement': [\n"
    "                {'Action': 'execute-api:Invoke', 'Effect': effect,\n"
    "                 'Resource': event['methodArn']}]}}\n"
)


def _authorizer_uri(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


def test_lambda_authorizer_simple_and_cached(apigw: Any, lam: Any, call: Call,
                                             http_api: Callable[..., str], echo_arn: str
                                             ) -> None:
    auth_arn = make_function(lam, SIMPLE_AUTHORIZER)
    api_id = http_api()
    authorizer = apigw.create_authorizer(
        ApiId=api_id, Name="simple", AuthorizerType="REQUEST",
        AuthorizerUri=_authorizer_uri(auth_arn), AuthorizerPayloadFormatVersion="2.0",
        EnableSimpleResponses=True, IdentitySource=["$request.header.X-Token"],
        AuthorizerResultTtlInSeconds=300)["AuthorizerId"]
    apigw.create_route(ApiId=api_id, RouteKey="GET /secret", AuthorizationType="CUSTOM",
                       AuthorizerId=authorizer, Target=_lambda_api(apigw, api_id, echo_arn))
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    missing = call(api_id, "GET", "/secret")
    assert (missing.status, missing.json()) == (401, {"message": "Unauthorized"})
    refused = call(api_id, "GET", "/secret", {"x-token": "bad"})
    assert (refused.status, refused.json()) == (403, {"message": "Forbidden"})
    first = call(api_id, "GET", "/secret", {"x-token": "good"})
    assert first.status == 200, first.body
    context = first.json()["requestContext"]["authorizer"]["lambda"]
    assert context["user"] == "good"
    again = call(api_id, "GET", "/secret", {"x-token": "good"})
    assert again.json()["requestContext"]["authorizer"]["lambda"] == context  # cached
    other = call(api_id, "GET", "/secret", {"x-token": "good2"})
    assert other.json()["requestContext"]["authorizer"]["lambda"]["nonce"] != context["nonce"]
    apigw.reset_authorizers_cache(ApiId=api_id, StageName="$default")
    fresh = call(api_id, "GET", "/secret", {"x-token": "good"})
    assert fresh.json()["requestContext"]["authorizer"]["lambda"]["nonce"] != context["nonce"]


def test_lambda_authorizer_policy_v1(apigw: Any, lam: Any, call: Call,
                                     http_api: Callable[..., str], echo_arn: str) -> None:
    auth_arn = make_function(lam, POLICY_AUTHORIZER)
    api_id = http_api()
    authorizer = apigw.create_authorizer(
        ApiId=api_id, Name="policy", AuthorizerType="REQUEST",
        AuthorizerUri=_authorizer_uri(auth_arn), AuthorizerPayloadFormatVersion="1.0",
        IdentitySource=["$request.header.X-Token"], AuthorizerResultTtlInSeconds=0
    )["AuthorizerId"]
    apigw.create_route(ApiId=api_id, RouteKey="GET /admin", AuthorizationType="CUSTOM",
                       AuthorizerId=authorizer, Target=_lambda_api(apigw, api_id, echo_arn))
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    denied = call(api_id, "GET", "/admin", {"x-token": "nope"})
    assert (denied.status, denied.json()) == (403, {"message": "Forbidden"})
    allowed = call(api_id, "GET", "/admin", {"x-token": "good"})
    assert allowed.status == 200, allowed.body
    assert allowed.json()["requestContext"]["authorizer"]["lambda"] == {
        "role": "admin", "principalId": "me"}


def test_authorizer_needs_permission(apigw: Any, lam: Any, call: Call,
                                     http_api: Callable[..., str], echo_arn: str) -> None:
    auth_arn = make_function(lam, SIMPLE_AUTHORIZER, permit=False)
    api_id = http_api()
    authorizer = apigw.create_authorizer(
        ApiId=api_id, Name="simple", AuthorizerType="REQUEST",
        AuthorizerUri=_authorizer_uri(auth_arn), AuthorizerPayloadFormatVersion="2.0",
        EnableSimpleResponses=True, IdentitySource=["$request.header.X-Token"])["AuthorizerId"]
    apigw.create_route(ApiId=api_id, RouteKey="$default", AuthorizationType="CUSTOM",
                       AuthorizerId=authorizer, Target=_lambda_api(apigw, api_id, echo_arn))
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    got = call(api_id, "GET", "/", {"x-token": "good"})
    assert (got.status, got.json()) == (500, {"message": "Internal Server Error"})


class _Backend(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        out = json.dumps({"method": self.command, "path": self.path,
                          "header": self.headers.get("x-in"),
                          "body": body.decode()}).encode()
        self.send_response(207)
        self.send_header("content-type", "application/json")
        self.send_header("x-backend", "yes")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def backend() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_proxy(apigw: Any, call: Call, http_api: Callable[..., str], backend: str
                    ) -> None:
    api_id = http_api()
    integration = apigw.create_integration(
        ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
        IntegrationUri=f"{backend}/base/{{proxy}}")["IntegrationId"]
    apigw.create_route(ApiId=api_id, RouteKey="ANY /api/{proxy+}",
                       Target=f"integrations/{integration}")
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    got = call(api_id, "POST", "/api/a/b?q=1", {"x-in": "v"}, b"payload")
    assert got.status == 207, got.body
    assert got.header("x-backend") == "yes"
    assert got.json() == {"method": "POST", "path": "/base/a/b?q=1", "header": "v",
                          "body": "payload"}
    quick = http_api(Target=f"{backend}/fixed")
    fixed = call(quick, "GET", "/anything")
    assert fixed.status == 207 and fixed.json()["path"] == "/fixed"


def test_unknown_and_deleted_apis(apigw: Any, call: Call, http_api: Callable[..., str],
                                  echo_arn: str) -> None:
    api_id = http_api(Target=echo_arn)
    assert call(api_id, "GET", "/").status == 200
    apigw.delete_api(ApiId=api_id)
    gone = call(api_id, "GET", "/")
    assert (gone.status, gone.json()) == (404, {"message": "Not Found"})
    assert call(uuid.uuid4().hex[:10], "GET", "/").status == 404


def test_aws_iam_routes(apigw: Any, call: Call, http_api: Callable[..., str], echo_arn: str,
                        nubes_server: Any) -> None:
    api_id = http_api()
    apigw.create_route(ApiId=api_id, RouteKey="GET /private", AuthorizationType="AWS_IAM",
                       Target=_lambda_api(apigw, api_id, echo_arn))
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    unsigned = call(api_id, "GET", "/private")
    assert unsigned.status == 403
    host = f"{api_id}.execute-api.localhost:{nubes_server.port}"

    def signed(secret: str = "test") -> Answer:
        request = AWSRequest(method="GET", url=f"http://{host}/private",
                             headers={"host": host})
        SigV4Auth(Credentials("test", secret), "execute-api", "us-east-1").add_auth(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        return call(api_id, "GET", "/private", headers)

    good = signed()
    assert good.status == 200, good.body
    iam = good.json()["requestContext"]["authorizer"]["iam"]
    assert (iam["accessKey"], iam["accountId"]) == ("test", "000000000000")
    assert signed("wrong-secret").status == 403
