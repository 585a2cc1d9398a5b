"""The HTTP data plane's addressing: which requests go to a user's endpoint, and the
answer for an endpoint nobody serves."""

from __future__ import annotations

import http.client
import json

import pytest

from nubes.edge.front_doors import Address, addressed, http_request
from nubes.protocol.http import Request
from tests.server import NubesServer


def _request(path: str, host: str = "localhost:4566", query: str = "") -> Request:
    return Request("GET", path, query, {"host": host},
                   raw_headers=[("host", host), ("cookie", "a=1"), ("cookie", "b=2")])


@pytest.mark.parametrize(("host", "kind", "target"), [
    ("abc123.execute-api.localhost:4566", "execute-api", "abc123"),
    ("abc123.execute-api.localhost", "execute-api", "abc123"),
    ("abc123.execute-api.us-east-1.amazonaws.com", "execute-api", "abc123"),
    ("ABC123.Execute-Api.localhost:80", "execute-api", "abc123"),
    ("u1.lambda-url.localhost:4566", "lambda-url", "u1"),
    ("u1.lambda-url.eu-west-1.on.aws", "lambda-url", "u1"),
])
def test_host_forms(host: str, kind: str, target: str) -> None:
    found = addressed(_request("/prod/pets", host))
    assert found == Address(kind, target, "/prod/pets", False)


@pytest.mark.parametrize("host", [
    "localhost:4566", "s3.localhost:4566", "b.s3.localhost", "x.lambda-url.amazonaws.com",
    "x.execute-api.example.com", "x.execute-api.us-east-1.on.aws",
    "lambda.us-east-1.amazonaws.com",
])
def test_aws_api_hosts_are_not_endpoints(host: str) -> None:
    assert addressed(_request("/2015-03-31/functions", host)) is None


def test_path_forms() -> None:
    assert addressed(_request("/_nubes/execute-api/abc/prod/pets/1")) == \
        Address("execute-api", "abc", "/prod/pets/1", True)
    assert addressed(_request("/_nubes/lambda-url/u1")) == Address("lambda-url", "u1", "/", True)
    assert addressed(_request("/_nubes/lambda-url/u1/a%20b")) == \
        Address("lambda-url", "u1", "/a%20b", True)
    assert addressed(_request("/_nubes/health")) is None
    assert addressed(_request("/_nubes/execute-api/")) is None


def test_http_request_keeps_repeats_and_stage() -> None:
    original = _request("/_nubes/execute-api/abc/prod/pets", query="a=1&a=2")
    address = addressed(original)
    assert address is not None
    request = http_request(original, address, b"body")
    assert request.stage == "prod" and request.path_after_stage == "/pets"
    assert request.header_values("cookie") == ["a=1", "b=2"]
    assert request.query == [("a", "1"), ("a", "2")]
    assert request.domain_name == "abc.execute-api.localhost"
    hosted = http_request(_request("/", "abc.execute-api.localhost:9"),
                          Address("execute-api", "abc", "/", False), b"")
    assert hosted.domain_name == "abc.execute-api.localhost" and hosted.stage is None
    assert hosted.path_after_stage == "/"


def _get(server: NubesServer, path: str, host: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host} if host else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_unknown_endpoint_is_not_found(nubes_server: NubesServer) -> None:
    for path, host in [("/prod/x", "nosuchapi.execute-api.localhost"),
                       ("/", "nosuchurl.lambda-url.localhost"),
                       ("/_nubes/execute-api/nosuchapi/prod/x", None),
                       ("/_nubes/lambda-url/nosuchurl/", None)]:
        status, body = _get(nubes_server, path, host)
        assert (status, json.loads(body)) == (404, {"message": "Not Found"}), (path, host)
    status, body = _get(nubes_server, "/_nubes/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    for path in ("/metrics", "/_nubes/health"):  # the endpoint's own paths, not Nubes'
        status, body = _get(nubes_server, path, "nosuchapi.execute-api.localhost")
        assert (status, json.loads(body)) == (404, {"message": "Not Found"}), path
