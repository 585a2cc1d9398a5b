"""examples/url-shortener: the Chalice app, packaged as chalice deploy packages it, stores a
URL under a new code and redirects to it (or to the base URL for an unknown code)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from nubes.examples_deploy import Deployed, Deployer
from tests.e2e.proxy_events import invoke, v1

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
