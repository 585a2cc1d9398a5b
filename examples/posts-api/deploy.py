"""Deploy the posts-api example: the table of posts, the function serving them, and the REST
API in front of it (imported from an OpenAPI document), whose methods need an API key tied
to the API's stage by a usage plan with a throttle and a daily quota."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from nubes.examples_deploy import Deployed, Deployer, package

HERE = Path(__file__).parent
STAGE = "prod"


def openapi(region: str, function_arn: str) -> dict[str, Any]:
    """``GET /posts`` and ``POST /posts``, Lambda proxy integrations needing an API key."""
    integration = {
        "type": "aws_proxy", "httpMethod": "POST", "payloadFormatVersion": "1.0",
        "uri": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
               f"{function_arn}/invocations"}
    method = {"security": [{"api_key": []}], "responses": {"200": {"description": "OK"}},
              "x-amazon-apigateway-integration": integration}
    return {
        "openapi": "3.0.1",
        "info": {"title": "posts-api", "version": "1.0"},
        "paths": {"/posts": {"get": method, "post": method}},
        "components": {"securitySchemes": {
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}}}


def api_key(aws: Deployer, name: str) -> tuple[str, str]:
    """(id, value) of the API key named ``name``, created if there is none."""
    apigw = aws.client("apigateway")
    for key in apigw.get_api_keys(nameQuery=name, includeValues=True).get("items", []):
        if key["name"] == name:
            return str(key["id"]), str(key["value"])
    created = apigw.create_api_key(name=name, enabled=True)
    return str(created["id"]), str(created["value"])


def usage_plan(aws: Deployer, name: str, api_id: str, key_id: str,
               throttle: Mapping[str, Any], quota: Mapping[str, Any]) -> str:
    """The usage plan ``name`` for the API's stage, with this throttle and quota and the key."""
    apigw = aws.client("apigateway")
    stage = f"{api_id}:{STAGE}"
    found = [plan for plan in apigw.get_usage_plans().get("items", []) if plan["name"] == name]
    if found:
        plan_id = str(found[0]["id"])
        operations = [
            {"op": "replace", "path": "/throttle/rateLimit", "value": str(throttle["rateLimit"])},
            {"op": "replace", "path": "/throttle/burstLimit",
             "value": str(throttle["burstLimit"])},
            {"op": "replace", "path": "/quota/limit", "value": str(quota["limit"])},
            {"op": "replace", "path": "/quota/period", "value": str(quota["period"])}]
        stages = {f"{s['apiId']}:{s['stage']}" for s in found[0].get("apiStages", [])}
        if stage not in stages:
            operations.append({"op": "add", "path": "/apiStages", "value": stage})
        apigw.update_usage_plan(usagePlanId=plan_id, patchOperations=operations)
    else:
        plan_id = str(apigw.create_usage_plan(
            name=name, apiStages=[{"apiId": api_id, "stage": STAGE}],
            throttle=dict(throttle), quota=dict(quota))["id"])
    try:
        apigw.create_usage_plan_key(usagePlanId=plan_id, keyId=key_id, keyType="API_KEY")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConflictException":
            raise
    return plan_id


def deploy(aws: Deployer, params: Mapping[str, str]) -> Deployed:
    table = aws.table(params.get("table", "posts"), [("id", "S")])
    arn = aws.function("posts-api", package([HERE / "app.py"]),
                       environment={"TABLE_NAME": table},
                       description="GET /posts and POST /posts on a DynamoDB table")
    region, account = arn.split(":")[3], arn.split(":")[4]
    api_id = aws.rest_api(openapi(region, arn), STAGE)
    aws.allow("posts-api", "rest-api", "apigateway.amazonaws.com",
              f"arn:aws:execute-api:{region}:{account}:{api_id}/*")
    key_id, key = api_key(aws, params.get("key_name", "posts-api-key"))
    throttle = {"rateLimit": float(params.get("rate", "50")),
                "burstLimit": int(params.get("burst", "100"))}
    quota = {"limit": int(params.get("quota", "10000")), "period": "DAY"}
    plan = usage_plan(aws, params.get("plan_name", "posts-api-plan"), api_id, key_id,
                      throttle, quota)
    url = aws.execute_api_url(api_id, STAGE)
    return Deployed(
        "posts-api", "GET /posts lists posts, POST /posts creates one (API key required)",
        [f"REST API posts-api ({api_id}) at {url}posts -> function posts-api -> table {table}",
         f"API key {key_id} in usage plan {plan} "
         f"({throttle['rateLimit']:g} requests/s, burst {throttle['burstLimit']}, "
         f"{quota['limit']} a day)"],
        [f"curl -H 'x-api-key: {key}' {url}posts",
         f"curl -H 'x-api-key: {key}' -H 'content-type: application/json' "
         f"-d '{{\"title\": \"hello\"}}' {url}posts",
         f"curl -i {url}posts   # no key: 403"])
