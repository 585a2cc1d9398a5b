"""Who may call a REST API: API keys and usage plans (throttle, quota), Lambda TOKEN and
REQUEST authorizers (policies, context, caching), over plain HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.server import NubesServer
from tests.services.apigateway.conftest import (
    allow_api,
    call,
    deploy,
    lambda_uri,
    make_function,
    proxy_method,
    unique,
)

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"])}
"""

AUTHORIZER = """
import uuid
def handler(event, context):
    token = event.get("authorizationToken") or event["headers"].get("x-user", "")
    if token == "boom":
        raise Exception("Unauthorized")
    effect = "Allow" if token.endswith("allow") else "Deny"
    resource = event["methodArn"] if "wild" not in token else \\
        event["methodArn"].split("/")[0] + "/*/GET/*"
    return {"principalId": "user-" + token,
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]},
            "context": {"nonce": str(uuid.uuid4()), "n": 1, "ok": True}}
"""


@pytest.fixture(scope="module")
def echo(lam: Any) -> str:
    return make_function(lam, ECHO)


def keyed_api(apigw: Any, lam: Any, echo: str) -> str:
    api = apigw.create_rest_api(name=unique())
    proxy_method(apigw, api["id"], api["rootResourceId"], echo, "GET", apiKeyRequired=True)
    allow_api(lam, echo, api["id"])
    deploy(apigw, api["id"])
    return str(api["id"])


def test_api_keys_and_usage_plans(nubes_server: NubesServer, apigw: Any, lam: Any,
                                  echo: str) -> None:
    api_id = keyed_api(apigw, lam, echo)
    endpoint = nubes_server.endpoint
    forbidden = call(endpoint, api_id, "/test")
    assert (forbidden.status, forbidden.json()) == (403, {"message": "Forbidden"})
    assert forbidden.headers["x-amzn-errortype"] == "ForbiddenException"
    assert call(endpoint, api_id, "/test", headers={"x-api-key": "unknown" * 4}).status == 403
    key = apigw.create_api_key(name=unique("k"), enabled=True)
    headers = {"x-api-key": key["value"]}
    assert call(endpoint, api_id, "/test", headers=headers).status == 403  # in no plan
    plan = apigw.create_usage_plan(name=unique("p"),
                                   apiStages=[{"apiId": api_id, "stage": "test"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    allowed = call(endpoint, api_id, "/test", headers=headers)
    assert allowed.status == 200
    assert allowed.json()["identity"]["apiKey"] == key["value"]
    assert allowed.json()["identity"]["apiKeyId"] == key["id"]
    apigw.update_api_key(apiKey=key["id"], patchOperations=[
        {"op": "replace", "path": "/enabled", "value": "false"}])
    assert call(endpoint, api_id, "/test", headers=headers).status == 403


def test_usage_plan_throttle_and_quota(nubes_server: NubesServer, apigw: Any, lam: Any,
                                       echo: str) -> None:
    endpoint = nubes_server.endpoint
    throttled_api = keyed_api(apigw, lam, echo)
    key = apigw.create_api_key(name=unique("k"), enabled=True)
    plan = apigw.create_usage_plan(name=unique("p"),
                                   apiStages=[{"apiId": throttled_api, "stage": "test"}],
                                   throttle={"rateLimit": 0.001, "burstLimit": 1})
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    headers = {"x-api-key": key["value"]}
    assert call(endpoint, throttled_api, "/test", headers=headers).status == 200
    over = call(endpoint, throttled_api, "/test", headers=headers)
    assert (over.status, over.json()) == (429, {"message": "Too Many Requests"})

    method_api = keyed_api(apigw, lam, echo)  # a per-method throttle in the plan's stage
    key = apigw.create_api_key(name=unique("k"), enabled=True)
    plan = apigw.create_usage_plan(name=unique("p"), apiStages=[{
        "apiId": method_api, "stage": "test",
        "throttle": {"//GET": {"rateLimit": 0.001, "burstLimit": 1}}}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    headers = {"x-api-key": key["value"]}
    assert call(endpoint, method_api, "/test", headers=headers).status == 200
    assert call(endpoint, method_api, "/test", headers=headers).status == 429

    quota_api = keyed_api(apigw, lam, echo)
    key = apigw.create_api_key(name=unique("k"), enabled=True)
    plan = apigw.create_usage_plan(name=unique("p"),
                                   apiStages=[{"apiId": quota_api, "stage": "test"}],
                                   quota={"limit": 2, "period": "DAY"})
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    headers = {"x-api-key": key["value"]}
    statuses = [call(endpoint, quota_api, "/test", headers=headers).status for _ in range(2)]
    assert statuses == [200, 200]
    spent = call(endpoint, quota_api, "/test", headers=headers)
    assert (spent.status, spent.json()) == (429, {"message": "Limit Exceeded"})
    today = datetime.now(UTC).date()  # a day either side: the calls may straddle midnight
    usage = apigw.get_usage(usagePlanId=plan["id"],
                            startDate=(today - timedelta(days=1)).isoformat(),
                            endDate=(today + timedelta(days=1)).isoformat())
    days = usage["items"][key["id"]]
    assert len(days) == 3 and sum(used for used, _ in days) == 2


def test_stage_method_throttling(nubes_server: NubesServer, apigw: Any, lam: Any,
                                 echo: str) -> None:
    api = apigw.create_rest_api(name=unique())
    proxy_method(apigw, api["id"], api["rootResourceId"], echo, "GET")
    allow_api(lam, echo, api["id"])
    deploy(apigw, api["id"])
    apigw.update_stage(restApiId=api["id"], stageName="test", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0.001"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "1"}])
    assert call(nubes_server.endpoint, api["id"], "/test").status == 200
    assert call(nubes_server.endpoint, api["id"], "/test").status == 429


@pytest.fixture(scope="module")
def authorized(apigw: Any, lam: Any, echo: str) -> str:
    """An API with GET /token (TOKEN authorizer, cached 300 s), GET /request (REQUEST
    authorizer on x-user and ?tenant, not cached) and GET /validated (TOKEN, with a
    validation expression)."""
    authorizer_fn = make_function(lam, AUTHORIZER)
    api = apigw.create_rest_api(name=unique())
    api_id, root = api["id"], api["rootResourceId"]
    token = apigw.create_authorizer(restApiId=api_id, name="token", type="TOKEN",
                                    authorizerUri=lambda_uri(authorizer_fn),
                                    identitySource="method.request.header.Authorization")
    request = apigw.create_authorizer(
        restApiId=api_id, name="request", type="REQUEST",
        authorizerUri=lambda_uri(authorizer_fn), authorizerResultTtlInSeconds=0,
        identitySource="method.request.header.x-user, method.request.querystring.tenant")
    validated = apigw.create_authorizer(
        restApiId=api_id, name="validated", type="TOKEN",
        authorizerUri=lambda_uri(authorizer_fn), authorizerResultTtlInSeconds=0,
        identitySource="method.request.header.Authorization",
        identityValidationExpression="^Bearer-.*$")
    for part, authorizer in (("token", token), ("request", request),
                             ("validated", validated)):
        resource = apigw.create_resource(restApiId=api_id, parentId=root, pathPart=part)
        proxy_method(apigw, api_id, resource["id"], echo, "GET",
                     authorizationType="CUSTOM", authorizerId=authorizer["id"])
    allow_api(lam, echo, api_id)
    allow_api(lam, authorizer_fn, api_id)
    deploy(apigw, api_id)
    return str(api_id)


def test_token_authorizer(nubes_server: NubesServer, authorized: str) -> None:
    endpoint = nubes_server.endpoint
    missing = call(endpoint, authorized, "/test/token")
    assert (missing.status, missing.json()) == (401, {"message": "Unauthorized"})
    first = call(endpoint, authorized, "/test/token", headers={"Authorization": "a-allow"})
    assert first.status == 200, first.body
    context = first.json()["authorizer"]
    assert context["principalId"] == "user-a-allow"
    assert context["n"] == 1 and context["ok"] is True
    again = call(endpoint, authorized, "/test/token", headers={"Authorization": "a-allow"})
    assert again.json()["authorizer"]["nonce"] == context["nonce"]  # cached for the TTL
    denied = call(endpoint, authorized, "/test/token", headers={"Authorization": "b-deny"})
    assert denied.status == 403
    assert denied.json() == {"Message": "User is not authorized to access this resource with "
                                        "an explicit deny"}
    refused = call(endpoint, authorized, "/test/token", headers={"Authorization": "boom"})
    assert (refused.status, refused.json()) == (401, {"message": "Unauthorized"})


def test_request_authorizer_and_validation(nubes_server: NubesServer, authorized: str
                                           ) -> None:
    endpoint = nubes_server.endpoint
    no_query = call(endpoint, authorized, "/test/request", headers={"x-user": "c-allow"})
    assert no_query.status == 401
    allowed = call(endpoint, authorized, "/test/request?tenant=t1",
                   headers={"x-user": "c-allow"})
    assert allowed.status == 200
    first_nonce = allowed.json()["authorizer"]["nonce"]
    again = call(endpoint, authorized, "/test/request?tenant=t1", headers={"x-user": "c-allow"})
    assert again.json()["authorizer"]["nonce"] != first_nonce  # TTL 0: not cached
    assert call(endpoint, authorized, "/test/request?tenant=t1",
                headers={"x-user": "c-deny"}).status == 403
    invalid = call(endpoint, authorized, "/test/validated", headers={"Authorization": "x-allow"})
    assert (invalid.status, invalid.json()) == (401, {"message": "Unauthorized"})
    valid = call(endpoint, authorized, "/test/validated",
                 headers={"Authorization": "Bearer-wild-allow"})
    assert valid.status == 200


def _signed_headers(url: str, access_key: str = "test") -> dict[str, str]:
    request = AWSRequest(method="GET", url=url, headers={})
    SigV4Auth(Credentials(access_key, "test"), "execute-api", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_aws_iam_authorization(nubes_server: NubesServer, apigw: Any, lam: Any,
                               echo: str) -> None:
    api = apigw.create_rest_api(name=unique())
    proxy_method(apigw, api["id"], api["rootResourceId"], echo, "GET",
                 authorizationType="AWS_IAM")
    allow_api(lam, echo, api["id"])
    deploy(apigw, api["id"])
    endpoint = nubes_server.endpoint
    unsigned = call(endpoint, api["id"], "/test")
    assert (unsigned.status, unsigned.json()) == (403, {"message":
                                                        "Missing Authentication Token"})
    url = f"{endpoint}/_nubes/execute-api/{api['id']}/test"
    signed = call(endpoint, api["id"], "/test", headers=_signed_headers(url))
    assert signed.status == 200, signed.body
    identity = signed.json()["identity"]
    assert identity["accessKey"] == "test" and identity["accountId"] == "000000000000"
    forged = _signed_headers(url)
    forged["Authorization"] = forged["Authorization"][:-4] + "0000"
    assert call(endpoint, api["id"], "/test", headers=forged).status == 403


KEY_FROM_AUTHORIZER = """
def handler(event, context):
    return {"principalId": "me", "usageIdentifierKey": event["authorizationToken"],
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]}}
"""


def test_api_keys_from_an_authorizer(nubes_server: NubesServer, apigw: Any, lam: Any,
                                     echo: str) -> None:
    authorizer_fn = make_function(lam, KEY_FROM_AUTHORIZER)
    api = apigw.create_rest_api(name=unique(), apiKeySource="AUTHORIZER")
    authorizer = apigw.create_authorizer(
        restApiId=api["id"], name="keys", type="TOKEN", authorizerResultTtlInSeconds=0,
        authorizerUri=lambda_uri(authorizer_fn),
        identitySource="method.request.header.Authorization")
    proxy_method(apigw, api["id"], api["rootResourceId"], echo, "GET", apiKeyRequired=True,
                 authorizationType="CUSTOM", authorizerId=authorizer["id"])
    allow_api(lam, echo, api["id"])
    allow_api(lam, authorizer_fn, api["id"])
    deploy(apigw, api["id"])
    key = apigw.create_api_key(name=unique("k"), enabled=True)
    plan = apigw.create_usage_plan(name=unique("p"),
                                   apiStages=[{"apiId": api["id"], "stage": "test"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    endpoint = nubes_server.endpoint
    ok = call(endpoint, api["id"], "/test", headers={"Authorization": key["value"]})
    assert ok.status == 200 and ok.json()["identity"]["apiKeyId"] == key["id"]
    header_only = call(endpoint, api["id"], "/test",  # the header is not where keys come from
                       headers={"Authorization": "x" * 20, "x-api-key": key["value"]})
    assert header_only.status == 403
