"""A rule's SNS topic target: the event published to the topic (its policy allowing
events.amazonaws.com, as AWS requires), and on to the topic's subscribers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.services.eventbridge.conftest import new_queue, received, unique


def allow(principal: str, action: str, resource: str, source_arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": principal}, "Action": action,
        "Resource": resource, "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}}}]})


def test_a_rule_publishes_the_event_to_a_topic(
        make_client: Callable[..., Any], events: Any, sqs: Any) -> None:
    sns = make_client("sns")
    topic = sns.create_topic(Name=unique("topic"))["TopicArn"]
    url, queue_arn = new_queue(sqs)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={
        "Policy": allow("sns.amazonaws.com", "sqs:SendMessage", queue_arn, topic)})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"RawMessageDelivery": "true"})
    source = unique("app")
    rule = unique()
    rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))[
        "RuleArn"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy",
                             AttributeValue=allow("events.amazonaws.com", "sns:Publish",
                                                  topic, rule_arn))
    events.put_targets(Rule=rule, Targets=[
        {"Id": "topic", "Arn": topic},
        {"Id": "shaped", "Arn": topic, "InputTransformer": {
            "InputPathsMap": {"n": "$.detail.n"}, "InputTemplate": '"n is <n>"'}}])
    answer = events.put_events(Entries=[{"Source": source, "DetailType": "t",
                                         "Detail": json.dumps({"n": 7})}])
    bodies = sorted(m["Body"] for m in received(sqs, url, 2))
    assert len(bodies) == 2
    assert bodies[0] == '"n is 7"'
    event = json.loads(bodies[1])
    assert (event["id"], event["detail"]) == (answer["Entries"][0]["EventId"], {"n": 7})
