"""A bus's policy (PutPermission, RemovePermission) lets another account put events on
it, directly and through its rules' bus targets."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from tests.errors import error_of
from tests.server import NubesServer
from tests.services.eventbridge.conftest import allow_rule, new_queue, received, unique


@pytest.fixture(scope="module")
def other(nubes_server: NubesServer, make_client: Callable[..., Any]) -> dict[str, Any]:
    """A second account (made with ``nubes keys create``): its id and client."""
    done = subprocess.run(
        [sys.executable, "-m", "nubes", "keys", "create", "--data-dir",
         str(nubes_server.data_dir)], capture_output=True, text=True, check=True)
    key = dict(line.split(None, 1) for line in done.stdout.splitlines() if line.strip())
    return {"id": key["account_id"],
            "events": make_client("events", aws_access_key_id=key["aws_access_key_id"],
                                  aws_secret_access_key=key["aws_secret_access_key"])}


def entry(bus: str, source: str) -> dict[str, Any]:
    return {"Source": source, "DetailType": "t", "Detail": "{}", "EventBusName": bus}


def test_put_and_remove_permission(events: Any) -> None:
    bus = unique("bus")
    arn = events.create_event_bus(Name=bus)["EventBusArn"]
    events.put_permission(EventBusName=bus, Action="events:PutEvents",
                          Principal="111122223333", StatementId="partner")
    events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal="*",
                          StatementId="all")
    policy = json.loads(events.describe_event_bus(Name=bus)["Policy"])
    assert policy["Statement"][0] == {
        "Sid": "partner", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "events:PutEvents", "Resource": arn}
    events.remove_permission(EventBusName=bus, StatementId="all")
    assert [s["Sid"] for s in json.loads(events.describe_event_bus(Name=bus)["Policy"])[
        "Statement"]] == ["partner"]
    error = error_of(lambda: events.remove_permission(EventBusName=bus, StatementId="all"))
    assert error["Code"] == "ResourceNotFoundException"
    events.remove_permission(EventBusName=bus, RemoveAllPermissions=True)
    assert "Policy" not in events.describe_event_bus(Name=bus)
    error = error_of(lambda: events.put_permission(
        EventBusName=bus, Action="events:PutRule", Principal="*", StatementId="x"))
    assert error["Code"] == "ValidationException"
    events.delete_event_bus(Name=bus)


def test_another_account_puts_events_once_the_policy_allows(
        events: Any, sqs: Any, other: dict[str, Any]) -> None:
    bus = unique("bus")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    source = unique("partner")
    url, queue_arn = new_queue(sqs)
    rule = unique()
    rule_arn = events.put_rule(Name=rule, EventBusName=bus,
                               EventPattern=json.dumps({"source": [source]}))["RuleArn"]
    allow_rule(sqs, url, queue_arn, rule_arn)
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    theirs = other["events"]
    refused = theirs.put_events(Entries=[entry(bus_arn, source)])
    assert refused["FailedEntryCount"] == 1
    assert refused["Entries"][0]["ErrorCode"] == "AccessDeniedException"
    events.put_permission(EventBusName=bus, Action="events:PutEvents",
                          Principal=other["id"], StatementId="other")
    answer = theirs.put_events(Entries=[entry(bus_arn, source)])
    assert answer["FailedEntryCount"] == 0
    [message] = received(sqs, url, 1)
    body = json.loads(message["Body"])
    assert (body["id"], body["account"]) == (answer["Entries"][0]["EventId"], other["id"])

    # and through a rule of theirs whose target is our bus
    forward = unique()
    theirs.put_rule(Name=forward, EventPattern=json.dumps({"source": [source]}))
    theirs.put_targets(Rule=forward, Targets=[{"Id": "ours", "Arn": bus_arn}])
    theirs.put_events(Entries=[{**entry("default", source), "Detail": '{"via": "rule"}'}])
    [message] = received(sqs, url, 1)
    assert json.loads(message["Body"])["detail"] == {"via": "rule"}
