"""REST APIs, resources, methods and integrations through boto3, as a user builds an API."""

from __future__ import annotations

import re
from typing import Any

from tests.errors import error_of
from tests.services.apigateway.conftest import unique

FN_ARN = "arn:aws:lambda:us-east-1:000000000000:function:hello"
LAMBDA_URI = (f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN_ARN}"
              "/invocations")


def test_create_get_list_update_delete_rest_api(apigw: Any) -> None:
    name = unique()
    created = apigw.create_rest_api(name=name, description="d", binaryMediaTypes=["image/png"],
                                    endpointConfiguration={"types": ["REGIONAL"]},
                                    apiKeySource="AUTHORIZER", tags={"team": "a"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert re.fullmatch(r"[a-z0-9]{10}", created["id"])
    assert created["endpointConfiguration"] == {"types": ["REGIONAL"]}
    assert created["apiKeySource"] == "AUTHORIZER"
    assert created["tags"] == {"team": "a"}
    got = apigw.get_rest_api(restApiId=created["id"])
    assert got["name"] == name and got["binaryMediaTypes"] == ["image/png"]
    assert created["id"] in [a["id"] for a in apigw.get_rest_apis(limit=500)["items"]]
    updated = apigw.update_rest_api(restApiId=created["id"], patchOperations=[
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "add", "path": "/binaryMediaTypes/application~1octet-stream"},
        {"op": "remove", "path": "/binaryMediaTypes/image~1png"},
        {"op": "replace", "path": "/apiKeySource", "value": "HEADER"},
        {"op": "replace", "path": "/minimumCompressionSize", "value": "1024"}])
    assert updated["name"] == "renamed"
    assert updated["binaryMediaTypes"] == ["application/octet-stream"]
    assert updated["apiKeySource"] == "HEADER" and updated["minimumCompressionSize"] == 1024
    cleared = apigw.update_rest_api(restApiId=created["id"], patchOperations=[
        {"op": "replace", "path": "/minimumCompressionSize", "value": ""}])  # as Chalice does
    assert "minimumCompressionSize" not in cleared
    deleted = apigw.delete_rest_api(restApiId=created["id"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    error = error_of(lambda: apigw.get_rest_api(restApiId=created["id"]))
    assert error["Code"] == "NotFoundException" and error["status"] == 404
    assert error["Message"] == f"Invalid API identifier specified 000000000000:{created['id']}"


def test_unknown_api_and_bad_patch(apigw: Any, api: dict[str, Any]) -> None:
    assert error_of(lambda: apigw.get_resources(restApiId="abc"))["Message"] == \
        "Invalid API identifier specified 000000000000:abc"
    error = error_of(lambda: apigw.update_rest_api(
        restApiId=api["id"], patchOperations=[{"op": "replace", "path": "/id", "value": "x"}]))
    assert error["Code"] == "BadRequestException" and error["status"] == 400


def test_resources_tree(apigw: Any, api: dict[str, Any]) -> None:
    root = api["rootResourceId"]
    pets = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="pets")
    assert pets["path"] == "/pets" and pets["parentId"] == root
    assert re.fullmatch(r"[a-z0-9]{6,10}", pets["id"])
    pet = apigw.create_resource(restApiId=api["id"], parentId=pets["id"], pathPart="{id}")
    proxy = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="{proxy+}")
    assert pet["path"] == "/pets/{id}" and proxy["path"] == "/{proxy+}"
    conflict = error_of(lambda: apigw.create_resource(restApiId=api["id"], parentId=root,
                                                      pathPart="pets"))
    assert conflict["Code"] == "ConflictException" and conflict["status"] == 409
    second_var = error_of(lambda: apigw.create_resource(restApiId=api["id"], parentId=root,
                                                        pathPart="{other}"))
    assert second_var["Code"] == "BadRequestException"
    paths = {r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert paths == {"/", "/pets", "/pets/{id}", "/{proxy+}"}
    moved = apigw.update_resource(restApiId=api["id"], resourceId=pets["id"], patchOperations=[
        {"op": "replace", "path": "/pathPart", "value": "animals"}])
    assert moved["path"] == "/animals"
    assert apigw.get_resource(restApiId=api["id"], resourceId=pet["id"])["path"] == \
        "/animals/{id}"
    apigw.delete_resource(restApiId=api["id"], resourceId=pets["id"])
    paths = {r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert paths == {"/", "/{proxy+}"}
    missing = error_of(lambda: apigw.get_resource(restApiId=api["id"], resourceId=pet["id"]))
    assert missing["Code"] == "NotFoundException"


def test_methods_integrations_and_their_responses(apigw: Any, api: dict[str, Any]) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    method = apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                              authorizationType="NONE", apiKeyRequired=True,
                              requestParameters={"method.request.querystring.q": False})
    assert method["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert method["apiKeyRequired"] is True
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                              statusCode="200",
                              responseParameters={"method.response.header.X-A": False})
    integration = apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="GET", type="AWS",
        integrationHttpMethod="POST", uri=LAMBDA_URI, passthroughBehavior="WHEN_NO_TEMPLATES",
        requestTemplates={"application/json": "{\"q\": \"$input.params('q')\"}"},
        timeoutInMillis=5000)
    assert integration["uri"] == LAMBDA_URI and integration["httpMethod"] == "POST"
    assert integration["timeoutInMillis"] == 5000
    apigw.put_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
        selectionPattern="", responseTemplates={"application/json": "$input.body"},
        responseParameters={"method.response.header.X-A": "'a'"})
    got = apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert got["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"] == \
        {"application/json": "$input.body"}
    assert got["methodResponses"]["200"]["statusCode"] == "200"
    embedded = apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]
    assert embedded[0]["resourceMethods"]["GET"]["methodIntegration"]["type"] == "AWS"
    plain = apigw.get_resources(restApiId=api_id)["items"]
    assert plain[0]["resourceMethods"] == {"GET": {}}
    updated = apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                  patchOperations=[{"op": "replace", "path": "/apiKeyRequired",
                                                    "value": "false"}])
    assert updated["apiKeyRequired"] is False
    changed = apigw.update_integration(
        restApiId=api_id, resourceId=root, httpMethod="GET",
        patchOperations=[{"op": "replace", "path": "/timeoutInMillis", "value": "1000"}])
    assert changed["timeoutInMillis"] == 1000
    bad = error_of(lambda: apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="GET", type="AWS_PROXY",
        integrationHttpMethod="POST", uri="http://example.com"))
    assert bad["Code"] == "BadRequestException"
    apigw.delete_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET",
                                      statusCode="200")
    apigw.delete_integration(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert error_of(lambda: apigw.get_integration(
        restApiId=api_id, resourceId=root, httpMethod="GET"))["Code"] == "NotFoundException"
    apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert error_of(lambda: apigw.get_method(
        restApiId=api_id, resourceId=root, httpMethod="GET"))["status"] == 404


def test_custom_authorization_needs_an_authorizer(apigw: Any, api: dict[str, Any]) -> None:
    error = error_of(lambda: apigw.put_method(
        restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
        authorizationType="CUSTOM", authorizerId="nope12"))
    assert error["Code"] == "BadRequestException"
    authorizer = apigw.create_authorizer(
        restApiId=api["id"], name="tok", type="TOKEN", authorizerUri=LAMBDA_URI,
        identitySource="method.request.header.Authorization",
        identityValidationExpression="^Bearer .+$", authorizerResultTtlInSeconds=60)
    assert authorizer["authorizerResultTtlInSeconds"] == 60
    request = apigw.create_authorizer(
        restApiId=api["id"], name="req", type="REQUEST", authorizerUri=LAMBDA_URI,
        identitySource="method.request.header.X-User, method.request.querystring.q")
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="CUSTOM", authorizerId=authorizer["id"])
    names = {a["name"] for a in apigw.get_authorizers(restApiId=api["id"])["items"]}
    assert names == {"tok", "req"}
    in_use = error_of(lambda: apigw.delete_authorizer(restApiId=api["id"],
                                                      authorizerId=authorizer["id"]))
    assert in_use["Code"] == "ConflictException"
    updated = apigw.update_authorizer(restApiId=api["id"], authorizerId=request["id"],
                                      patchOperations=[{"op": "replace",
                                                        "path": "/authorizerResultTtlInSeconds",
                                                        "value": "0"}])
    assert updated["authorizerResultTtlInSeconds"] == 0
    apigw.delete_authorizer(restApiId=api["id"], authorizerId=request["id"])
    assert error_of(lambda: apigw.get_authorizer(
        restApiId=api["id"], authorizerId=request["id"]))["Code"] == "NotFoundException"


def test_models(apigw: Any, api: dict[str, Any]) -> None:
    names = {m["name"] for m in apigw.get_models(restApiId=api["id"])["items"]}
    assert names == {"Empty", "Error"}  # as AWS creates them
    schema = '{"type": "object", "properties": {"name": {"type": "string"}}}'
    created = apigw.create_model(restApiId=api["id"], name="Pet", schema=schema,
                                 contentType="application/json", description="a pet")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201 and created["schema"] == schema
    again = error_of(lambda: apigw.create_model(restApiId=api["id"], name="Pet",
                                                schema=schema, contentType="application/json"))
    assert again["Code"] == "ConflictException"
    invalid = error_of(lambda: apigw.create_model(restApiId=api["id"], name="Bad",
                                                  schema="{nope", contentType="application/json"))
    assert invalid["Code"] == "BadRequestException"
    updated = apigw.update_model(restApiId=api["id"], modelName="Pet", patchOperations=[
        {"op": "replace", "path": "/description", "value": "a good pet"}])
    assert updated["description"] == "a good pet"
    apigw.delete_model(restApiId=api["id"], modelName="Pet")
    missing = error_of(lambda: apigw.get_model(restApiId=api["id"], modelName="Pet"))
    assert missing["Code"] == "NotFoundException"
