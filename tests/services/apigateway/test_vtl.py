"""The mapping-template language (a VTL subset), JSONPath, authorizer and resource
policy evaluation and resource matching, as units (no server)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nubes.services.apigateway.authorize import evaluate, function_of_uri
from nubes.services.apigateway.mapping import Input, json_path, render_template
from nubes.services.apigateway.resource_policy import allows as resource_allows
from nubes.services.apigateway.resource_policy import masked
from nubes.services.apigateway.routes import match
from nubes.services.apigateway.schema import valid as schema_valid
from nubes.services.apigateway.vtl import TemplateError, render


def test_references_and_directives() -> None:
    template = (
        "#set($names = ['a', 'b', 'c'])\n"
        "#foreach($n in $names)$n#if($foreach.hasNext),#end#end\n"
        "#if($names.size() > 2 && !$missing)many#elseif(true)few#else none#end "
        "$names[1] ${names.get(0)} $!missing $missing $velocityCount"
    )
    # Velocity 1.7 drops the newline right after a directive
    # ($velocityCount exists only inside a loop)
    assert render(template, {}) == "a,b,cmany b a  $missing $velocityCount"


def test_expressions_and_java_methods() -> None:
    out = render('#set($m = {"k": 1})#set($_ = $m.put("j", 2))$m.keySet() $m.containsKey("k") '
                 '#set($s = "Hello World")$s.toLowerCase() $s.length() $s.substring(0, 5) '
                 '$s.replaceAll("o", "0") $s.split(" ")[1] ${s.startsWith("He")} '
                 '#set($n = 7 / 2)$n #set($f = 1.5 * 2)$f $s.matches("H.*") '
                 '#foreach($i in [3..1])$i#end', {})
    assert out == ("[k, j] true hello world 11 Hello Hell0 W0rld World true "
                   "3 3.0 true 321")


def test_strings_interpolate_in_double_quotes_only() -> None:
    assert render("#set($a = 'x')#set($b = \"<$a>\")#set($c = '<$a>')$b $c", {}) == \
        "<x> <$a>"


def test_a_null_result_renders_as_written() -> None:
    assert render('#set($m = {})$m.put("k", 1) $m', {}) == '$m.put("k", 1) {k=1}'


def test_comments_are_dropped() -> None:
    assert render("a## line comment\nb#* block\ncomment *#c", {}) == "abc"


def test_unbalanced_directives_are_errors() -> None:
    with pytest.raises(TemplateError):
        render("#if(true)open", {})


def test_input_util_context_and_stage_variables() -> None:
    body = json.dumps({"user": {"name": "O'Neil \"Jr\"", "tags": ["x", "y"]},
                       "items": [{"id": 1}, {"id": 2}]}).encode()
    input_ = Input(body, {"path": {"id": "9"}, "querystring": {"q": "s"},
                          "header": {"X-Trace": "t"}})
    template = (
        '{"id": "$input.params(\'id\')", "q": "$input.params(\'q\')", '
        '"trace": "$input.params(\'x-trace\')", "user": $input.json(\'$.user\'), '
        '"name": "$util.escapeJavaScript($input.path(\'$.user.name\'))", '
        '"tags": $input.path(\'$.user.tags\').size(), '
        '"ids": [#foreach($item in $input.path(\'$.items\'))$item.id'
        '#if($foreach.hasNext),#end#end], '
        '"request": "$context.requestId", "env": "$stageVariables.env", '
        '"all": $input.json(\'$.items[*].id\'), "b64": "$util.base64Encode(\'hi\')"}')
    out = render_template(template, input_, {"requestId": "r-1"}, {"env": "dev"})
    assert out.count("\\'") == 1  # escapeJavaScript escapes single quotes, as AWS's does
    parsed = json.loads(out.replace("\\'", "'"))
    assert parsed == {"id": "9", "q": "s", "trace": "t",
                      "user": {"name": "O'Neil \"Jr\"", "tags": ["x", "y"]},
                      "name": "O'Neil \"Jr\"", "tags": 2, "ids": [1, 2], "request": "r-1",
                      "env": "dev", "all": [1, 2], "b64": "aGk="}


@pytest.mark.parametrize(("path", "expected"), [
    ("$", {"a": {"b": [1, {"c": 2}]}}), ("$.a.b[0]", 1), ("$.a.b[1].c", 2),
    ("$['a']['b'][-1]", {"c": 2}), ("$.missing", None), ("$..c", [2]), ("a.b[0]", 1),
])
def test_json_path(path: str, expected: Any) -> None:
    assert json_path({"a": {"b": [1, {"c": 2}]}}, path) == expected


ARN = "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/pets/1"


def _policy(effect: str, resource: Any, action: Any = "execute-api:Invoke") -> Any:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}


def test_policy_evaluation() -> None:
    assert evaluate(_policy("Allow", ARN), ARN) is True
    assert evaluate(_policy("Allow", "arn:aws:execute-api:us-east-1:*:abc/*/GET/*"), ARN)
    assert evaluate(_policy("Allow", ["x", "arn:aws:execute-api:*"], "execute-api:*"), ARN)
    assert evaluate(_policy("Allow", "arn:aws:execute-api:us-east-1:*:abc/*/POST/*"),
                    ARN) is None
    assert evaluate(_policy("Allow", ARN, "s3:GetObject"), ARN) is None
    both = {"Statement": [_policy("Allow", "*")["Statement"][0],
                          _policy("Deny", "*/pets/*")["Statement"][0]]}
    assert evaluate(both, ARN) is False
    assert evaluate({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, ARN)
    assert evaluate("not a policy", ARN) is None


def test_function_of_uri() -> None:
    fn = "arn:aws:lambda:us-east-1:000000000000:function:f:live"
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn}/invocations"
    assert function_of_uri(uri) == fn
    assert function_of_uri("arn:aws:apigateway:us-east-1:s3:path/bucket/key") is None


def _tree() -> dict[str, Any]:
    def resource(rid: str, parent: str, part: str, path: str, *methods: str) -> Any:
        return {"id": rid, "parentId": parent, "pathPart": part, "path": path,
                "resourceMethods": {m: {"httpMethod": m} for m in methods}}

    return {"rootResourceId": "r", "_resources": {
        "r": {"id": "r", "path": "/", "resourceMethods": {"GET": {"httpMethod": "GET"}}},
        "a": resource("a", "r", "a", "/a", "GET"),
        "p": resource("p", "a", "{id}", "/a/{id}", "ANY"),
        "q": resource("q", "p", "x", "/a/{id}/x", "GET"),
        "g": resource("g", "r", "{proxy+}", "/{proxy+}", "ANY"),
    }}


@pytest.mark.parametrize(("method", "path", "resource", "params"), [
    ("GET", "/", "/", {}), ("GET", "/a", "/a", {}), ("GET", "/a/", "/a", {}),
    ("PUT", "/a/7", "/a/{id}", {"id": "7"}), ("GET", "/a/7/x", "/a/{id}/x", {"id": "7"}),
    ("GET", "/a/7/y", "/{proxy+}", {"proxy": "a/7/y"}),
    ("GET", "/a%20b/c", "/{proxy+}", {"proxy": "a b/c"}),
    ("POST", "/a", None, None), ("POST", "/", None, None),
])
def test_matching(method: str, path: str, resource: str | None,
                  params: dict[str, str] | None) -> None:
    found = match(_tree(), method, path)
    if resource is None:
        assert found is None
    else:
        assert found is not None
        assert (found.resource["path"], found.path_parameters) == (resource, params)


API_ARN = "arn:aws:execute-api:us-east-1:000000000000:abc"


def _resource_policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_resource_policies() -> None:
    method = f"{API_ARN}/prod/GET/pets"
    local = {"aws:sourceip": "127.0.0.1"}
    allow_all = {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                 "Resource": "execute-api:/*"}
    assert resource_allows(None, method, API_ARN, local, None) is True
    assert resource_allows(_resource_policy(allow_all), method, API_ARN, local, None) is True
    deny_outside = {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
                    "Resource": "execute-api:/*",
                    "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}}
    both = _resource_policy(allow_all, deny_outside)
    assert resource_allows(both, method, API_ARN, local, None) is False
    assert resource_allows(both, method, API_ARN, {"aws:sourceip": "10.1.2.3"}, None) is True
    only_post = {**allow_all, "Resource": "execute-api:/*/POST/*"}
    assert resource_allows(_resource_policy(only_post), method, API_ARN, local, None) is None
    account = {**allow_all, "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}
    assert resource_allows(_resource_policy(account), method, API_ARN, local, None) is None
    assert resource_allows(_resource_policy(account), method, API_ARN, local,
                           "111122223333") is True
    assert masked(method) == "arn:aws:execute-api:us-east-1:********0000:abc/prod/GET/pets"


def test_json_schema_subset() -> None:
    schema = {"type": "object", "required": ["id"], "additionalProperties": False,
              "definitions": {"tag": {"type": "string", "pattern": "^[a-z]+$"}},
              "properties": {"id": {"type": "integer", "minimum": 1},
                             "tags": {"type": "array", "items": {"$ref": "#/definitions/tag"},
                                      "maxItems": 2, "uniqueItems": True},
                             "kind": {"enum": ["a", "b"]},
                             "size": {"anyOf": [{"type": "null"}, {"type": "number",
                                                                   "maximum": 10,
                                                                   "exclusiveMaximum": True}]}}}
    assert schema_valid({"id": 1, "tags": ["x", "y"], "kind": "a", "size": 9.5}, schema)
    assert schema_valid({"id": 2.0, "size": None}, schema)
    bad: Any
    for bad in ({}, {"id": 0}, {"id": "1"}, {"id": 1, "tags": ["X"]},
                {"id": 1, "tags": ["a", "a"]}, {"id": 1, "kind": "c"}, {"id": 1, "size": 10},
                {"id": 1, "other": True}, {"id": True}, []):
        assert not schema_valid(bad, schema), bad


# AWS's "Method Request passthrough" template, as the console offers it.
PASSTHROUGH = """##  See http://docs.aws.amazon.com/apigateway/latest/developerguide/
##  This template will pass through all parameters including path, querystring,
##  header, stage variables, and context through to the integration endpoint
#set($allParams = $input.params())
{
"body-json" : $input.json('$'),
"params" : {
#foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
"$type" : {
    #foreach($paramName in $params.keySet())
    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
        #if($foreach.hasNext),#end
    #end
}
    #if($foreach.hasNext),#end
#end
},
"stage-variables" : {
#foreach($key in $stageVariables.keySet())
"$key" : "$util.escapeJavaScript($stageVariables.get($key))"
    #if($foreach.hasNext),#end
#end
},
"context" : {
    "account-id" : "$context.identity.accountId",
    "api-id" : "$context.apiId",
    "api-key" : "$context.identity.apiKey",
    "authorizer-principal-id" : "$context.authorizer.principalId",
    "caller" : "$context.identity.caller",
    "cognito-authentication-provider" : "$context.identity.cognitoAuthenticationProvider",
    "cognito-authentication-type" : "$context.identity.cognitoAuthenticationType",
    "cognito-identity-id" : "$context.identity.cognitoIdentityId",
    "cognito-identity-pool-id" : "$context.identity.cognitoIdentityPoolId",
    "http-method" : "$context.httpMethod",
    "stage" : "$context.stage",
    "source-ip" : "$context.identity.sourceIp",
    "user" : "$context.identity.user",
    "user-agent" : "$context.identity.userAgent",
    "user-arn" : "$context.identity.userArn",
    "request-id" : "$context.requestId",
    "resource-id" : "$context.resourceId",
    "resource-path" : "$context.resourcePath"
    }
}
"""


def test_the_method_request_passthrough_template() -> None:
    input_ = Input(b'{"a": 1}', {"path": {"id": "1"}, "querystring": {"q": "x", "r": "y"},
                                 "header": {"h": "v"}})
    context = {"apiId": "abc", "stage": "test", "identity": {"sourceIp": "1.2.3.4",
                                                             "accountId": ""}}
    out = json.loads(render_template(PASSTHROUGH, input_, context, {"s": "t"}))
    assert out["body-json"] == {"a": 1}
    assert out["params"] == {"path": {"id": "1"}, "querystring": {"q": "x", "r": "y"},
                             "header": {"h": "v"}}
    assert out["stage-variables"] == {"s": "t"}
    assert out["context"]["api-id"] == "abc" and out["context"]["account-id"] == ""


def test_nested_loops_keep_their_own_foreach() -> None:
    out = render("#foreach($a in [1, 2])[#foreach($b in [3, 4])$b#if($foreach.hasNext),#end"
                 "#end]#if($foreach.hasNext);#end#end", {})
    assert out == "[3,4];[3,4]"
