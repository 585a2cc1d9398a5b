"""Route selection (AWS's precedence) and token buckets, without a server."""

from __future__ import annotations

import pytest

from nubes.services.apigatewayv2.matching import RouteTable
from nubes.services.apigatewayv2.throttle import TokenBuckets

KEYS = ["GET /pets/{id}", "GET /pets/dog", "ANY /pets/dog", "GET /pets/{id}/toys",
        "ANY /{proxy+}", "GET /pets/{proxy+}", "POST /a/{b}/c", "POST /a/b/{c}", "GET /",
        "$default"]


@pytest.mark.parametrize(("method", "path", "key", "params"), [
    ("GET", "/pets/dog", "GET /pets/dog", {}),
    ("POST", "/pets/dog", "ANY /pets/dog", {}),
    ("GET", "/pets/7", "GET /pets/{id}", {"id": "7"}),
    ("GET", "/pets/a%20b", "GET /pets/{id}", {"id": "a b"}),
    ("GET", "/pets/7/toys", "GET /pets/{id}/toys", {"id": "7"}),
    ("GET", "/pets/7/food/x", "GET /pets/{proxy+}", {"proxy": "7/food/x"}),
    ("DELETE", "/pets/7/food", "ANY /{proxy+}", {"proxy": "pets/7/food"}),
    ("POST", "/a/b/c", "POST /a/b/{c}", {"c": "c"}),
    ("GET", "/", "GET /", {}),
    ("POST", "/", "$default", {}),
])
def test_most_specific_route_wins(method: str, path: str, key: str,
                                  params: dict[str, str]) -> None:
    found = RouteTable(KEYS).match(method, path)
    assert found is not None
    assert (found.route_key, found.path_parameters) == (key, params)


def test_no_default_no_match() -> None:
    table = RouteTable(["GET /pets/{id}", "ANY /{proxy+}"])
    assert table.match("GET", "/") is None  # a greedy variable takes one segment or more
    assert table.match("GET", "/pets/") is not None  # the greedy route takes "pets/"
    assert RouteTable(["GET /pets/{id}"]).match("GET", "/pets/") is None


def test_token_bucket() -> None:
    now = [0.0]
    buckets = TokenBuckets(clock=lambda: now[0])
    key = ("api", "stage", "route")
    assert [buckets.take(key, 1.0, 2) for _ in range(3)] == [True, True, False]
    now[0] = 1.0
    assert buckets.take(key, 1.0, 2) and not buckets.take(key, 1.0, 2)
    now[0] = 100.0  # refills up to the burst only
    assert [buckets.take(key, 1.0, 2) for _ in range(3)] == [True, True, False]
    assert not buckets.take(("api", "stage", "zero"), 0.0, 0)
