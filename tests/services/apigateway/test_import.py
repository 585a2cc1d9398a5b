"""ImportRestApi and PutRestApi from OpenAPI documents with API Gateway's extensions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.errors import error_of
from tests.server import NubesServer
from tests.services.apigateway.conftest import allow_api, call, make_function, unique

FN = "arn:aws:lambda:us-east-1:000000000000:function:hello"
URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN}/invocations"

SWAGGER: dict[str, Any] = {
    "swagger": "2.0",
    "info": {"title": "pets", "version": "1.0"},
    "x-amazon-apigateway-binary-media-types": ["image/png"],
    "x-amazon-apigateway-api-key-source": "HEADER",
    "x-amazon-apigateway-gateway-responses": {
        "DEFAULT_4XX": {"responseParameters": {
            "gatewayResponse.header.Access-Control-Allow-Origin": "'*'"}}},
    "securityDefinitions": {
        "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
        "tokens": {"type": "apiKey", "name": "Authorization", "in": "header",
                   "x-amazon-apigateway-authtype": "custom",
                   "x-amazon-apigateway-authorizer": {
                       "type": "token", "authorizerUri": URI,
                       "authorizerResultTtlInSeconds": 60,
                       "identityValidationExpression": "^Bearer .+$"}},
    },
    "paths": {
        "/pets": {
            "get": {"security": [{"api_key": []}],
                    "parameters": [{"name": "type", "in": "query", "required": False}],
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy", "httpMethod": "POST", "uri": URI,
                        "passthroughBehavior": "when_no_match"}},
        },
        "/pets/{id}": {
            "get": {"security": [{"tokens": []}],
                    "parameters": [{"name": "id", "in": "path", "required": True}],
                    "x-amazon-apigateway-integration": {
                        "type": "mock", "requestTemplates": {
                            "application/json": "{\"statusCode\": 200}"},
                        "responses": {"default": {"statusCode": "200"}}}},
        },
        "/{proxy+}": {"x-amazon-apigateway-any-method": {
            "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST",
                                                "uri": URI}}},
    },
}


def _methods(apigw: Any, api_id: str) -> dict[str, dict[str, Any]]:
    items = apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]
    return {f"{name} {r['path']}": method for r in items
            for name, method in (r.get("resourceMethods") or {}).items()}


def test_import_swagger_from_a_file(apigw: Any, tmp_path: Path) -> None:
    path = tmp_path / "swagger.json"
    path.write_text(json.dumps(SWAGGER))
    api = apigw.import_rest_api(body=path.read_bytes(), failOnWarnings=True,
                                parameters={"endpointConfigurationTypes": "REGIONAL"})
    assert api["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert api["name"] == "pets" and api["binaryMediaTypes"] == ["image/png"]
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
    methods = _methods(apigw, api["id"])
    assert set(methods) == {"GET /pets", "GET /pets/{id}", "ANY /{proxy+}"}
    assert methods["GET /pets"]["apiKeyRequired"] is True
    assert methods["GET /pets"]["requestParameters"] == {"method.request.querystring.type":
                                                         False}
    assert methods["GET /pets"]["methodIntegration"]["type"] == "AWS_PROXY"
    assert methods["GET /pets"]["methodIntegration"]["uri"] == URI
    by_id = methods["GET /pets/{id}"]
    assert by_id["authorizationType"] == "CUSTOM"
    authorizer = apigw.get_authorizer(restApiId=api["id"], authorizerId=by_id["authorizerId"])
    assert authorizer["type"] == "TOKEN" and authorizer["name"] == "tokens"
    assert authorizer["identitySource"] == "method.request.header.Authorization"
    assert authorizer["authorizerResultTtlInSeconds"] == 60
    assert by_id["methodIntegration"]["integrationResponses"]["200"]["statusCode"] == "200"
    apigw.create_deployment(restApiId=api["id"], stageName="prod")


def test_import_openapi3_yaml_and_put_modes(apigw: Any) -> None:
    yaml_doc = f"""
openapi: 3.0.1
info: {{title: yaml-api, version: "1"}}
components:
  securitySchemes:
    req:
      type: apiKey
      name: x-user
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: request
        identitySource: method.request.header.x-user
        authorizerUri: {URI}
paths:
  /a:
    post:
      security: [{{req: []}}]
      x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: POST,
                                          uri: "http://127.0.0.1:9/a"}}
"""
    api = apigw.import_rest_api(body=yaml_doc.encode())
    assert set(_methods(apigw, api["id"])) == {"POST /a"}
    assert _methods(apigw, api["id"])["POST /a"]["authorizationType"] == "CUSTOM"
    merged = apigw.put_rest_api(restApiId=api["id"], mode="merge", body=json.dumps(SWAGGER))
    assert merged["name"] == "yaml-api"
    assert set(_methods(apigw, api["id"])) == {"POST /a", "GET /pets", "GET /pets/{id}",
                                               "ANY /{proxy+}"}
    overwritten = apigw.put_rest_api(restApiId=api["id"], mode="overwrite",
                                     body=json.dumps(SWAGGER))
    assert overwritten["name"] == "pets"
    assert set(_methods(apigw, api["id"])) == {"GET /pets", "GET /pets/{id}", "ANY /{proxy+}"}
    assert {a["name"] for a in apigw.get_authorizers(restApiId=api["id"])["items"]} == \
        {"tokens"}


def test_import_refuses_what_is_not_openapi(apigw: Any) -> None:
    error = error_of(lambda: apigw.import_rest_api(body=b"{\"hello\": 1}"))
    assert error["Code"] == "BadRequestException" and error["status"] == 400


def test_an_imported_api_serves_requests(nubes_server: NubesServer, apigw: Any,
                                         lam: Any) -> None:
    function = make_function(lam, "def handler(event, context):\n"
                                  "    return {'statusCode': 200, 'body': event['resource']}\n")
    document = json.loads(json.dumps(SWAGGER).replace(FN, function))
    api = apigw.import_rest_api(body=json.dumps(document).encode())
    allow_api(lam, function, api["id"])
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    key = apigw.create_api_key(name=unique("k"), enabled=True)
    plan = apigw.create_usage_plan(name=unique("p"),
                                   apiStages=[{"apiId": api["id"], "stage": "prod"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert call(nubes_server.endpoint, api["id"], "/prod/pets").status == 403
    pets = call(nubes_server.endpoint, api["id"], "/prod/pets",
                headers={"x-api-key": key["value"]})
    assert (pets.status, pets.body) == (200, b"/pets")
    greedy = call(nubes_server.endpoint, api["id"], "/prod/a/b", method="DELETE")
    assert (greedy.status, greedy.body) == (200, b"/{proxy+}")
    mocked = call(nubes_server.endpoint, api["id"], "/prod/pets/1")
    assert mocked.status == 401  # the token authorizer needs its header
    assert mocked.headers["access-control-allow-origin"] == "*"  # the gateway response
    assert mocked.json() == {"message": "Unauthorized"}


def test_an_export_imports_back_to_the_same_tree(apigw: Any) -> None:
    api = apigw.import_rest_api(body=json.dumps(SWAGGER).encode())
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    for kind in ("swagger", "oas30"):
        exported = apigw.get_export(restApiId=api["id"], stageName="prod", exportType=kind,
                                    parameters={"extensions": "integrations"},
                                    accepts="application/json")
        assert exported["contentType"] == "application/json"
        document = json.loads(exported["body"].read())
        assert ("swagger" if kind == "swagger" else "openapi") in document
        again = apigw.import_rest_api(body=json.dumps(document).encode())
        before, after = _methods(apigw, api["id"]), _methods(apigw, again["id"])
        assert set(after) == set(before)
        for name, method in before.items():
            assert after[name]["apiKeyRequired"] == method["apiKeyRequired"]
            assert after[name]["authorizationType"] == method["authorizationType"]
            assert after[name]["methodIntegration"]["type"] == \
                method["methodIntegration"]["type"]
            assert after[name]["methodIntegration"].get("uri") == \
                method["methodIntegration"].get("uri")
    as_yaml = apigw.get_export(restApiId=api["id"], stageName="prod", exportType="oas30",
                               accepts="application/yaml")
    assert as_yaml["contentType"] == "application/yaml"
    assert as_yaml["body"].read().startswith(b"openapi: 3.0.1")
