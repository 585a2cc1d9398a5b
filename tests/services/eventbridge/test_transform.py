"""Target input: JSON paths, AWS's documented InputTransformer examples, and the checks
PutTargets makes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nubes.services.eventbridge.transform import TransformError, check, fill, render, select

EVENT: dict[str, Any] = {
    "version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
    "account": "123456789012", "time": "2015-11-11T21:29:54Z", "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "n": 3,
               "tags": {"a": 1}},
}
PATHS = {"timestamp": "$.time", "instance": "$.detail.instance-id",
         "state": "$.detail.state", "resource": "$.resources[0]"}
RULE = "arn:aws:events:us-east-2:123456789012:rule/example"


def transformed(template: str, paths: dict[str, str] = PATHS) -> str:
    target = {"InputTransformer": {"InputPathsMap": paths, "InputTemplate": template}}
    return render(target, EVENT, RULE, "example", "2015-11-11T21:29:55Z")


@pytest.mark.parametrize(("path", "expected"), [
    ("$", EVENT), ("$.detail.state", "RUNNING"), ("$.resources[0]", EVENT["resources"][0]),
    ("$['detail']['instance-id']", "i-0123456789"), ("$.detail.tags.a", 1),
    ("$.resources.*", EVENT["resources"]), ("$.resources[*]", EVENT["resources"]),
])
def test_select(path: str, expected: Any) -> None:
    assert select(EVENT, path) == expected


# The examples of AWS's "Amazon EventBridge input transformation" page.
@pytest.mark.parametrize(("template", "expected"), [
    ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
    ('"instance \\"<instance>\\" is in <state>"',
     '"instance \\"i-0123456789\\" is in RUNNING"'),
    ('{\n  "instance" : <instance>,\n  "state": <state>\n}',
     '{"instance":"i-0123456789","state":"RUNNING"}'),
    ('{\n "instance" : <instance>,\n "state": "<state>",\n'
     ' "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}',
     '{"instance":"i-0123456789","state":"RUNNING",'
     '"instanceStatus":"instance \\"i-0123456789\\" is in RUNNING"}'),
    ('{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n'
     '  "Transformed" : "Yes"\n}',
     '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}'),
    ('"<aws.events.rule-name> triggered"', '"example triggered"'),
])
def test_documented_examples(template: str, expected: str) -> None:
    assert transformed(template) == expected


def test_reserved_variables_in_json() -> None:
    out = json.loads(transformed(
        '{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>,'
        ' "original": <aws.events.event>, "full": <aws.events.event.json>,'
        ' "at": <aws.events.event.ingestion-time>}'))
    assert (out["ruleArn"], out["ruleName"]) == (RULE, "example")
    assert out["full"] == EVENT
    assert out["original"] == {k: v for k, v in EVENT.items() if k != "detail"}
    assert out["at"] == "2015-11-11T21:29:55Z"


def test_values_that_are_not_strings() -> None:
    paths = {"n": "$.detail.n", "tags": "$.detail.tags"}
    assert transformed('{"n": <n>, "tags": <tags>, "text": "n=<n>"}', paths) == (
        '{"n":3,"tags":{"a":1},"text":"n=3"}')


def test_a_missing_path_leaves_its_placeholder_empty() -> None:
    assert transformed('"state <gone>!"', {"gone": "$.detail.nothing"}) == '"state !"'


def test_unknown_placeholders_stay() -> None:
    assert fill('"<b>bold</b> <x>"', {"x": "y"}) == '"<b>bold</b> y"'


def test_input_and_input_path() -> None:
    assert render({"Input": '{"a": 1}'}, EVENT, RULE, "example", "") == '{"a": 1}'
    assert render({"InputPath": "$.detail.state"}, EVENT, RULE, "example", "") == (
        '"RUNNING"')
    assert json.loads(render({}, EVENT, RULE, "example", "")) == EVENT


@pytest.mark.parametrize("target", [
    {"Id": "t", "Input": "{not json"},
    {"Id": "t", "Input": "{}", "InputPath": "$"},
    {"Id": "t", "InputPath": "detail"},
    {"Id": "t", "InputTransformer": {"InputPathsMap": {"aws.events.rule-arn": "$"},
                                     "InputTemplate": "x"}},
    {"Id": "t", "InputTransformer": {"InputPathsMap": {"a": "nope"}, "InputTemplate": "x"}},
    {"Id": "t", "InputTransformer": {"InputPathsMap": {f"v{i}": "$" for i in range(101)},
                                     "InputTemplate": "x"}},
])
def test_check_refuses(target: dict[str, Any]) -> None:
    with pytest.raises(TransformError):
        check(target)
