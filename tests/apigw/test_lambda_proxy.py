"""Lambda proxy events (payload formats 1.0 and 2.0) and the mapping of answers back."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from nubes.apigw.lambda_proxy import (
    MalformedResponse,
    Route,
    event_v1,
    event_v2,
    is_binary_media_type,
    is_text,
    request_time,
    response_v1,
    response_v2,
)
from nubes.edge.front_doors import HttpRequest
from nubes.protocol.http import Request

NOW = datetime(2020, 3, 12, 19, 3, 58, 390000, tzinfo=UTC)


def _request(method: str = "GET", path: str = "/prod/pets/7", query: str = "",
             headers: list[tuple[str, str]] | None = None, body: bytes = b"") -> HttpRequest:
    headers = headers if headers is not None else [
        ("host", "abc123.execute-api.localhost:4566"), ("user-agent", "curl/8"),
        ("accept", "a/b"), ("accept", "c/d"), ("cookie", "s=1; t=2"), ("cookie", "u=3")]
    original = Request(method, path, query, dict(headers), raw_headers=headers)
    return HttpRequest("execute-api", "abc123", method, path, query, headers, body,
                       "10.0.0.9", "abc123.execute-api.localhost:4566", "prod", False,
                       original)


def _route(**kwargs: object) -> Route:
    base: dict[str, object] = dict(account_id="000000000000", api_id="abc123", stage="prod",
                                   request_id="rid-1", path="/prod/pets/7",
                                   route_key="GET /pets/{id}", path_parameters={"id": "7"},
                                   stage_variables={"v": "1"}, now=NOW)
    base.update(kwargs)
    return Route(**base)  # type: ignore[arg-type]


def test_v2_event_shape() -> None:
    event = event_v2(_request(query="a=1&a=2&b=&c=x%20y"), _route())
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /pets/{id}"
    assert event["rawPath"] == "/prod/pets/7"
    assert event["rawQueryString"] == "a=1&a=2&b=&c=x%20y"
    assert event["cookies"] == ["s=1", "t=2", "u=3"]
    assert event["headers"]["accept"] == "a/b,c/d"
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-forwarded-for"] == "10.0.0.9"
    assert event["headers"]["x-forwarded-port"] == "4566"
    assert event["headers"]["x-forwarded-proto"] == "http"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "", "c": "x y"}
    assert event["pathParameters"] == {"id": "7"}
    assert event["stageVariables"] == {"v": "1"}
    assert event["isBase64Encoded"] is False and "body" not in event
    context = event["requestContext"]
    assert context["http"] == {"method": "GET", "path": "/prod/pets/7", "protocol": "HTTP/1.1",
                               "sourceIp": "10.0.0.9", "userAgent": "curl/8"}
    assert context["domainName"] == "abc123.execute-api.localhost"
    assert context["domainPrefix"] == "abc123"
    assert (context["accountId"], context["apiId"], context["stage"]) == \
        ("000000000000", "abc123", "prod")
    assert (context["requestId"], context["routeKey"]) == ("rid-1", "GET /pets/{id}")
    assert context["time"] == "12/Mar/2020:19:03:58 +0000"
    assert context["timeEpoch"] == 1584039838390
    assert "authorizer" not in context


def test_v2_optional_fields_absent() -> None:
    event = event_v2(_request(headers=[("host", "x")]),
                     _route(path_parameters=None, stage_variables=None))
    for key in ("cookies", "queryStringParameters", "pathParameters", "stageVariables",
                "body"):
        assert key not in event
    assert event["rawQueryString"] == ""


@pytest.mark.parametrize(("content_type", "encoded"), [
    ("application/json", False), ("text/plain; charset=utf-8", False),
    ("application/vnd.api+json", False), ("application/x-www-form-urlencoded", False),
    ("image/png", True), ("application/octet-stream", True),
])
def test_v2_body_base64_by_content_type(content_type: str, encoded: bool) -> None:
    body = b'{"k": "v"}'
    event = event_v2(_request("POST", headers=[("content-type", content_type)], body=body),
                     _route())
    assert event["isBase64Encoded"] is encoded
    assert (base64.b64decode(event["body"]) if encoded else event["body"].encode()) == body


def test_v2_non_utf8_text_is_base64() -> None:
    event = event_v2(_request("POST", headers=[("content-type", "text/plain")],
                              body=b"\xff\xfe"), _route())
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\xff\xfe"


def test_v1_event_shape() -> None:
    event = event_v1(_request(query="a=1&a=2&b=3"),
                     _route(path="/pets/7", context_path="/prod/pets/7",
                            route_key="/pets/{id}", resource_id="r1",
                            authorizer={"principalId": "me"}), title_case=True)
    assert "version" not in event
    assert event["resource"] == "/pets/{id}" and event["path"] == "/pets/7"
    assert event["httpMethod"] == "GET"
    assert event["headers"]["Accept"] == "c/d"
    assert event["multiValueHeaders"]["Accept"] == ["a/b", "c/d"]
    assert event["multiValueHeaders"]["Cookie"] == ["s=1; t=2", "u=3"]
    assert event["queryStringParameters"] == {"a": "2", "b": "3"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["3"]}
    assert event["pathParameters"] == {"id": "7"}
    assert event["stageVariables"] == {"v": "1"}
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["path"] == "/prod/pets/7" and context["resourcePath"] == "/pets/{id}"
    assert context["resourceId"] == "r1" and context["httpMethod"] == "GET"
    assert context["identity"]["sourceIp"] == "10.0.0.9"
    assert context["identity"]["userAgent"] == "curl/8"
    assert context["identity"]["accessKey"] is None
    assert context["requestTime"] == request_time(NOW)
    assert context["requestTimeEpoch"] == 1584039838390
    assert context["authorizer"] == {"principalId": "me"}
    assert context["extendedRequestId"] and context["protocol"] == "HTTP/1.1"


def test_v1_event_empty_forms_are_null_and_version_for_http_apis() -> None:
    event = event_v1(_request(headers=[]), _route(path_parameters=None, stage_variables=None),
                     version="1.0")
    assert event["version"] == "1.0"
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None and event["stageVariables"] is None
    assert event["headers"]["x-forwarded-for"] == "10.0.0.9"


def test_v1_binary_body() -> None:
    event = event_v1(_request("POST", body=b"\x00\x01"), _route(), binary=True)
    assert event["isBase64Encoded"] is True and event["body"] == "AAE="
    text = event_v1(_request("POST", body=b"hi"), _route())
    assert (text["body"], text["isBase64Encoded"]) == ("hi", False)


def test_media_types() -> None:
    assert is_binary_media_type("image/png", ["image/*"])
    assert is_binary_media_type("text/html", ["*/*"])
    assert not is_binary_media_type("text/html", ["image/*"])
    assert not is_binary_media_type(None, ["image/*"])
    assert is_text(None) and is_text("application/xml") and not is_text("image/gif")


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def test_response_v1() -> None:
    answer = response_v1(_json({
        "statusCode": 201, "headers": {"X-One": "1", "Set-Cookie": "ignored"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "body": "made"}))
    assert answer.status == 201 and answer.body == b"made"
    assert ("X-One", "1") in answer.headers
    assert [v for n, v in answer.headers if n == "Set-Cookie"] == ["a=1", "b=2"]
    binary = response_v1(_json({"statusCode": "200", "body": "AAE=", "isBase64Encoded": True}))
    assert binary.status == 200 and binary.body == b"\x00\x01"


@pytest.mark.parametrize("answer", [
    {"body": "no status"}, "a string", None, {"statusCode": "abc"},
    {"statusCode": 200, "body": {"not": "a string"}}, {"statusCode": 200, "extra": 1},
    {"statusCode": 200, "headers": ["x"]}, {"statusCode": 200, "body": "!!",
                                            "isBase64Encoded": True},
])
def test_response_v1_malformed(answer: object) -> None:
    with pytest.raises(MalformedResponse):
        response_v1(_json(answer))


def test_response_v2_structured() -> None:
    answer = response_v2(_json({"statusCode": 302, "headers": {"location": "/x", "n": 5},
                                "cookies": ["a=1; Path=/", "b=2"], "body": "moved"}))
    assert answer.status == 302 and answer.body == b"moved"
    assert [v for n, v in answer.headers if n == "set-cookie"] == ["a=1; Path=/", "b=2"]
    assert ("location", "/x") in answer.headers and ("n", "5") in answer.headers
    assert ("content-type", "application/json") in answer.headers
    typed = response_v2(_json({"statusCode": 200, "headers": {"Content-Type": "text/html"},
                               "body": "PGI+", "isBase64Encoded": True}))
    assert typed.body == b"<b>" and ("content-type", "application/json") not in typed.headers


@pytest.mark.parametrize("answer", [{"message": "hi"}, "hello", [1, 2], 42, None])
def test_response_v2_inferred(answer: object) -> None:
    payload = _json(answer)
    mapped = response_v2(payload)
    assert mapped.status == 200 and mapped.body == payload
    assert mapped.headers == [("content-type", "application/json")]


@pytest.mark.parametrize("answer", [{"statusCode": "x"}, {"statusCode": 200, "body": 5},
                                    {"statusCode": 200, "cookies": "a=1"}])
def test_response_v2_malformed(answer: object) -> None:
    with pytest.raises(MalformedResponse):
        response_v2(_json(answer))
