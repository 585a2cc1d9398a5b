"""Request validators: required parameters and body models, checked before the
integration; and their import from OpenAPI."""

from __future__ import annotations

import json
from typing import Any

from tests.errors import error_of
from tests.server import NubesServer
from tests.services.apigateway.conftest import call, deploy, unique

PET = json.dumps({"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "minLength": 1},
    "age": {"type": "integer", "minimum": 0}}})


def _mock(apigw: Any, api_id: str, resource_id: str, method: str) -> None:
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                          type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_integration_response(restApiId=api_id, resourceId=resource_id,
                                   httpMethod=method, statusCode="200",
                                   responseTemplates={"application/json": '{"ok": true}'})


def test_validators_control_plane(apigw: Any, api: dict[str, Any]) -> None:
    created = apigw.create_request_validator(restApiId=api["id"], name="body",
                                             validateRequestBody=True)
    assert created["validateRequestParameters"] is False
    updated = apigw.update_request_validator(
        restApiId=api["id"], requestValidatorId=created["id"],
        patchOperations=[{"op": "replace", "path": "/validateRequestParameters",
                          "value": "true"}])
    assert updated["validateRequestParameters"] is True
    assert [v["id"] for v in apigw.get_request_validators(restApiId=api["id"])["items"]] == \
        [created["id"]]
    bad = error_of(lambda: apigw.put_method(restApiId=api["id"],
                                            resourceId=api["rootResourceId"],
                                            httpMethod="GET", authorizationType="NONE",
                                            requestValidatorId="nope00"))
    assert bad["Code"] == "BadRequestException"
    apigw.delete_request_validator(restApiId=api["id"], requestValidatorId=created["id"])
    assert error_of(lambda: apigw.get_request_validator(
        restApiId=api["id"], requestValidatorId=created["id"]))["status"] == 404


def test_requests_are_validated(nubes_server: NubesServer, apigw: Any) -> None:
    api = apigw.create_rest_api(name=unique())
    api_id, root = api["id"], api["rootResourceId"]
    validator = apigw.create_request_validator(restApiId=api_id, name="all",
                                               validateRequestBody=True,
                                               validateRequestParameters=True)
    apigw.create_model(restApiId=api_id, name="Pet", schema=PET,
                       contentType="application/json")
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST",
                     authorizationType="NONE", requestValidatorId=validator["id"],
                     requestParameters={"method.request.querystring.owner": True,
                                        "method.request.header.X-Trace": False},
                     requestModels={"application/json": "Pet"})
    _mock(apigw, api_id, root, "POST")
    deploy(apigw, api_id)
    json_type = {"Content-Type": "application/json"}
    good = call(nubes_server.endpoint, api_id, "/test?owner=ann", method="POST",
                body=b'{"name": "rex", "age": 3}', headers=json_type)
    assert (good.status, good.json()) == (200, {"ok": True})
    no_owner = call(nubes_server.endpoint, api_id, "/test", method="POST",
                    body=b'{"name": "rex"}', headers=json_type)
    assert (no_owner.status, no_owner.json()) == (
        400, {"message": "Missing required request parameters: [owner]"})
    for body in (b'{"age": 3}', b'{"name": "rex", "age": -1}', b"not json"):
        refused = call(nubes_server.endpoint, api_id, "/test?owner=ann", method="POST",
                       body=body, headers=json_type)
        assert (refused.status, refused.json()) == (400, {"message": "Invalid request body"})


def test_validators_from_openapi(nubes_server: NubesServer, apigw: Any) -> None:
    document = {
        "swagger": "2.0", "info": {"title": unique(), "version": "1"},
        "x-amazon-apigateway-request-validators": {
            "params": {"validateRequestParameters": True, "validateRequestBody": False}},
        "x-amazon-apigateway-request-validator": "params",
        "paths": {"/": {"get": {
            "parameters": [{"name": "q", "in": "query", "required": True, "type": "string"}],
            "x-amazon-apigateway-integration": {
                "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                "responses": {"default": {"statusCode": "200"}}}}}},
    }
    api = apigw.import_rest_api(body=json.dumps(document).encode())
    [validator] = apigw.get_request_validators(restApiId=api["id"])["items"]
    assert validator["name"] == "params" and validator["validateRequestParameters"] is True
    deploy(apigw, api["id"])
    assert call(nubes_server.endpoint, api["id"], "/test").status == 400
    assert call(nubes_server.endpoint, api["id"], "/test?q=1").status == 200
