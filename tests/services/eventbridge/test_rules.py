"""Rules through boto3: PutRule with patterns and schedules, describe, list, enable,
disable, delete, tags, and AWS's errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.errors import error_of
from tests.services.eventbridge.conftest import unique

RULE_ARN = "arn:aws:events:us-east-1:000000000000:rule/"
PATTERN = json.dumps({"source": ["my.app"]})


def test_put_describe_and_delete_a_pattern_rule(events: Any) -> None:
    name = unique()
    arn = events.put_rule(Name=name, EventPattern=PATTERN, Description="d",
                          RoleArn="arn:aws:iam::000000000000:role/r")["RuleArn"]
    assert arn == RULE_ARN + name
    rule = events.describe_rule(Name=name)
    assert rule["Name"] == name and rule["Arn"] == arn
    assert json.loads(rule["EventPattern"]) == {"source": ["my.app"]}
    assert (rule["State"], rule["Description"], rule["EventBusName"]) == (
        "ENABLED", "d", "default")
    assert rule["RoleArn"] == "arn:aws:iam::000000000000:role/r"
    assert rule["CreatedBy"] == "000000000000"
    assert "ScheduleExpression" not in rule
    events.delete_rule(Name=name)
    error = error_of(lambda: events.describe_rule(Name=name))
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException", f"Rule {name} does not exist on EventBus default.")


def test_put_rule_replaces_an_existing_rule(events: Any) -> None:
    name = unique()
    events.put_rule(Name=name, EventPattern=PATTERN, Description="old")
    events.put_rule(Name=name, ScheduleExpression="rate(5 minutes)", State="DISABLED")
    rule = events.describe_rule(Name=name)
    assert rule["ScheduleExpression"] == "rate(5 minutes)"
    assert rule["State"] == "DISABLED"
    assert "EventPattern" not in rule and "Description" not in rule
    events.delete_rule(Name=name)


def test_rules_on_a_custom_bus(events: Any) -> None:
    bus = unique("bus")
    events.create_event_bus(Name=bus)
    name = unique()
    arn = events.put_rule(Name=name, EventBusName=bus, EventPattern=PATTERN)["RuleArn"]
    assert arn == f"{RULE_ARN}{bus}/{name}"
    assert events.describe_rule(Name=name, EventBusName=bus)["EventBusName"] == bus
    error = error_of(lambda: events.describe_rule(Name=name))
    assert error["Message"] == f"Rule {name} does not exist on EventBus default."
    error = error_of(lambda: events.put_rule(Name=unique(), EventBusName=bus,
                                             ScheduleExpression="rate(1 minute)"))
    assert error["Code"] == "ValidationException"
    error = error_of(lambda: events.put_rule(Name=name, EventBusName="nope",
                                             EventPattern=PATTERN))
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException", "Event bus nope does not exist.")
    events.delete_rule(Name=name, EventBusName=bus)
    events.delete_event_bus(Name=bus)


@pytest.mark.parametrize("expression", [
    "rate(1 minute)", "rate(2 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)",
    "cron(0 12 * * ? *)", "cron(15 10 ? * MON-FRI *)", "cron(0/5 8-17 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)", "cron(0 18 ? * 6L *)", "cron(0 10 ? * 2#3 *)",
    "cron(0 9 LW * ? *)", "cron(0 9 15W * ? 2027)",
])
def test_valid_schedules_are_accepted(events: Any, expression: str) -> None:
    name = unique()
    events.put_rule(Name=name, ScheduleExpression=expression)
    assert events.describe_rule(Name=name)["ScheduleExpression"] == expression
    events.delete_rule(Name=name)


@pytest.mark.parametrize("expression", [
    "rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(5 seconds)",
    "rate(five minutes)", "cron(0 12 * * * *)", "cron(0 12 ? * ? *)", "cron(0 12 * *)",
    "cron(60 12 * * ? *)", "cron(0 24 * * ? *)", "cron(0 12 32 * ? *)", "every day",
])
def test_invalid_schedules_are_refused(events: Any, expression: str) -> None:
    error = error_of(lambda: events.put_rule(Name=unique(), ScheduleExpression=expression))
    assert (error["Code"], error["Message"]) == (
        "ValidationException", "Parameter ScheduleExpression is not valid.")


def test_put_rule_errors(events: Any) -> None:
    error = error_of(lambda: events.put_rule(Name=unique()))
    assert error["Code"] == "ValidationException"
    error = error_of(lambda: events.put_rule(Name=unique(), EventPattern='{"source": "x"}'))
    assert error["Code"] == "InvalidEventPatternException"
    assert error["Message"].startswith("Event pattern is not valid. Reason: ")
    error = error_of(lambda: events.put_rule(Name=unique(), EventPattern="not json"))
    assert error["Code"] == "InvalidEventPatternException"
    error = error_of(lambda: events.put_rule(Name="bad name!", EventPattern=PATTERN))
    assert error["Code"] == "ValidationException"
    error = error_of(lambda: events.put_rule(Name=unique(), EventPattern=PATTERN,
                                             State="MAYBE"))
    assert error["Code"] == "ValidationException"


def test_enable_and_disable(events: Any) -> None:
    name = unique()
    events.put_rule(Name=name, EventPattern=PATTERN)
    events.disable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "DISABLED"
    events.enable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "ENABLED"
    error = error_of(lambda: events.enable_rule(Name=unique()))
    assert error["Code"] == "ResourceNotFoundException"
    events.delete_rule(Name=name)


def test_list_rules_by_prefix_and_pages(events: Any) -> None:
    prefix = unique("list")
    for i in range(3):
        events.put_rule(Name=f"{prefix}-{i}", EventPattern=PATTERN)
    listed = events.list_rules(NamePrefix=prefix)["Rules"]
    assert [r["Name"] for r in listed] == [f"{prefix}-{i}" for i in range(3)]
    assert listed[0]["Arn"] == f"{RULE_ARN}{prefix}-0"
    assert listed[0]["EventBusName"] == "default"
    first = events.list_rules(NamePrefix=prefix, Limit=2)
    assert len(first["Rules"]) == 2
    second = events.list_rules(NamePrefix=prefix, Limit=2, NextToken=first["NextToken"])
    assert [r["Name"] for r in second["Rules"]] == [f"{prefix}-2"]
    assert "NextToken" not in second
    paginated = events.get_paginator("list_rules").paginate(NamePrefix=prefix,
                                                           PaginationConfig={"PageSize": 1})
    assert sum(len(p["Rules"]) for p in paginated) == 3
    for i in range(3):
        events.delete_rule(Name=f"{prefix}-{i}")


def test_a_rule_with_targets_cannot_be_deleted(events: Any) -> None:
    name = unique()
    events.put_rule(Name=name, EventPattern=PATTERN)
    target = "arn:aws:sqs:us-east-1:000000000000:some-queue"
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": target}])
    error = error_of(lambda: events.delete_rule(Name=name))
    assert (error["Code"], error["Message"]) == (
        "ValidationException", "Rule can't be deleted since it has targets.")
    assert events.list_rule_names_by_target(TargetArn=target)["RuleNames"] == [name]
    events.remove_targets(Rule=name, Ids=["q"])
    events.delete_rule(Name=name)
    events.delete_rule(Name=name)  # already gone: not an error


def test_rule_tags(events: Any) -> None:
    name = unique()
    arn = events.put_rule(Name=name, EventPattern=PATTERN,
                          Tags=[{"Key": "a", "Value": "1"}])["RuleArn"]
    events.tag_resource(ResourceARN=arn, Tags=[{"Key": "b", "Value": "2"}])
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    events.untag_resource(ResourceARN=arn, TagKeys=["a"])
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "b", "Value": "2"}]
    error = error_of(lambda: events.list_tags_for_resource(ResourceARN=RULE_ARN + "nope"))
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException", "Rule nope does not exist on EventBus default.")
    events.delete_rule(Name=name)
