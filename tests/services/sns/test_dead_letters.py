"""Dead-letter queues of sqs and lambda subscriptions (RedrivePolicy): what the endpoint
cannot take goes there instead of being dropped."""

from __future__ import annotations

import json
from typing import Any

from tests.services.sns.conftest import new_queue, queue_arn, receive, unique

FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:no-such-function"


def test_a_queue_that_refuses_sns_sends_to_the_dead_letter_queue(sns: Any, sqs: Any,
                                                                  topic: str) -> None:
    dlq, dlq_arn = new_queue(sqs, topic)
    closed = sqs.create_queue(QueueName=unique("closed"))["QueueUrl"]  # no policy for SNS
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, closed),
                  Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn}),
                              "RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="nowhere to go", MessageAttributes={
        "k": {"DataType": "String", "StringValue": "v"}})
    [dead] = receive(sqs, dlq, 1)
    assert dead["Body"] == "nowhere to go"
    assert dead["MessageAttributes"]["k"]["StringValue"] == "v"
    assert receive(sqs, closed, 1, wait_s=1) == []


def test_a_deleted_queue_or_function_sends_to_the_dead_letter_queue(sns: Any, sqs: Any,
                                                                     topic: str) -> None:
    dlq, dlq_arn = new_queue(sqs, topic)
    redrive = {"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})}
    gone, gone_arn = new_queue(sqs, topic)
    sqs.delete_queue(QueueUrl=gone)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=gone_arn, Attributes=redrive)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FUNCTION, Attributes=redrive)
    published = sns.publish(TopicArn=topic, Message="orphan")["MessageId"]
    dead = [json.loads(m["Body"]) for m in receive(sqs, dlq, 2, settle=True)]
    assert len(dead) == 2
    envelope = next(d for d in dead if "Records" not in d)
    assert envelope["MessageId"] == published
    event = next(d for d in dead if "Records" in d)
    assert event["Records"][0]["Sns"]["MessageId"] == published
