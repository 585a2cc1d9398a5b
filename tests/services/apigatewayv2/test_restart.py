"""An HTTP API and its stage's deployment survive a restart of Nubes."""

from __future__ import annotations

import http.client
from pathlib import Path

import boto3

from tests.conftest import CREDENTIALS
from tests.server import NubesServer
from tests.services.apigatewayv2.conftest import make_function


def test_api_survives_restart(tmp_path: Path) -> None:
    server = NubesServer(tmp_path / "data").start()
    try:
        lam = boto3.client("lambda", endpoint_url=server.endpoint, region_name="us-east-1",
                           **CREDENTIALS)
        apigw = boto3.client("apigatewayv2", endpoint_url=server.endpoint,
                             region_name="us-east-1", **CREDENTIALS)
        api_id = apigw.create_api(Name="durable", ProtocolType="HTTP",
                                  Target=make_function(lam))["ApiId"]
        server.stop()
        server.start()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", f"/_nubes/execute-api/{api_id}/hello")
        response = conn.getresponse()
        assert response.status == 200 and b'"rawPath": "/hello"' in response.read()
        conn.close()
        assert apigw.get_api(ApiId=api_id)["Name"] == "durable"
    finally:
        server.stop()
