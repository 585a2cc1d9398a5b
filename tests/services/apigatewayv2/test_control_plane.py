"""HTTP APIs' control plane through boto3: APIs, routes, integrations, authorizers,
stages, deployments, CORS and tags, with AWS's errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:whatever"


def _code(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = error.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_get_update_delete_api(apigw: Any, http_api: Callable[..., str]) -> None:
    api_id = http_api(Description="first", CorsConfiguration={"AllowOrigins": ["*"]},
                      Tags={"team": "a"})
    api = apigw.get_api(ApiId=api_id)
    assert api["ProtocolType"] == "HTTP" and api["Description"] == "first"
    assert api["RouteSelectionExpression"] == "${request.method} ${request.path}"
    assert api["ApiKeySelectionExpression"] == "$request.header.x-api-key"
    assert api["ApiEndpoint"].startswith(f"http://{api_id}.execute-api.localhost:")
    assert api["CorsConfiguration"] == {"AllowOrigins": ["*"]}
    assert api["Tags"] == {"team": "a"} and api["CreatedDate"]
    assert len(api_id) == 10 and api_id.isalnum() and api_id.islower() or api_id.isdigit()
    updated = apigw.update_api(ApiId=api_id, Name="renamed", Description="second")
    assert (updated["Name"], updated["Description"]) == ("renamed", "second")
    assert api_id in [a["ApiId"] for a in apigw.get_apis()["Items"]]
    apigw.delete_cors_configuration(ApiId=api_id)
    assert "CorsConfiguration" not in apigw.get_api(ApiId=api_id)
    apigw.delete_api(ApiId=api_id)
    with pytest.raises(ClientError) as error:
        apigw.get_api(ApiId=api_id)
    assert _code(error) == ("NotFoundException", 404)
    assert api_id in error.value.response["Error"]["Message"]


def test_quick_create(apigw: Any, http_api: Callable[..., str]) -> None:
    api_id = http_api(Target=LAMBDA)
    [integration] = apigw.get_integrations(ApiId=api_id)["Items"]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["IntegrationUri"] == LAMBDA
    assert integration["PayloadFormatVersion"] == "2.0"
    assert integration["TimeoutInMillis"] == 30000 and integration["ApiGatewayManaged"]
    [route] = apigw.get_routes(ApiId=api_id)["Items"]
    assert route["RouteKey"] == "$default"
    assert route["Target"] == f"integrations/{integration['IntegrationId']}"
    [stage] = apigw.get_stages(ApiId=api_id)["Items"]
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    assert stage["DeploymentId"]
    keyed = http_api(Target=LAMBDA, RouteKey="GET /hello")
    assert [r["RouteKey"] for r in apigw.get_routes(ApiId=keyed)["Items"]] == ["GET /hello"]
    other = LAMBDA.replace("whatever", "other")
    apigw.update_api(ApiId=keyed, Target=other, RouteKey="POST /hello")
    assert [r["RouteKey"] for r in apigw.get_routes(ApiId=keyed)["Items"]] == ["POST /hello"]
    assert apigw.get_integrations(ApiId=keyed)["Items"][0]["IntegrationUri"] == other
    with pytest.raises(ClientError) as error:
        apigw.update_api(ApiId=http_api(), Target=other)
    assert _code(error) == ("BadRequestException", 400)


def test_unsupported_protocol_and_missing_name(apigw: Any) -> None:
    with pytest.raises(ClientError) as error:
        apigw.create_api(Name="ws", ProtocolType="WEBSOCKET",
                         RouteSelectionExpression="$request.body.action")
    assert _code(error) == ("BadRequestException", 400)


def test_routes(apigw: Any, http_api: Callable[..., str]) -> None:
    api_id = http_api()
    integration = apigw.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                           IntegrationUri=LAMBDA, PayloadFormatVersion="1.0")
    target = f"integrations/{integration['IntegrationId']}"
    route = apigw.create_route(ApiId=api_id, RouteKey="GET /posts/{id}", Target=target)
    assert route["RouteKey"] == "GET /posts/{id}" and route["AuthorizationType"] == "NONE"
    apigw.create_route(ApiId=api_id, RouteKey="ANY /{proxy+}", Target=target)
    apigw.create_route(ApiId=api_id, RouteKey="$default")
    with pytest.raises(ClientError) as error:
        apigw.create_route(ApiId=api_id, RouteKey="GET /posts/{id}")
    assert _code(error) == ("ConflictException", 409)
    for bad in ("FETCH /x", "GET posts", "GET /{proxy+}/more", "GET /a{b}"):
        with pytest.raises(ClientError) as error:
            apigw.create_route(ApiId=api_id, RouteKey=bad)
        assert _code(error) == ("BadRequestException", 400), bad
    with pytest.raises(ClientError) as error:
        apigw.create_route(ApiId=api_id, RouteKey="GET /x", Target="integrations/nope")
    assert _code(error) == ("BadRequestException", 400)
    got = apigw.get_route(ApiId=api_id, RouteId=route["RouteId"])
    assert got["Target"] == target
    updated = apigw.update_route(ApiId=api_id, RouteId=route["RouteId"], RouteKey="GET /p/{id}")
    assert updated["RouteKey"] == "GET /p/{id}" and updated["Target"] == target
    keys = sorted(r["RouteKey"] for r in apigw.get_routes(ApiId=api_id)["Items"])
    assert keys == ["$default", "ANY /{proxy+}", "GET /p/{id}"]
    page = apigw.get_routes(ApiId=api_id, MaxResults="2")
    assert len(page["Items"]) == 2 and page["NextToken"]
    rest = apigw.get_routes(ApiId=api_id, NextToken=page["NextToken"])
    assert len(rest["Items"]) == 1 and "NextToken" not in rest
    with pytest.raises(ClientError) as error:
        apigw.delete_integration(ApiId=api_id, IntegrationId=integration["IntegrationId"])
    assert _code(error)[0] in ("ConflictException", "BadRequestException")
    apigw.delete_route(ApiId=api_id, RouteId=route["RouteId"])
    with pytest.raises(ClientError) as error:
        apigw.get_route(ApiId=api_id, RouteId=route["RouteId"])
    assert _code(error) == ("NotFoundException", 404)


def test_integrations(apigw: Any, http_api: Callable[..., str]) -> None:
    api_id = http_api()
    made = apigw.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                                    IntegrationUri="https://example.com/{proxy}",
                                    IntegrationMethod="GET", TimeoutInMillis=5000)
    assert made["PayloadFormatVersion"] == "1.0" and made["TimeoutInMillis"] == 5000
    assert made["ConnectionType"] == "INTERNET"
    for kwargs in ({"IntegrationType": "AWS_PROXY", "IntegrationUri": LAMBDA},
                   {"IntegrationType": "AWS_PROXY", "IntegrationUri": LAMBDA,
                    "PayloadFormatVersion": "2.0", "TimeoutInMillis": 30001},
                   {"IntegrationType": "AWS_PROXY", "IntegrationUri": "not-an-arn",
                    "PayloadFormatVersion": "2.0"},
                   {"IntegrationType": "MOCK"}):
        with pytest.raises(ClientError) as error:
            apigw.create_integration(ApiId=api_id, **kwargs)
        assert _code(error) == ("BadRequestException", 400), kwargs
    wrapped = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" \
              f"{LAMBDA}/invocations"
    lam = apigw.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                   IntegrationUri=wrapped, PayloadFormatVersion="2.0")
    assert lam["IntegrationMethod"] == "POST" and lam["TimeoutInMillis"] == 30000
    updated = apigw.update_integration(ApiId=api_id, IntegrationId=lam["IntegrationId"],
                                       PayloadFormatVersion="1.0", TimeoutInMillis=50)
    assert (updated["PayloadFormatVersion"], updated["TimeoutInMillis"]) == ("1.0", 50)
    assert apigw.get_integration(ApiId=api_id, IntegrationId=lam["IntegrationId"])[
        "IntegrationUri"] == wrapped
    apigw.delete_integration(ApiId=api_id, IntegrationId=lam["IntegrationId"])
    assert len(apigw.get_integrations(ApiId=api_id)["Items"]) == 1


def test_stages_and_deployments(apigw: Any, http_api: Callable[..., str]) -> None:
    api_id = http_api()
    integration = apigw.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                           IntegrationUri=LAMBDA, PayloadFormatVersion="2.0")
    apigw.create_route(ApiId=api_id, RouteKey="GET /a",
                       Target=f"integrations/{integration['IntegrationId']}")
    deployment = apigw.create_deployment(ApiId=api_id, Description="one")
    assert deployment["DeploymentStatus"] == "DEPLOYED" and deployment["AutoDeployed"] is False
    stage = apigw.create_stage(
        ApiId=api_id, StageName="prod", DeploymentId=deployment["DeploymentId"],
        StageVariables={"fn": "v1"},
        DefaultRouteSettings={"ThrottlingBurstLimit": 5, "ThrottlingRateLimit": 2.5},
        RouteSettings={"GET /a": {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 1.0}})
    assert stage["DeploymentId"] == deployment["DeploymentId"]
    assert stage["StageVariables"] == {"fn": "v1"}
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 5
    assert stage["RouteSettings"]["GET /a"]["ThrottlingRateLimit"] == 1.0
    with pytest.raises(ClientError) as error:
        apigw.create_stage(ApiId=api_id, StageName="prod")
    assert _code(error) == ("ConflictException", 409)
    with pytest.raises(ClientError) as error:
        apigw.create_stage(ApiId=api_id, StageName="bad", StageVariables={"x": "no spaces"})
    assert _code(error) == ("BadRequestException", 400)
    second = apigw.create_deployment(ApiId=api_id, StageName="prod")
    assert apigw.get_stage(ApiId=api_id, StageName="prod")["DeploymentId"] == \
        second["DeploymentId"]
    with pytest.raises(ClientError) as error:
        apigw.delete_deployment(ApiId=api_id, DeploymentId=second["DeploymentId"])
    assert _code(error) == ("BadRequestException", 400)
    apigw.delete_deployment(ApiId=api_id, DeploymentId=deployment["DeploymentId"])
    assert [d["DeploymentId"] for d in apigw.get_deployments(ApiId=api_id)["Items"]] == \
        [second["DeploymentId"]]
    apigw.delete_route_settings(ApiId=api_id, StageName="prod", RouteKey="GET /a")
    assert apigw.get_stage(ApiId=api_id, StageName="prod")["RouteSettings"] == {}
    auto = apigw.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True)
    first = auto["DeploymentId"]
    apigw.create_route(ApiId=api_id, RouteKey="GET /b",
                       Target=f"integrations/{integration['IntegrationId']}")
    moved = apigw.get_stage(ApiId=api_id, StageName="dev")["DeploymentId"]
    assert moved != first
    assert apigw.get_deployment(ApiId=api_id, DeploymentId=moved)["AutoDeployed"] is True
    assert apigw.get_stage(ApiId=api_id, StageName="prod")["DeploymentId"] == \
        second["DeploymentId"]
    updated = apigw.update_stage(ApiId=api_id, StageName="prod", Description="live",
                                 StageVariables={"fn": "v2"})
    assert updated["Description"] == "live" and updated["StageVariables"] == {"fn": "v2"}
    apigw.delete_stage(ApiId=api_id, StageName="dev")
    assert [s["StageName"] for s in apigw.get_stages(ApiId=api_id)["Items"]] == ["prod"]
    with pytest.raises(ClientError) as error:
        apigw.get_stage(ApiId=api_id, StageName="dev")
    assert _code(error) == ("NotFoundException", 404)


def test_authorizers(apigw: Any, http_api: Callable[..., str]) -> None:
    api_id = http_api()
    jwt = apigw.create_authorizer(
        ApiId=api_id, Name="jwt", AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": "https://issuer.example", "Audience": ["app"]})
    assert jwt["JwtConfiguration"] == {"Issuer": "https://issuer.example", "Audience": ["app"]}
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{LAMBDA}/invocations"
    custom = apigw.create_authorizer(
        ApiId=api_id, Name="fn", AuthorizerType="REQUEST", AuthorizerUri=uri,
        AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True,
        IdentitySource=["$request.header.X-Token"], AuthorizerResultTtlInSeconds=60)
    assert custom["EnableSimpleResponses"] is True
    assert custom["AuthorizerResultTtlInSeconds"] == 60
    for kwargs in ({"AuthorizerType": "JWT", "IdentitySource": ["$request.header.A"],
                    "JwtConfiguration": {"Issuer": "https://i"}},
                   {"AuthorizerType": "REQUEST", "AuthorizerUri": uri,
                    "AuthorizerPayloadFormatVersion": "1.0", "EnableSimpleResponses": True,
                    "IdentitySource": ["$request.header.A"]},
                   {"AuthorizerType": "REQUEST", "AuthorizerUri": uri, "IdentitySource": [],
                    "AuthorizerPayloadFormatVersion": "2.0", "AuthorizerResultTtlInSeconds": 30},
                   {"AuthorizerType": "REQUEST", "AuthorizerUri": uri,
                    "AuthorizerPayloadFormatVersion": "2.0", "IdentitySource": ["nope"]}):
        with pytest.raises(ClientError) as error:
            apigw.create_authorizer(ApiId=api_id, Name="bad", **kwargs)
        assert _code(error) == ("BadRequestException", 400), kwargs
    route = apigw.create_route(ApiId=api_id, RouteKey="GET /x", AuthorizationType="JWT",
                               AuthorizerId=jwt["AuthorizerId"], AuthorizationScopes=["read"])
    assert route["AuthorizationScopes"] == ["read"]
    with pytest.raises(ClientError) as error:
        apigw.create_route(ApiId=api_id, RouteKey="GET /y", AuthorizationType="CUSTOM",
                           AuthorizerId=jwt["AuthorizerId"])
    assert _code(error) == ("BadRequestException", 400)
    with pytest.raises(ClientError) as error:
        apigw.delete_authorizer(ApiId=api_id, AuthorizerId=jwt["AuthorizerId"])
    assert _code(error)[1] in (400, 409)
    updated = apigw.update_authorizer(ApiId=api_id, AuthorizerId=custom["AuthorizerId"],
                                      AuthorizerResultTtlInSeconds=0)
    assert updated["AuthorizerResultTtlInSeconds"] == 0
    assert len(apigw.get_authorizers(ApiId=api_id)["Items"]) == 2
    apigw.delete_authorizer(ApiId=api_id, AuthorizerId=custom["AuthorizerId"])
    with pytest.raises(ClientError) as error:
        apigw.get_authorizer(ApiId=api_id, AuthorizerId=custom["AuthorizerId"])
    assert _code(error) == ("NotFoundException", 404)


def test_tags(apigw: Any, http_api: Callable[..., str]) -> None:
    api_id = http_api(Tags={"a": "1"})
    apigw.create_stage(ApiId=api_id, StageName="prod")
    arn = f"arn:aws:apigateway:us-east-1::/apis/{api_id}"
    apigw.tag_resource(ResourceArn=arn, Tags={"b": "2"})
    assert apigw.get_tags(ResourceArn=arn)["Tags"] == {"a": "1", "b": "2"}
    apigw.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert apigw.get_tags(ResourceArn=arn)["Tags"] == {"b": "2"}
    stage_arn = f"{arn}/stages/prod"
    apigw.tag_resource(ResourceArn=stage_arn, Tags={"s": "x"})
    assert apigw.get_tags(ResourceArn=stage_arn)["Tags"] == {"s": "x"}
    with pytest.raises(ClientError) as error:
        apigw.get_tags(ResourceArn=f"{arn}/stages/nope")
    assert _code(error) == ("NotFoundException", 404)


def test_other_accounts_apis_are_not_found(apigw: Any, make_client: Callable[..., Any],
                                           http_api: Callable[..., str]) -> None:
    api_id = http_api()
    other = make_client("apigatewayv2", region_name="eu-west-1")
    with pytest.raises(ClientError) as error:
        other.get_api(ApiId=api_id)
    assert _code(error) == ("NotFoundException", 404)
