"""examples/posts-api: the function lists the posts in its table, newest first, and
creates one from a JSON body; over plain HTTP, its REST API answers only requests with an
API key of its usage plan, and 429 once the plan's quota is used up."""

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
def posts_api(deploy: Callable[..., Deployed]) -> Deployed:
    return deploy("posts-api")


def test_created_posts_are_listed_newest_first(aws: Deployer, posts_api: Deployed) -> None:
    ids = []
    for title in ("first", "second"):
        created = invoke(aws, "posts-api", v1("POST", "/posts", "/posts",
                                              body=json.dumps({"title": title, "body": "x"})))
        assert created["statusCode"] == 201, created
        ids.append(json.loads(created["body"])["id"])
    listed = invoke(aws, "posts-api", v1("GET", "/posts", "/posts"))
    assert listed["statusCode"] == 200
    assert listed["headers"]["Content-Type"] == "application/json"
    posts = json.loads(listed["body"])["posts"]
    mine = [post["id"] for post in posts if post["id"] in ids]
    assert mine == ids[::-1]


def test_a_post_needs_a_title(aws: Deployer, posts_api: Deployed) -> None:
    for body in ("not json", json.dumps({"body": "x"}), json.dumps({"title": ""})):
        refused = invoke(aws, "posts-api", v1("POST", "/posts", "/posts", body=body))
        assert refused["statusCode"] == 400, body


# -- over plain HTTP, through the REST API and its API key -------------------------------

def posts_url(deployed: Deployed) -> str:
    line = next(r for r in deployed.resources if r.startswith("REST API posts-api"))
    return line.split(" at ", 1)[1].split(" ", 1)[0]


def key_value(aws: Deployer, name: str) -> str:
    keys = aws.client("apigateway").get_api_keys(nameQuery=name, includeValues=True)["items"]
    return str(next(key["value"] for key in keys if key["name"] == name))


def test_over_http_with_the_key(examples_server: NubesServer, aws: Deployer,
                                posts_api: Deployed) -> None:
    url = posts_url(posts_api)
    assert ".execute-api.localhost:" in url and url.endswith("/prod/posts")
    key = {"x-api-key": key_value(aws, "posts-api-key")}
    created = request(examples_server, "POST", url, json.dumps({"title": "over http"}),
                      {**key, "Content-Type": "application/json"})
    assert created.status == 201, created
    post = created.json()
    listed = request(examples_server, "GET", url, headers=key)
    assert listed.status == 200 and listed.header("content-type") == "application/json"
    assert post in listed.json()["posts"]
    refused = request(examples_server, "POST", url, "{}", key)
    assert refused.status == 400


def test_over_http_without_a_valid_key_is_forbidden(examples_server: NubesServer,
                                                    posts_api: Deployed) -> None:
    url = posts_url(posts_api)
    for headers in ({}, {"x-api-key": "not-a-key-of-this-api-0123456789abcdefgh"}):
        for method, body in (("GET", None), ("POST", json.dumps({"title": "no"}))):
            answer = request(examples_server, method, url, body, headers)
            assert answer.status == 403, (method, headers)
            assert answer.json() == {"message": "Forbidden"}


def test_over_http_a_used_up_quota_is_429(examples_server: NubesServer, aws: Deployer,
                                          deploy: Callable[..., Deployed]) -> None:
    small = deploy("posts-api", key_name="posts-small-key", plan_name="posts-small-plan",
                   quota="3")
    url = posts_url(small)
    key = {"x-api-key": key_value(aws, "posts-small-key")}
    assert [request(examples_server, "GET", url, headers=key).status
            for _ in range(3)] == [200, 200, 200]
    over = request(examples_server, "GET", url, headers=key)
    assert over.status == 429 and over.json() == {"message": "Limit Exceeded"}
