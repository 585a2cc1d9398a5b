"""examples/web-apps: a Flask app (apig-wsgi) and a FastAPI app (Mangum) run as functions
with their frameworks vendored, answering both payload formats (2.0 from HTTP APIs and
function URLs, 1.0 from REST APIs)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from nubes.examples_deploy import Deployed, Deployer
from tests.e2e.proxy_events import invoke, v1, v2

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
