"""Deployments, stages, API keys and usage plans through boto3."""

from __future__ import annotations

from typing import Any

from tests.errors import error_of
from tests.services.apigateway.conftest import unique


def mock_api(apigw: Any) -> str:
    """A new API with one MOCK method, ready to deploy."""
    api = apigw.create_rest_api(name=unique())
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"],
                          httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    return str(api["id"])


def test_a_deployment_needs_methods_with_integrations(apigw: Any, api: dict[str, Any]) -> None:
    empty = error_of(lambda: apigw.create_deployment(restApiId=api["id"], stageName="dev"))
    assert empty == {**empty, "Code": "BadRequestException",
                     "Message": "The REST API doesn't contain any methods"}
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="NONE")
    bare = error_of(lambda: apigw.create_deployment(restApiId=api["id"], stageName="dev"))
    assert bare["Message"] == "No integration defined for method"


def test_deployments_and_stages(apigw: Any) -> None:
    api_id = mock_api(apigw)
    first = apigw.create_deployment(restApiId=api_id, stageName="dev", description="one",
                                    variables={"color": "blue"})
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == first["id"] and stage["variables"] == {"color": "blue"}
    second = apigw.create_deployment(restApiId=api_id, description="two")
    summary = apigw.get_deployment(restApiId=api_id, deploymentId=second["id"],
                                   embed=["apisummary"])
    assert summary["apiSummary"] == {"/": {"GET": {"authorizationType": "NONE",
                                                   "apiKeyRequired": False}}}
    assert {d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]} == \
        {first["id"], second["id"]}
    prod = apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=second["id"],
                              variables={"a": "1"}, tags={"env": "prod"})
    assert prod["ResponseMetadata"]["HTTPStatusCode"] == 201
    again = error_of(lambda: apigw.create_stage(restApiId=api_id, stageName="prod",
                                                deploymentId=second["id"]))
    assert again["Code"] == "ConflictException"
    updated = apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/variables/a", "value": "2"},
        {"op": "replace", "path": "/deploymentId", "value": first["id"]},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "7"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "3"}])
    assert updated["variables"] == {"a": "2"} and updated["deploymentId"] == first["id"]
    assert updated["methodSettings"]["*/*"]["throttlingRateLimit"] == 7.0
    assert updated["methodSettings"]["*/*"]["throttlingBurstLimit"] == 3
    names = {s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]}
    assert names == {"dev", "prod"}
    in_use = error_of(lambda: apigw.delete_deployment(restApiId=api_id,
                                                      deploymentId=first["id"]))
    assert in_use["Code"] == "BadRequestException"
    apigw.delete_deployment(restApiId=api_id, deploymentId=second["id"])
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/stages/prod"
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"env": "prod"}
    apigw.tag_resource(resourceArn=arn, tags={"x": "y"})
    apigw.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"x": "y"}
    apigw.delete_stage(restApiId=api_id, stageName="prod")
    assert error_of(lambda: apigw.get_stage(restApiId=api_id, stageName="prod"))[
        "Code"] == "NotFoundException"


def test_api_keys(apigw: Any) -> None:
    given = apigw.create_api_key(name=unique("k"), value="a" * 24, enabled=True)
    assert given["value"] == "a" * 24 and given["enabled"] is True
    generated = apigw.create_api_key(name=unique("k"))
    assert len(generated["value"]) >= 20 and generated["enabled"] is False
    assert "value" not in apigw.get_api_key(apiKey=generated["id"])
    assert apigw.get_api_key(apiKey=generated["id"], includeValue=True)["value"] == \
        generated["value"]
    listed = apigw.get_api_keys(includeValues=True, limit=500)["items"]
    assert {given["id"], generated["id"]} <= {k["id"] for k in listed}
    assert all("value" in k for k in listed)
    duplicate = error_of(lambda: apigw.create_api_key(name="dup", value="a" * 24))
    assert duplicate["Code"] == "ConflictException"
    updated = apigw.update_api_key(apiKey=generated["id"], patchOperations=[
        {"op": "replace", "path": "/enabled", "value": "true"},
        {"op": "replace", "path": "/description", "value": "now on"}])
    assert updated["enabled"] is True and updated["description"] == "now on"
    apigw.delete_api_key(apiKey=generated["id"])
    assert error_of(lambda: apigw.get_api_key(apiKey=generated["id"]))["status"] == 404


def test_usage_plans_and_their_keys(apigw: Any) -> None:
    api_id = mock_api(apigw)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    missing_stage = error_of(lambda: apigw.create_usage_plan(
        name="p", apiStages=[{"apiId": api_id, "stage": "nope"}]))
    assert missing_stage["Code"] == "NotFoundException"
    plan = apigw.create_usage_plan(name=unique("plan"),
                                   apiStages=[{"apiId": api_id, "stage": "prod"}],
                                   throttle={"rateLimit": 5.0, "burstLimit": 2},
                                   quota={"limit": 100, "period": "DAY", "offset": 0})
    assert plan["throttle"] == {"rateLimit": 5.0, "burstLimit": 2}
    assert plan["quota"]["period"] == "DAY"
    key = apigw.create_api_key(name=unique("k"), enabled=True)
    plan_key = apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"],
                                           keyType="API_KEY")
    assert plan_key["id"] == key["id"] and plan_key["type"] == "API_KEY"
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == \
        [key["id"]]
    assert [p["id"] for p in apigw.get_usage_plans(keyId=key["id"])["items"]] == [plan["id"]]
    updated = apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "replace", "path": "/throttle/rateLimit", "value": "9"},
        {"op": "replace", "path": "/quota/limit", "value": "50"},
        {"op": "remove", "path": "/apiStages", "value": f"{api_id}:prod"}])
    assert updated["throttle"]["rateLimit"] == 9.0 and updated["quota"]["limit"] == 50
    assert updated["apiStages"] == []
    apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    assert apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"] == []
    apigw.delete_usage_plan(usagePlanId=plan["id"])
    assert error_of(lambda: apigw.get_usage_plan(usagePlanId=plan["id"]))["status"] == 404
