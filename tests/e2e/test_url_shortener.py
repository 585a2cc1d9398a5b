"""examples/url-shortener: the Chalice app, packaged as chalice deploy packages it, behind
the REST API made from Chalice's own Swagger document, stores a URL under a new code and
redirects to it (or to the base URL for an unknown code): over plain HTTP, and invoked
with REST API proxy events."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from nubes.examples_deploy import Deployed, Deployer
from tests.e2e.proxy_events import invoke, v1
from tests.plain_http import request
from tests.server import NubesServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shortener(deploy: Callable[..., Deployed]) -> Deployed:
    return deploy("url-shortener", base_url="https://nubes.example/")


def shorten(aws: Deployer, body: str, content_type: str) -> dict[str, object]:
    return invoke(aws, "url-shortener", v1("POST", "/", "/", body=body,
                                           headers={"Content-Type": content_type}))


def test_a_stored_url_redirects(aws: Deployer, shortener: Deployed) -> None:
    created = shorten(aws, json.dumps({"url": "https://example.org/a?b=c"}), "application/json")
    assert created["statusCode"] == 201, created
    body = json.loads(str(created["body"]))
    assert body["url"] == "https://example.org/a?b=c"
    assert body["short_url"] == f"https://abc123.execute-api.localhost/api/{body['code']}"
    code = body["code"]
    followed = invoke(aws, "url-shortener", v1("GET", f"/{code}", "/{code}",
                                               path_parameters={"code": code}))
    assert followed["statusCode"] == 302
    assert followed["headers"]["Location"] == "https://example.org/a?b=c"


def test_a_form_post_is_stored_too(aws: Deployer, shortener: Deployed) -> None:
    created = shorten(aws, "url=http%3A%2F%2Fexample.org%2Fform",
                      "application/x-www-form-urlencoded")
    assert created["statusCode"] == 201
    assert json.loads(str(created["body"]))["url"] == "http://example.org/form"


def test_an_unknown_code_redirects_to_the_base_url(aws: Deployer, shortener: Deployed) -> None:
    followed = invoke(aws, "url-shortener", v1("GET", "/nosuch", "/{code}",
                                               path_parameters={"code": "nosuch"}))
    assert followed["statusCode"] == 302
    assert followed["headers"]["Location"] == "https://nubes.example/"


def test_what_is_not_a_url_is_refused(aws: Deployer, shortener: Deployed) -> None:
    refused = shorten(aws, json.dumps({"url": "javascript:alert(1)"}), "application/json")
    assert refused["statusCode"] == 400
    assert json.loads(str(refused["body"]))["Code"] == "BadRequestError"


# -- over plain HTTP, through the REST API (payload format 1.0) --------------------------

def api_url(shortener: Deployed) -> str:
    line = next(r for r in shortener.resources if r.startswith("REST API url-shortener"))
    return line.split(" at ", 1)[1].split(" ", 1)[0]


def test_over_http_a_posted_url_redirects(examples_server: NubesServer,
                                          shortener: Deployed) -> None:
    url = api_url(shortener)
    assert ".execute-api.localhost:" in url and url.endswith("/api/")
    created = request(examples_server, "POST", url, "url=https%3A%2F%2Fexample.org%2Fhttp",
                      {"Content-Type": "application/x-www-form-urlencoded"})
    assert created.status == 201, created
    body = created.json()
    host = url.split("//", 1)[1].split("/", 1)[0]
    assert body["short_url"] == f"http://{host}/api/{body['code']}"
    followed = request(examples_server, "GET", f"{url}{body['code']}")
    assert followed.status == 302
    assert followed.header("location") == "https://example.org/http"
    unknown = request(examples_server, "GET", f"{url}nosuchcode")
    assert unknown.status == 302 and unknown.header("location") == "https://nubes.example/"


def test_over_http_json_and_refusals(examples_server: NubesServer, shortener: Deployed) -> None:
    url = api_url(shortener)
    created = request(examples_server, "POST", url, json.dumps({"url": "http://a.example/"}),
                      {"Content-Type": "application/json"})
    assert created.status == 201 and created.json()["url"] == "http://a.example/"
    refused = request(examples_server, "POST", url, json.dumps({"url": "ftp://x"}),
                      {"Content-Type": "application/json"})
    assert refused.status == 400
    unrouted = request(examples_server, "PUT", url, "x")  # no PUT method: API Gateway's 403
    assert unrouted.status == 403
    assert unrouted.json() == {"message": "Missing Authentication Token"}


def test_from_a_browser(examples_server: NubesServer, shortener: Deployed) -> None:
    url = api_url(shortener)
    page = request(examples_server, "GET", url, headers={"Accept": "text/html"})
    assert page.status == 200
    assert page.header("content-type") == "text/html; charset=utf-8"
    assert b'<form method="post">' in page.body
    posted = request(examples_server, "POST", url, "url=https%3A%2F%2Fexample.org%2F%3Fa%3D1",
                     {"Content-Type": "application/x-www-form-urlencoded",
                      "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert posted.status == 201 and posted.header("content-type") == "text/html; charset=utf-8"
    short = str(posted.header("location"))
    assert f'<a href="{short}">'.encode() in posted.body
    assert request(examples_server, "GET", short).header("location") == "https://example.org/?a=1"
