"""Gateway responses: an API's own errors, reshaped (status, headers, body template)."""

from __future__ import annotations

from typing import Any

from tests.errors import error_of
from tests.server import NubesServer
from tests.services.apigateway.conftest import call, deploy, unique


def test_gateway_responses_control_plane(apigw: Any, api: dict[str, Any]) -> None:
    listed = apigw.get_gateway_responses(restApiId=api["id"])["items"]
    kinds = {r["responseType"]: r for r in listed}
    assert kinds["UNAUTHORIZED"] == {
        "responseType": "UNAUTHORIZED", "statusCode": "401", "defaultResponse": True,
        "responseParameters": {},
        "responseTemplates": {"application/json": '{"message":$context.error.messageString}'}}
    assert "statusCode" not in kinds["DEFAULT_4XX"]
    put = apigw.put_gateway_response(
        restApiId=api["id"], responseType="DEFAULT_4XX", statusCode="400",
        responseParameters={"gatewayResponse.header.Access-Control-Allow-Origin": "'*'"},
        responseTemplates={"application/json": '{"error": $context.error.messageString}'})
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 201 and put["defaultResponse"] is False
    updated = apigw.update_gateway_response(
        restApiId=api["id"], responseType="DEFAULT_4XX",
        patchOperations=[{"op": "replace", "path": "/statusCode", "value": "418"}])
    assert updated["statusCode"] == "418"
    assert apigw.get_gateway_response(restApiId=api["id"],
                                      responseType="DEFAULT_4XX")["statusCode"] == "418"
    apigw.delete_gateway_response(restApiId=api["id"], responseType="DEFAULT_4XX")
    assert apigw.get_gateway_response(restApiId=api["id"],
                                      responseType="DEFAULT_4XX")["defaultResponse"] is True
    bad = error_of(lambda: apigw.get_gateway_response(restApiId=api["id"],
                                                      responseType="NOPE"))
    assert bad["Code"] == "BadRequestException"


def test_errors_take_the_apis_gateway_responses(nubes_server: NubesServer, apigw: Any
                                                ) -> None:
    api = apigw.create_rest_api(name=unique())
    api_id, root = api["id"], api["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="NONE", apiKeyRequired=True)
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_gateway_response(
        restApiId=api_id, responseType="DEFAULT_4XX",
        responseParameters={"gatewayResponse.header.Access-Control-Allow-Origin": "'*'",
                            "gatewayResponse.header.X-Seen": "method.request.header.x-trace"},
        responseTemplates={"application/json":
                           '{"error": $context.error.messageString, '
                           '"type": "$context.error.responseType"}'})
    apigw.put_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN",
                               statusCode="404",
                               responseTemplates={"application/json": '{"nope": true}'})
    deploy(apigw, api_id)
    forbidden = call(nubes_server.endpoint, api_id, "/test", headers={"x-trace": "t1"})
    assert forbidden.status == 403
    assert forbidden.headers["access-control-allow-origin"] == "*"
    assert forbidden.headers["x-seen"] == "t1"
    assert forbidden.json() == {"error": "Forbidden", "type": "INVALID_API_KEY"}
    missing = call(nubes_server.endpoint, api_id, "/test/nowhere")
    assert (missing.status, missing.json()) == (404, {"nope": True})
