"""ImportApi and ReimportApi: HTTP APIs from OpenAPI 3.0 definitions (YAML and JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.apigatewayv2.conftest import Answer

DEFINITION = """
openapi: "3.0.1"
info:
  title: pets-api
  version: "1.2"
  description: pets over HTTP
x-amazon-apigateway-cors:
  allowOrigins: ["https://app.example"]
  allowMethods: ["GET"]
  maxAge: 60
components:
  securitySchemes:
    tokens:
      type: oauth2
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: "$request.header.Authorization"
        jwtConfiguration:
          issuer: "https://issuer.example"
          audience: ["pets"]
    sigv4:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: awsSigv4
paths:
  /pets/{id}:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: "FUNCTION"
        payloadFormatVersion: "1.0"
        timeoutInMillis: 5000
  /secret:
    get:
      security:
        - tokens: ["read"]
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri: "FUNCTION"
        payloadFormatVersion: "2.0"
  /iam:
    x-amazon-apigateway-any-method:
      security:
        - sigv4: []
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri: "FUNCTION"
        payloadFormatVersion: "2.0"
"""


def test_import_and_reimport(apigw: Any, call: Callable[..., Answer], echo_arn: str) -> None:
    api = apigw.import_api(Body=DEFINITION.replace("FUNCTION", echo_arn))
    api_id = api["ApiId"]
    try:
        assert (api["Name"], api["Version"], api["Description"]) == \
            ("pets-api", "1.2", "pets over HTTP")
        assert api["CorsConfiguration"] == {"AllowOrigins": ["https://app.example"],
                                            "AllowMethods": ["GET"], "MaxAge": 60}
        routes = {r["RouteKey"]: r for r in apigw.get_routes(ApiId=api_id)["Items"]}
        assert set(routes) == {"GET /pets/{id}", "GET /secret", "ANY /iam"}
        assert routes["GET /secret"]["AuthorizationType"] == "JWT"
        assert routes["GET /secret"]["AuthorizationScopes"] == ["read"]
        assert routes["ANY /iam"]["AuthorizationType"] == "AWS_IAM"
        [authorizer] = apigw.get_authorizers(ApiId=api_id)["Items"]
        assert authorizer["Name"] == "tokens" and authorizer["AuthorizerType"] == "JWT"
        assert authorizer["JwtConfiguration"]["Audience"] == ["pets"]
        integrations = apigw.get_integrations(ApiId=api_id)["Items"]
        assert sorted(i["PayloadFormatVersion"] for i in integrations) == ["1.0", "2.0", "2.0"]
        apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        got = call(api_id, "GET", "/pets/3")
        assert got.status == 200 and got.json()["pathParameters"] == {"id": "3"}
        assert call(api_id, "GET", "/secret").status == 401

        replacement = {
            "openapi": "3.0.1", "info": {"title": "pets-v2"},
            "paths": {"/$default": {"x-amazon-apigateway-any-method": {
                "isDefaultRoute": True, "x-amazon-apigateway-integration": {
                    "type": "aws_proxy", "uri": echo_arn, "payloadFormatVersion": "2.0"}}}}}
        again = apigw.reimport_api(ApiId=api_id, Body=json.dumps(replacement))
        assert again["Name"] == "pets-v2" and "CorsConfiguration" not in again
        assert [r["RouteKey"] for r in apigw.get_routes(ApiId=api_id)["Items"]] == ["$default"]
        assert apigw.get_authorizers(ApiId=api_id)["Items"] == []
        served = call(api_id, "GET", "/secret")  # the auto-deploying stage follows
        assert served.status == 200 and served.json()["routeKey"] == "$default"
    finally:
        apigw.delete_api(ApiId=api_id)


@pytest.mark.parametrize("body", [
    "not: [valid", '{"swagger": "2.0", "info": {"title": "x"}}',
    '{"openapi": "3.0.1", "info": {}}',
    '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": {}}}}',
    '{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/a": {"get": {'
    '"x-amazon-apigateway-integration": {"type": "mock"}}}}}',
])
def test_bad_definitions(apigw: Any, body: str) -> None:
    with pytest.raises(ClientError) as error:
        apigw.import_api(Body=body)
    assert error.value.response["Error"]["Code"] == "BadRequestException"


def test_export_round_trips(apigw: Any, echo_arn: str) -> None:
    api_id = apigw.import_api(Body=DEFINITION.replace("FUNCTION", echo_arn))["ApiId"]
    made: list[str] = [api_id]
    try:
        exported = apigw.export_api(ApiId=api_id, Specification="OAS30",
                                    OutputType="JSON")["body"].read()
        doc = json.loads(exported)
        assert doc["openapi"].startswith("3.0") and doc["info"]["title"] == "pets-api"
        assert set(doc["paths"]) == {"/pets/{id}", "/secret", "/iam"}
        assert doc["paths"]["/secret"]["get"]["security"] == [{"tokens": ["read"]}]
        copy = apigw.import_api(Body=exported.decode())["ApiId"]
        made.append(copy)
        keys = sorted(r["RouteKey"] for r in apigw.get_routes(ApiId=copy)["Items"])
        assert keys == ["ANY /iam", "GET /pets/{id}", "GET /secret"]
        assert apigw.get_api(ApiId=copy)["CorsConfiguration"]["MaxAge"] == 60
        yaml_text = apigw.export_api(ApiId=api_id, Specification="OAS30", OutputType="YAML",
                                     IncludeExtensions=False)["body"].read().decode()
        assert "title: pets-api" in yaml_text
        assert "x-amazon-apigateway-integration" not in yaml_text
        apigw.create_stage(ApiId=api_id, StageName="old", AutoDeploy=True)
        apigw.delete_route(ApiId=api_id, RouteId=[
            r["RouteId"] for r in apigw.get_routes(ApiId=api_id)["Items"]
            if r["RouteKey"] == "ANY /iam"][0])
        staged = json.loads(apigw.export_api(ApiId=api_id, Specification="OAS30",
                                             OutputType="JSON", StageName="old")["body"].read())
        assert "/iam" not in staged["paths"]  # the auto-deploying stage followed the change
    finally:
        for made_id in made:
            apigw.delete_api(ApiId=made_id)
