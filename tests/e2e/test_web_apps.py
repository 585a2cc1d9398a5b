"""examples/web-apps: a Flask app (apig-wsgi) and a FastAPI app (Mangum) run as functions
with their frameworks vendored: over plain HTTP through their function URLs (and the
FastAPI app through an HTTP API), and invoked with both payload formats (2.0 from HTTP
APIs and function URLs, 1.0 from REST APIs)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from nubes.examples_deploy import Deployed, Deployer
from tests.e2e.proxy_events import invoke, v1, v2
from tests.plain_http import request
from tests.server import NubesServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def web_apps(deploy: Callable[..., Deployed]) -> Deployed:
    return deploy("web-apps")


def test_flask_answers_payload_2_0(aws: Deployer, web_apps: Deployed) -> None:
    got = invoke(aws, "flask-app", v2("POST", "/echo/bob", body=json.dumps({"a": 1}),
                                      query="z=1&z=2",
                                      headers={"content-type": "application/json"}))
    assert got["statusCode"] == 201
    assert json.loads(got["body"]) == {"name": "bob", "method": "POST", "args": {"z": "1"},
                                       "json": {"a": 1}}
    cookies = invoke(aws, "flask-app", v2("GET", "/cookie"))
    assert sorted(cookies["cookies"]) == ["flavour=oat; Path=/", "size=large; Path=/"]


def test_flask_answers_payload_1_0(aws: Deployer, web_apps: Deployed) -> None:
    got = invoke(aws, "flask-app", v1("GET", "/echo/ann", "/echo/{name}", query={"q": "x"},
                                      path_parameters={"name": "ann"}))
    assert got["statusCode"] == 200
    assert json.loads(got["body"])["args"] == {"q": "x"}
    missing = invoke(aws, "flask-app", v1("GET", "/nowhere", "/{proxy+}"))
    assert missing["statusCode"] == 404


def test_fastapi_answers_payload_2_0(aws: Deployer, web_apps: Deployed) -> None:
    got = invoke(aws, "fastapi-app", v2("GET", "/items/3", query="q=x"))
    assert got["statusCode"] == 200 and json.loads(got["body"]) == {"item_id": 3, "q": "x"}
    created = invoke(aws, "fastapi-app", v2("POST", "/items", body=json.dumps({"name": "n"}),
                                            headers={"content-type": "application/json"}))
    assert created["statusCode"] == 201
    assert json.loads(created["body"]) == {"name": "n", "count": 1}
    invalid = invoke(aws, "fastapi-app", v2("GET", "/items/three"))
    assert invalid["statusCode"] == 422


def test_fastapi_answers_payload_1_0(aws: Deployer, web_apps: Deployed) -> None:
    got = invoke(aws, "fastapi-app", v1("GET", "/", "/"))
    assert got["statusCode"] == 200
    assert json.loads(got["body"]) == {"framework": "fastapi", "path": "/"}


# -- over plain HTTP, through each app's function URL (payload format 2.0) ---------------

def url_of(web_apps: Deployed, function: str) -> str:
    line = next(r for r in web_apps.resources if r.startswith(f"function {function} "))
    return line.rsplit(" at ", 1)[1]


def test_flask_over_its_function_url(examples_server: NubesServer, web_apps: Deployed) -> None:
    url = url_of(web_apps, "flask-app")
    assert ".lambda-url.localhost:" in url
    got = request(examples_server, "POST", f"{url}echo/bob?z=1", json.dumps({"a": 1}),
                  {"Content-Type": "application/json"})
    assert got.status == 201
    assert got.json() == {"name": "bob", "method": "POST", "args": {"z": "1"},
                          "json": {"a": 1}}
    cookies = request(examples_server, "GET", f"{url}cookie")
    assert sorted(cookies.all("set-cookie")) == ["flavour=oat; Path=/", "size=large; Path=/"]
    assert request(examples_server, "GET", f"{url}nowhere").status == 404


def test_fastapi_over_its_function_url(examples_server: NubesServer,
                                       web_apps: Deployed) -> None:
    url = url_of(web_apps, "fastapi-app")
    got = request(examples_server, "GET", f"{url}items/3?q=x")
    assert got.status == 200 and got.json() == {"item_id": 3, "q": "x"}
    assert got.header("content-type") == "application/json"
    created = request(examples_server, "POST", f"{url}items", json.dumps({"name": "n"}),
                      {"Content-Type": "application/json"})
    assert created.status == 201 and created.json() == {"name": "n", "count": 1}
    assert request(examples_server, "GET", f"{url}items/three").status == 422


def test_fastapi_through_an_http_api(examples_server: NubesServer, web_apps: Deployed) -> None:
    line = next(r for r in web_apps.resources if r.startswith("HTTP API fastapi-app "))
    url = line.split(" at ", 1)[1].split(" ", 1)[0]
    assert ".execute-api.localhost:" in url
    got = request(examples_server, "GET", f"{url}items/7?q=y")
    assert got.status == 200 and got.json() == {"item_id": 7, "q": "y"}
    created = request(examples_server, "POST", f"{url}items",
                      json.dumps({"name": "pen", "count": 2}),
                      {"Content-Type": "application/json"})
    assert created.status == 201 and created.json() == {"name": "pen", "count": 2}
    assert request(examples_server, "GET", f"{url}nowhere").status == 404


def test_flask_through_an_http_api_sending_payload_1_0(examples_server: NubesServer,
                                                       aws: Deployer,
                                                       web_apps: Deployed) -> None:
    line = next(r for r in web_apps.resources if r.startswith("HTTP API flask-app "))
    url = line.split(" at ", 1)[1].split(" ", 1)[0]
    api_id = url.split("//", 1)[1].split(".", 1)[0]
    integrations = aws.client("apigatewayv2").get_integrations(ApiId=api_id)["Items"]
    assert [i["PayloadFormatVersion"] for i in integrations] == ["1.0"]
    got = request(examples_server, "POST", f"{url}echo/ann?z=1&z=2", json.dumps({"b": 2}),
                  {"Content-Type": "application/json"})
    assert got.status == 201
    assert got.json() == {"name": "ann", "method": "POST", "args": {"z": "1"},
                          "json": {"b": 2}}
    cookies = request(examples_server, "GET", f"{url}cookie")
    assert sorted(cookies.all("set-cookie")) == ["flavour=oat; Path=/", "size=large; Path=/"]
