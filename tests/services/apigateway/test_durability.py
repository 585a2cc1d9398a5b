"""A deployed REST API, its keys and its quota counts survive kill -9."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from tests.server import NubesServer
from tests.services.apigateway.conftest import call


def _client(server: NubesServer) -> Any:
    return boto3.client("apigateway", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}))


def test_an_api_and_its_quota_survive_kill_9(tmp_path: Path) -> None:
    server = NubesServer(tmp_path / "data").start()
    try:
        apigw = _client(server)
        api = apigw.create_rest_api(name="durable")
        apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"],
                         httpMethod="GET", authorizationType="NONE", apiKeyRequired=True)
        apigw.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"],
                              httpMethod="GET", type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})
        apigw.put_integration_response(restApiId=api["id"],
                                       resourceId=api["rootResourceId"], httpMethod="GET",
                                       statusCode="200",
                                       responseTemplates={"application/json": '{"ok": 1}'})
        apigw.create_deployment(restApiId=api["id"], stageName="prod")
        key = apigw.create_api_key(name="k", enabled=True)
        plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api["id"],
                                                             "stage": "prod"}],
                                       quota={"limit": 2, "period": "MONTH"})
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"],
                                    keyType="API_KEY")
        headers = {"x-api-key": key["value"]}
        assert call(server.endpoint, api["id"], "/prod", headers=headers).json() == {"ok": 1}
        server.kill()
        server.start()
        again = call(server.endpoint, api["id"], "/prod", headers=headers)
        assert (again.status, again.json()) == (200, {"ok": 1})
        spent = call(server.endpoint, api["id"], "/prod", headers=headers)
        assert (spent.status, spent.json()) == (429, {"message": "Limit Exceeded"})
    finally:
        server.stop()
