"""A browser's view of a bucket's CORS configuration: preflights and actual requests."""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit

import pytest

from nubes.services.s3.cors import wildcard_match
from tests.server import NubesServer

RULES = {
    "CORSRules": [
        {
            "AllowedOrigins": ["https://app.example.com", "http://*.example.org"],
            "AllowedMethods": ["GET", "PUT"],
            "AllowedHeaders": ["content-type", "x-amz-*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 600,
        },
        {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]},
    ]
}


def request(server: NubesServer, method: str, path: str,
            headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    host = urlsplit(server.endpoint)
    conn = http.client.HTTPConnection(host.hostname or "127.0.0.1", host.port)
    try:
        conn.request(method, path, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.fixture
def cors_bucket(s3: Any, bucket: str) -> str:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    s3.put_object(Bucket=bucket, Key="page.html", Body=b"<p>hi</p>")
    return bucket


def test_preflight_allowed_by_the_first_matching_rule(nubes_server: NubesServer,
                                                      cors_bucket: str) -> None:
    status, headers, _ = request(nubes_server, "OPTIONS", f"/{cors_bucket}/page.html", {
        "Origin": "https://app.example.com",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "Content-Type, X-Amz-Meta-Owner",
    })
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    assert headers["access-control-allow-methods"] == "GET, PUT"
    assert headers["access-control-allow-headers"] == "content-type, x-amz-meta-owner"
    assert headers["access-control-max-age"] == "600"
    assert headers["access-control-expose-headers"] == "ETag"
    assert headers["access-control-allow-credentials"] == "true"


def test_preflight_with_wildcard_origins(nubes_server: NubesServer, cors_bucket: str) -> None:
    status, headers, _ = request(nubes_server, "OPTIONS", f"/{cors_bucket}/page.html", {
        "Origin": "http://docs.example.org", "Access-Control-Request-Method": "GET"})
    assert status == 200
    assert headers["access-control-allow-origin"] == "http://docs.example.org"
    status, headers, _ = request(nubes_server, "OPTIONS", f"/{cors_bucket}/page.html", {
        "Origin": "https://elsewhere.test", "Access-Control-Request-Method": "GET"})
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in headers


def test_preflight_refused(nubes_server: NubesServer, cors_bucket: str, bucket: str) -> None:
    status, _, body = request(nubes_server, "OPTIONS", f"/{cors_bucket}/page.html", {
        "Origin": "https://elsewhere.test", "Access-Control-Request-Method": "DELETE"})
    assert status == 403
    assert b"<Code>AccessForbidden</Code>" in body and b"CORSResponse" in body
    status, _, body = request(nubes_server, "OPTIONS", f"/{cors_bucket}/page.html",
                              {"Access-Control-Request-Method": "GET"})
    assert status == 400 and b"Origin request header needed" in body


def test_preflight_on_a_bucket_without_cors(nubes_server: NubesServer, s3: Any) -> None:
    s3.create_bucket(Bucket="no-cors-here")
    status, _, body = request(nubes_server, "OPTIONS", "/no-cors-here/x", {
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
    assert status == 403 and b"CORS is not enabled for this bucket" in body


def test_actual_request_carries_cors_headers(s3: Any, cors_bucket: str) -> None:
    seen: dict[str, str] = {}

    def add_origin(request: Any, **_: Any) -> None:
        request.headers["Origin"] = "https://app.example.com"

    def keep_headers(http_response: Any, **_: Any) -> None:
        seen.update({k.lower(): v for k, v in http_response.headers.items()})

    events = s3.meta.events
    events.register("before-send.s3.GetObject", add_origin)
    events.register("after-call.s3.GetObject", keep_headers)
    try:
        assert s3.get_object(Bucket=cors_bucket, Key="page.html")["Body"].read() == b"<p>hi</p>"
    finally:
        events.unregister("before-send.s3.GetObject", add_origin)
        events.unregister("after-call.s3.GetObject", keep_headers)
    assert seen["access-control-allow-origin"] == "https://app.example.com"
    assert seen["access-control-expose-headers"] == "ETag"


def test_cors_configuration_round_trip_and_delete(s3: Any, cors_bucket: str) -> None:
    rules = s3.get_bucket_cors(Bucket=cors_bucket)["CORSRules"]
    assert rules[0]["AllowedOrigins"] == RULES["CORSRules"][0]["AllowedOrigins"]
    s3.delete_bucket_cors(Bucket=cors_bucket)
    with pytest.raises(s3.exceptions.ClientError) as caught:
        s3.get_bucket_cors(Bucket=cors_bucket)
    assert caught.value.response["Error"]["Code"] == "NoSuchCORSConfiguration"


@pytest.mark.parametrize(("pattern", "value", "expected"), [
    ("*", "https://a.b", True),
    ("https://*.example.com", "https://x.example.com", True),
    ("https://*.example.com", "https://example.com", False),
    ("https://a.com", "https://a.com", True),
    ("https://a.com", "https://a.co", False),
    ("x-amz-*", "x-amz-meta-a", True),
])
def test_wildcard_match(pattern: str, value: str, expected: bool) -> None:
    assert wildcard_match(pattern, value) is expected
