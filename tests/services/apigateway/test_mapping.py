"""MOCK, AWS (Lambda) and HTTP integrations with mapping templates, over plain HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.server import NubesServer
from tests.services.apigateway.conftest import (
    allow_api,
    call,
    deploy,
    lambda_uri,
    make_function,
    unique,
)

GREETER = """
def handler(event, context):
    if event.get("name") == "fail":
        raise ValueError("BadName: no such person")
    return {"greeting": "hello " + event["name"], "echo": event}
"""


def test_mock_with_templates_and_response_parameters(nubes_server: NubesServer,
                                                     apigw: Any) -> None:
    api = apigw.create_rest_api(name=unique())
    api_id, root = api["id"], api["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": (
                              "#if($input.params('fail') == 'yes')\n{\"statusCode\": 404}\n"
                              "#else\n{\"statusCode\": 200}\n#end")})
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                              statusCode="200",
                              responseParameters={"method.response.header.X-Mock": False})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
        responseTemplates={"application/json": (
            '{"stage": "$context.stage", "who": "$input.params(\'who\')", '
            '"color": "$stageVariables.color", "items": ['
            '#foreach($i in [1..3])$i#if($foreach.hasNext),#end#end]}')},
        responseParameters={"method.response.header.X-Mock": "'yes'"})
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                   statusCode="404", selectionPattern="404",
                                   responseTemplates={"application/json":
                                                      '{"message": "nothing here"}'})
    deploy(apigw, api_id, "test", color="red")
    answer = call(nubes_server.endpoint, api_id, "/test?who=ann")
    assert answer.status == 200 and answer.headers["x-mock"] == "yes"
    assert answer.json() == {"stage": "test", "who": "ann", "color": "red", "items": [1, 2, 3]}
    missing = call(nubes_server.endpoint, api_id, "/test?fail=yes")
    assert (missing.status, missing.json()) == (404, {"message": "nothing here"})


def test_lambda_with_request_and_response_templates(nubes_server: NubesServer, apigw: Any,
                                                    lam: Any) -> None:
    function = make_function(lam, GREETER)
    api = apigw.create_rest_api(name=unique())
    api_id = api["id"]
    people = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"],
                                   pathPart="{name}")["id"]
    apigw.put_method(restApiId=api_id, resourceId=people, httpMethod="POST",
                     authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id, resourceId=people, httpMethod="POST", type="AWS",
        integrationHttpMethod="POST", uri=lambda_uri(function),
        passthroughBehavior="WHEN_NO_TEMPLATES",
        requestTemplates={"application/json": (
            '#set($body = $input.path(\'$\'))\n'
            '{"name": "$input.params(\'name\')", "age": $input.json(\'$.age\'), '
            '"note": "$util.escapeJavaScript($body.note)", "count": $body.tags.size(), '
            '"raw": "$util.escapeJavaScript($input.body)"}')})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=people, httpMethod="POST", statusCode="200",
        responseTemplates={"application/json":
                           '{"said": "$input.path(\'$.greeting\')", '
                           '"age": $input.json(\'$.echo.age\')}'})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=people, httpMethod="POST", statusCode="400",
        selectionPattern="BadName:.*",
        responseTemplates={"application/json":
                           '{"error": "$input.path(\'$.errorMessage\')"}'})
    allow_api(lam, function, api_id)
    deploy(apigw, api_id)
    body = json.dumps({"age": 7, "note": 'say "hi"', "tags": ["a", "b"]}).encode()
    answer = call(nubes_server.endpoint, api_id, "/test/bob", method="POST", body=body,
                  headers={"Content-Type": "application/json"})
    assert answer.status == 200, answer.body
    assert answer.json() == {"said": "hello bob", "age": 7}
    failed = call(nubes_server.endpoint, api_id, "/test/fail", method="POST", body=body,
                  headers={"Content-Type": "application/json"})
    assert (failed.status, failed.json()) == (400, {"error": "BadName: no such person"})
    unsupported = call(nubes_server.endpoint, api_id, "/test/bob", method="POST", body=b"x",
                       headers={"Content-Type": "text/plain"})
    assert (unsupported.status, unsupported.json()) == (415, {"message":
                                                              "Unsupported Media Type"})


class _Upstream(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        payload = json.dumps({"method": self.command, "path": self.path,
                              "header": self.headers.get("x-passed"),
                              "body": body.decode()}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Upstream", "1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer  # noqa: N815 - http.server's names

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_proxy_and_http(nubes_server: NubesServer, apigw: Any, upstream: str) -> None:
    api = apigw.create_rest_api(name=unique())
    api_id, root = api["id"], api["rootResourceId"]
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    apigw.put_method(restApiId=api_id, resourceId=proxy, httpMethod="ANY",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=proxy, httpMethod="ANY",
                          type="HTTP_PROXY", integrationHttpMethod="ANY",
                          uri=f"{upstream}/up/{{proxy}}")
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST",
                     authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="POST", type="HTTP",
        integrationHttpMethod="POST", uri=f"{upstream}/mapped",
        requestParameters={"integration.request.header.X-Passed": "'constant'"},
        requestTemplates={"application/json": '{"wrapped": $input.json(\'$\')}'})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200",
        selectionPattern="2\\d{2}",
        responseTemplates={"application/json": '{"upstream": $input.json(\'$\')}'})
    deploy(apigw, api_id)
    proxied = call(nubes_server.endpoint, api_id, "/test/a/b?x=1", method="POST",
                   body=b"payload", headers={"X-Passed": "kept"})
    assert proxied.status == 201 and proxied.headers["x-upstream"] == "1"
    assert proxied.json() == {"method": "POST", "path": "/up/a/b?x=1", "header": "kept",
                              "body": "payload"}
    mapped = call(nubes_server.endpoint, api_id, "/test", method="POST", body=b'{"a": 1}',
                  headers={"Content-Type": "application/json"})
    assert mapped.status == 200
    upstream_saw = mapped.json()["upstream"]
    assert upstream_saw["path"] == "/mapped" and upstream_saw["header"] == "constant"
    assert json.loads(upstream_saw["body"]) == {"wrapped": {"a": 1}}
