"""examples/posts-api: the function lists the posts in its table, newest first, and
creates one from a JSON body."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from nubes.examples_deploy import Deployed, Deployer
from tests.e2e.proxy_events import invoke, v1

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
