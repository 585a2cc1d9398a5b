"""REST APIs' data plane over plain HTTP: AWS_PROXY to real functions, resource
matching, stage variables, binary media types, and API Gateway's errors."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest

from tests.server import NubesServer
from tests.services.apigateway.conftest import (
    allow_api,
    call,
    deploy,
    lambda_uri,
    make_function,
    proxy_method,
    unique,
)

ECHO = """
import base64, json
def handler(event, context):
    if event.get("path", "").endswith("/bad"):
        return {"statusCode": 200, "unexpected": True}
    if event.get("path", "").endswith("/boom"):
        raise ValueError("boom")
    if event.get("path", "").endswith("/png"):
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"},
                "body": base64.b64encode(b"\\x89PNG\\x00\\x01").decode(),
                "isBase64Encoded": True}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "multiValueHeaders": {"X-Multi": ["a", "b"]},
            "body": json.dumps({"event": event})}
"""


@pytest.fixture(scope="module")
def echo(lam: Any) -> str:
    return make_function(lam, ECHO)


@pytest.fixture(scope="module")
def tree(apigw: Any, lam: Any, echo: str) -> dict[str, str]:
    """An API with /pets, /pets/{id}, /pets/{id}/toys and /{proxy+} to the echo function."""
    api = apigw.create_rest_api(name=unique(), binaryMediaTypes=["image/png"])
    api_id, root = api["id"], api["rootResourceId"]
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    pet = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="{id}")["id"]
    toys = apigw.create_resource(restApiId=api_id, parentId=pet, pathPart="toys")["id"]
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    proxy_method(apigw, api_id, pets, echo, "GET")
    proxy_method(apigw, api_id, pet, echo, "ANY")
    proxy_method(apigw, api_id, toys, echo, "GET")
    proxy_method(apigw, api_id, proxy, echo, "ANY")
    allow_api(lam, echo, api_id)
    deploy(apigw, api_id, "test", color="blue")
    return {"id": api_id, "pets": pets, "pet": pet, "proxy": proxy}


def test_the_proxy_event(nubes_server: NubesServer, tree: dict[str, str]) -> None:
    answer = call(nubes_server.endpoint, tree["id"], "/test/pets/42?q=1&q=2&x=y",
                  method="POST", headers={"X-Custom": "v", "Content-Type": "text/plain"},
                  body=b"hello")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-multi"] == "a, b" or answer.headers["x-multi"] in ("a", "b")
    event = answer.json()["event"]
    assert event["resource"] == "/pets/{id}" and event["path"] == "/pets/42"
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"q": "2", "x": "y"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"], "x": ["y"]}
    assert event["headers"]["X-Custom"] == "v"
    assert event["stageVariables"] == {"color": "blue"}
    assert event["body"] == "hello" and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "test" and context["apiId"] == tree["id"]
    assert context["resourceId"] == tree["pet"] and context["resourcePath"] == "/pets/{id}"
    assert context["path"] == "/test/pets/42" and context["accountId"] == "000000000000"
    assert context["requestId"] == answer.headers["x-amzn-requestid"]


def test_matching_prefers_exact_then_params_then_greedy(nubes_server: NubesServer,
                                                        tree: dict[str, str]) -> None:
    def resource(path: str, method: str = "GET") -> Any:
        answer = call(nubes_server.endpoint, tree["id"], path, method=method)
        assert answer.status == 200, answer.body
        return answer.json()["event"]

    assert resource("/test/pets")["resource"] == "/pets"
    assert resource("/test/pets/7/toys")["pathParameters"] == {"id": "7"}
    greedy = resource("/test/pets/7/food/bowl")
    assert greedy["resource"] == "/{proxy+}"
    assert greedy["pathParameters"] == {"proxy": "pets/7/food/bowl"}
    # /pets is the resource matched; it has no DELETE, and AWS does not fall back to
    # {proxy+} for it.
    assert call(nubes_server.endpoint, tree["id"], "/test/pets", method="DELETE").status == 403
    assert resource("/test/pets/7", "PATCH")["resource"] == "/pets/{id}"  # ANY


def test_errors_a_client_sees(nubes_server: NubesServer, tree: dict[str, str]) -> None:
    endpoint = nubes_server.endpoint
    no_stage = call(endpoint, tree["id"], "/nostage/pets")
    assert (no_stage.status, no_stage.json()) == (403, {"message": "Forbidden"})
    root = call(endpoint, tree["id"], "/test")  # the root has no method
    assert (root.status, root.json()) == (403, {"message": "Missing Authentication Token"})
    assert root.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    malformed = call(endpoint, tree["id"], "/test/x/bad")
    assert (malformed.status, malformed.json()) == (502, {"message": "Internal server error"})
    failed = call(endpoint, tree["id"], "/test/x/boom")
    assert (failed.status, failed.json()) == (502, {"message": "Internal server error"})
    unknown = call(endpoint, "zzzzzzzzzz", "/test/pets")
    assert unknown.status == 404


def test_by_host_name(nubes_server: NubesServer, tree: dict[str, str]) -> None:
    answer = call(nubes_server.endpoint, tree["id"], "/test/pets/1", by_host=True)
    assert answer.status == 200
    assert answer.json()["event"]["requestContext"]["domainName"] == \
        f"{tree['id']}.execute-api.localhost"


def test_binary_media_types(nubes_server: NubesServer, tree: dict[str, str]) -> None:
    raw = bytes(range(256))
    sent = call(nubes_server.endpoint, tree["id"], "/test/pets/1", method="PUT",
                headers={"Content-Type": "image/png"}, body=raw)
    event = sent.json()["event"]
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == raw
    png = call(nubes_server.endpoint, tree["id"], "/test/x/png", headers={"Accept": "image/png"})
    assert png.status == 200 and png.body == b"\x89PNG\x00\x01"


def test_a_function_without_permission_answers_500(nubes_server: NubesServer, apigw: Any,
                                                   lam: Any, echo: str) -> None:
    api = apigw.create_rest_api(name=unique())
    proxy_method(apigw, api["id"], api["rootResourceId"], echo, "GET")
    deploy(apigw, api["id"])
    answer = call(nubes_server.endpoint, api["id"], "/test")
    assert (answer.status, answer.json()) == (500, {"message": "Internal server error"})
    allow_api(lam, echo, api["id"])
    assert call(nubes_server.endpoint, api["id"], "/test").status == 200


def test_stage_variables_choose_the_function(nubes_server: NubesServer, apigw: Any,
                                             lam: Any, echo: str) -> None:
    api = apigw.create_rest_api(name=unique())
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="NONE")
    prefix = echo.rsplit(":", 1)[0]
    apigw.put_integration(
        restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
        type="AWS_PROXY", integrationHttpMethod="POST",
        uri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            f"{prefix}:${{stageVariables.fn}}/invocations")
    allow_api(lam, echo, api["id"])
    deploy(apigw, api["id"], "test", fn=echo.rsplit(":", 1)[1])
    answer = call(nubes_server.endpoint, api["id"], "/test")
    assert answer.status == 200
    assert json.loads(answer.body)["event"]["stageVariables"]["fn"] == echo.rsplit(":", 1)[1]


def test_compression_and_a_disabled_endpoint(nubes_server: NubesServer, apigw: Any,
                                             lam: Any, echo: str) -> None:
    api = apigw.create_rest_api(name=unique(), minimumCompressionSize=10)
    proxy_method(apigw, api["id"], api["rootResourceId"], echo, "GET")
    allow_api(lam, echo, api["id"])
    deploy(apigw, api["id"])
    plain = call(nubes_server.endpoint, api["id"], "/test")
    assert "content-encoding" not in plain.headers
    zipped = call(nubes_server.endpoint, api["id"], "/test",
                  headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.body))["event"]["resource"] == "/"
    apigw.update_rest_api(restApiId=api["id"], patchOperations=[
        {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"}])
    assert call(nubes_server.endpoint, api["id"], "/test").status == 200  # not yet deployed
    deploy(apigw, api["id"])
    disabled = call(nubes_server.endpoint, api["id"], "/test")
    assert (disabled.status, disabled.json()) == (403, {"message": "Forbidden"})


def test_a_resource_policy(nubes_server: NubesServer, apigw: Any, lam: Any,
                           echo: str) -> None:
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*/*/secret"}]}
    api = apigw.create_rest_api(name=unique(), policy=json.dumps(policy))
    secret = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"],
                                   pathPart="secret")
    proxy_method(apigw, api["id"], api["rootResourceId"], echo, "GET")
    proxy_method(apigw, api["id"], secret["id"], echo, "GET")
    allow_api(lam, echo, api["id"])
    deploy(apigw, api["id"])
    assert call(nubes_server.endpoint, api["id"], "/test").status == 200
    denied = call(nubes_server.endpoint, api["id"], "/test/secret")
    assert denied.status == 403
    assert denied.json() == {"Message": (
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
        f"arn:aws:execute-api:us-east-1:********0000:{api['id']}/test/GET/secret "
        "with an explicit deny")}


def test_an_integration_timeout_is_504(nubes_server: NubesServer, apigw: Any,
                                       lam: Any) -> None:
    sleeper = make_function(lam, "import time\n"
                                 "def handler(event, context):\n"
                                 "    time.sleep(3)\n"
                                 "    return {'statusCode': 200, 'body': 'late'}\n")
    api = apigw.create_rest_api(name=unique())
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"],
                          httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
                          uri=lambda_uri(sleeper), timeoutInMillis=500)
    allow_api(lam, sleeper, api["id"])
    deploy(apigw, api["id"])
    answer = call(nubes_server.endpoint, api["id"], "/test")
    assert (answer.status, answer.json()) == (504, {"message": "Endpoint request timed out"})
