"""Rules deliver what is put on their bus: to queues (standard and FIFO), to functions,
to other buses; with Input, InputPath and InputTransformer as AWS documents them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.errors import error_of
from tests.functions import printed_events
from tests.services.eventbridge.conftest import (
    allow_events,
    allow_rule,
    new_queue,
    received,
    unique,
)

EC2_DETAIL = {"instance-id": "i-0123456789", "state": "RUNNING"}


def put(events: Any, detail: dict[str, Any], source: str = "my.ec2",
        detail_type: str = "EC2 Instance State-change Notification", **more: Any) -> str:
    answer = events.put_events(Entries=[{"Source": source, "DetailType": detail_type,
                                         "Detail": json.dumps(detail), **more}])
    assert answer["FailedEntryCount"] == 0
    event_id: str = answer["Entries"][0]["EventId"]
    return event_id


def queue_rule(events: Any, sqs: Any, pattern: dict[str, Any], targets: list[dict[str, Any]],
               bus: str = "default", fifo: bool = False) -> tuple[str, str]:
    """A rule with ``pattern`` whose targets (``Arn`` filled in) all go to one new queue
    that allows the rule; (queue url, rule ARN)."""
    url, queue_arn = new_queue(sqs, fifo)
    name = unique()
    rule_arn = events.put_rule(Name=name, EventPattern=json.dumps(pattern),
                               EventBusName=bus)["RuleArn"]
    allow_rule(sqs, url, queue_arn, rule_arn)
    answer = events.put_targets(Rule=name, EventBusName=bus,
                                Targets=[{**t, "Arn": queue_arn} for t in targets])
    assert answer["FailedEntryCount"] == 0
    return url, rule_arn


def test_a_matching_event_reaches_the_queue_as_aws_shapes_it(events: Any, sqs: Any) -> None:
    source = unique("app")
    url, _ = queue_rule(events, sqs, {"source": [source], "detail": {"state": ["RUNNING"]}},
                        [{"Id": "q"}])
    put(events, {**EC2_DETAIL, "state": "STOPPED"}, source=source)  # no match
    event_id = put(events, EC2_DETAIL, source=source, Resources=["arn:aws:ec2:x"])
    [message] = received(sqs, url, 1)
    body = json.loads(message["Body"])
    assert list(body) == ["version", "id", "detail-type", "source", "account", "time",
                          "region", "resources", "detail"]
    assert body["version"] == "0" and body["id"] == event_id
    assert (body["source"], body["detail-type"]) == (
        source, "EC2 Instance State-change Notification")
    assert (body["account"], body["region"]) == ("000000000000", "us-east-1")
    assert body["resources"] == ["arn:aws:ec2:x"]
    assert body["detail"] == EC2_DETAIL
    assert body["time"].endswith("Z") and len(body["time"]) == 20
    assert received(sqs, url, 1, wait_s=1.0) == []  # the STOPPED event matched nothing


def test_input_transformer_output_is_as_aws_documents(events: Any, sqs: Any) -> None:
    source = unique("app")
    paths = {"instance": "$.detail.instance-id", "state": "$.detail.state",
             "resource": "$.resources[0]", "missing": "$.detail.nothing"}

    def transformer(template: str) -> dict[str, Any]:
        return {"InputTransformer": {"InputPathsMap": paths, "InputTemplate": template}}

    url, rule_arn = queue_rule(events, sqs, {"source": [source]}, [
        {"Id": "json", **transformer('{\n  "instance" : <instance>,\n  "state": <state>\n}')},
        {"Id": "string", **transformer('"instance <instance> is in <state>"')},
        {"Id": "mixed", **transformer(
            '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes",'
            ' "status": "instance \\"<instance>\\" is in <state>"}')},
        {"Id": "reserved", **transformer(
            '{"ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>,'
            ' "original" : <aws.events.event.json>, "resource": "<resource>"}')},
        {"Id": "constant", "Input": '{"fixed": true}'},
    ])
    event_id = put(events, EC2_DETAIL, source=source, Resources=["arn:aws:ec2:i"])
    bodies = sorted(m["Body"] for m in received(sqs, url, 5))
    assert len(bodies) == 5
    reserved = json.loads(next(b for b in bodies if "ruleArn" in b))
    assert reserved["ruleArn"] == rule_arn
    assert reserved["ruleName"] == rule_arn.rsplit("/", 1)[1]
    assert reserved["original"]["id"] == event_id
    assert reserved["original"]["detail"] == EC2_DETAIL
    assert reserved["resource"] == "arn:aws:ec2:i"
    others = [b for b in bodies if "ruleArn" not in b]
    assert sorted(others) == sorted([
        '{"instance":"i-0123456789","state":"RUNNING"}',
        '"instance i-0123456789 is in RUNNING"',
        '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes",'
        '"status":"instance \\"i-0123456789\\" is in RUNNING"}',
        '{"fixed": true}',  # Input is passed as given
    ])


def test_input_path_selects_part_of_the_event(events: Any, sqs: Any) -> None:
    source = unique("app")
    url, _ = queue_rule(events, sqs, {"source": [source]},
                        [{"Id": "p", "InputPath": "$.detail"}])
    put(events, EC2_DETAIL, source=source)
    [message] = received(sqs, url, 1)
    assert json.loads(message["Body"]) == EC2_DETAIL


def test_a_fifo_queue_gets_the_message_group(events: Any, sqs: Any) -> None:
    source = unique("app")
    url, _ = queue_rule(events, sqs, {"source": [source]},
                        [{"Id": "f", "SqsParameters": {"MessageGroupId": "orders"}}],
                        fifo=True)
    put(events, {"n": 1}, source=source)
    put(events, {"n": 2}, source=source)
    messages = received(sqs, url, 2)
    assert [json.loads(m["Body"])["detail"]["n"] for m in messages] == [1, 2]
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {"orders"}


def test_a_fifo_target_needs_a_message_group(events: Any, sqs: Any) -> None:
    name = unique()
    events.put_rule(Name=name, EventPattern='{"source": ["x"]}')
    _, arn = new_queue(sqs, fifo=True)
    error = error_of(lambda: events.put_targets(Rule=name, Targets=[{"Id": "f", "Arn": arn}]))
    assert error["Code"] == "ValidationException"


def test_a_disabled_rule_delivers_nothing(events: Any, sqs: Any) -> None:
    source = unique("app")
    url, rule_arn = queue_rule(events, sqs, {"source": [source]}, [{"Id": "q"}])
    name = rule_arn.rsplit("/", 1)[1]
    events.disable_rule(Name=name)
    put(events, {"n": 1}, source=source)
    events.enable_rule(Name=name)
    put(events, {"n": 2}, source=source)
    [message] = received(sqs, url, 1)
    assert json.loads(message["Body"])["detail"] == {"n": 2}
    assert received(sqs, url, 1, wait_s=1.0) == []


def test_a_rule_on_the_default_bus_forwards_to_another_bus(events: Any, sqs: Any) -> None:
    source = unique("app")
    bus = unique("bus")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    url, _ = queue_rule(events, sqs, {"source": [source]}, [{"Id": "q"}], bus=bus)
    forward = unique()
    events.put_rule(Name=forward, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=forward, Targets=[{"Id": "bus", "Arn": bus_arn}])
    event_id = put(events, {"n": 1}, source=source)
    [message] = received(sqs, url, 1)
    body = json.loads(message["Body"])
    assert (body["id"], body["source"], body["detail"]) == (event_id, source, {"n": 1})


def test_a_permitted_function_gets_the_event(
        make_client: Callable[..., Any], events: Any, lam: Any,
        function: tuple[str, str]) -> None:
    name, function_arn = function
    source = unique("app")
    rule = unique()
    rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))[
        "RuleArn"]
    allow_events(lam, name, rule_arn)
    events.put_targets(Rule=rule, Targets=[{"Id": "fn", "Arn": function_arn}])
    event_id = put(events, EC2_DETAIL, source=source)
    [event] = printed_events(make_client("logs"), name, 1)
    assert event["id"] == event_id
    assert (event["source"], event["detail"]) == (source, EC2_DETAIL)
    assert events.list_rule_names_by_target(TargetArn=function_arn)["RuleNames"] == [rule]


def test_a_rule_cannot_target_its_own_bus(events: Any) -> None:
    name = unique()
    events.put_rule(Name=name, EventPattern='{"source": ["x"]}')
    own = events.describe_event_bus()["Arn"]
    answer = events.put_targets(Rule=name, Targets=[{"Id": "self", "Arn": own}])
    assert answer["FailedEntryCount"] == 1
    assert answer["FailedEntries"][0]["TargetId"] == "self"
    assert events.list_targets_by_rule(Rule=name)["Targets"] == []
    events.delete_rule(Name=name)


def test_unsupported_targets_fail_in_failed_entries(events: Any) -> None:
    name = unique()
    events.put_rule(Name=name, EventPattern='{"source": ["x"]}')
    queue = "arn:aws:sqs:us-east-1:000000000000:q"
    answer = events.put_targets(Rule=name, Targets=[
        {"Id": "ok", "Arn": queue},
        {"Id": "states", "Arn": "arn:aws:states:us-east-1:000000000000:stateMachine:s"},
        {"Id": "retry", "Arn": queue, "RetryPolicy": {"MaximumRetryAttempts": 1}},
    ])
    assert answer["FailedEntryCount"] == 2
    assert sorted(e["TargetId"] for e in answer["FailedEntries"]) == ["retry", "states"]
    assert [t["Id"] for t in events.list_targets_by_rule(Rule=name)["Targets"]] == ["ok"]
    events.remove_targets(Rule=name, Ids=["ok"])
    events.delete_rule(Name=name)


def test_targets_per_rule_are_limited_to_five(events: Any) -> None:
    name = unique()
    events.put_rule(Name=name, EventPattern='{"source": ["x"]}')
    queue = "arn:aws:sqs:us-east-1:000000000000:q"
    events.put_targets(Rule=name, Targets=[{"Id": f"t{i}", "Arn": queue} for i in range(5)])
    error = error_of(lambda: events.put_targets(Rule=name,
                                                Targets=[{"Id": "t5", "Arn": queue}]))
    assert (error["Code"], error["Message"]) == (
        "LimitExceededException",
        "The requested resource exceeds the maximum number allowed.")
    events.put_targets(Rule=name, Targets=[{"Id": "t0", "Arn": queue, "Input": "{}"}])
    listed = events.list_targets_by_rule(Rule=name)["Targets"]
    assert len(listed) == 5 and listed[0] == {"Id": "t0", "Arn": queue, "Input": "{}"}
    page = events.list_targets_by_rule(Rule=name, Limit=2)
    assert len(page["Targets"]) == 2 and page["NextToken"]
    events.remove_targets(Rule=name, Ids=[f"t{i}" for i in range(5)])
    events.delete_rule(Name=name)
    error = error_of(lambda: events.put_targets(Rule=name,
                                                Targets=[{"Id": "t", "Arn": queue}]))
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException", f"Rule {name} does not exist on EventBus default.")


def test_a_function_destination_puts_its_record_on_a_bus(
        events: Any, sqs: Any, lam: Any, function: tuple[str, str]) -> None:
    name, function_arn = function
    bus = unique("bus")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    url, _ = queue_rule(events, sqs, {"source": ["lambda"],
                                      "resources": [{"prefix": function_arn}]},
                        [{"Id": "q"}], bus=bus)
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": bus_arn}})
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"hello": 1}')
    [message] = received(sqs, url, 1, wait_s=30.0)
    body = json.loads(message["Body"])
    assert (body["source"], body["detail-type"]) == (
        "lambda", "Lambda Function Invocation Result - Success")
    assert body["resources"] == [bus_arn, f"{function_arn}:$LATEST"]
    assert body["detail"]["requestPayload"] == {"hello": 1}
    assert body["detail"]["requestContext"]["condition"] == "Success"


def test_an_event_travels_one_bus_to_bus_hop(events: Any, sqs: Any) -> None:
    source = unique("app")
    first, second = unique("bus"), unique("bus")
    first_arn = events.create_event_bus(Name=first)["EventBusArn"]
    second_arn = events.create_event_bus(Name=second)["EventBusArn"]
    pattern = json.dumps({"source": [source]})
    for bus, onward in ((first, second_arn), (second, first_arn)):  # a loop
        rule = unique()
        events.put_rule(Name=rule, EventBusName=bus, EventPattern=pattern)
        events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "b", "Arn": onward}])
    url, _ = queue_rule(events, sqs, {"source": [source]}, [{"Id": "q"}], bus=second)
    put(events, {"n": 1}, source=source, EventBusName=first)
    assert len(received(sqs, url, 1)) == 1
    assert received(sqs, url, 1, wait_s=1.0) == []  # not back to the first bus and again
