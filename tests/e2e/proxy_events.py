"""API Gateway proxy events as AWS documents them (payload formats 1.0 and 2.0), for
invoking the web examples' functions directly while their HTTP front ends are built."""

from __future__ import annotations

import base64
import json
from typing import Any


def v1(method: str, path: str, resource: str, *, body: str | None = None,
       query: dict[str, str] | None = None, headers: dict[str, str] | None = None,
       path_parameters: dict[str, str] | None = None, stage: str = "api") -> dict[str, Any]:
    """A REST API's Lambda proxy event (payload format 1.0)."""
    headers = {"Host": "abc123.execute-api.localhost", **(headers or {})}
    return {
        "resource": resource, "path": path, "httpMethod": method,
        "headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters, "stageVariables": None,
        "requestContext": {
            "resourcePath": resource, "httpMethod": method, "path": f"/{stage}{path}",
            "stage": stage, "domainName": headers["Host"], "apiId": "abc123",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "accountId": "000000000000",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "tests"}},
        "body": body, "isBase64Encoded": False}


def v2(method: str, path: str, *, body: str | bytes | None = None, query: str = "",
       headers: dict[str, str] | None = None, cookies: list[str] | None = None,
       stage: str = "$default") -> dict[str, Any]:
    """An HTTP API's (or function URL's) Lambda event (payload format 2.0)."""
    headers = {"host": "abc123.execute-api.localhost", **(headers or {})}
    encoded = isinstance(body, bytes)
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000", "apiId": "abc123", "domainName": headers["host"],
            "domainPrefix": "abc123", "stage": stage, "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default", "time": "22/Nov/2026:18:00:00 +0000",
            "timeEpoch": 1795370400000,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "tests"}},
        "isBase64Encoded": encoded}
    if cookies:
        event["cookies"] = cookies
    if body is not None:
        event["body"] = base64.b64encode(body).decode() if isinstance(body, bytes) else body
    return event


def invoke(aws: Any, function: str, event: dict[str, Any]) -> dict[str, Any]:
    """The proxy result the function returned (its error, if it raised one, fails)."""
    response = aws.client("lambda").invoke(FunctionName=function, Payload=json.dumps(event))
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload
    result: dict[str, Any] = payload
    return result
