"""S3 bucket notifications to a topic, seen by a queue subscribed to it: SNS's envelope
around S3's event, with S3's subject."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.sns.conftest import receive, subscribed_queue


def s3_may_publish(topic: str, bucket: str) -> str:
    """A topic policy letting S3 publish the bucket's notifications, as AWS's docs write
    it (the default statement kept)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "SNS:Publish", "Resource": topic,
        "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:*:*:{bucket}"},
                      "StringEquals": {"aws:SourceAccount": "000000000000"}},
    }]})


def on_create(topic: str) -> dict[str, Any]:
    return {"TopicConfigurations": [{"Id": "to-topic", "TopicArn": topic,
                                     "Events": ["s3:ObjectCreated:*"]}]}


def test_s3_events_reach_the_topics_subscribers(sns: Any, sqs: Any, s3: Any, topic: str,
                                                bucket: str) -> None:
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy",
                             AttributeValue=s3_may_publish(topic, bucket))
    url, _ = subscribed_queue(sns, sqs, topic)
    s3.put_bucket_notification_configuration(Bucket=bucket,
                                             NotificationConfiguration=on_create(topic))
    [test_event] = receive(sqs, url, 1)
    envelope = json.loads(test_event["Body"])
    assert envelope["Subject"] == "Amazon S3 Notification"
    assert envelope["TopicArn"] == topic
    assert json.loads(envelope["Message"])["Event"] == "s3:TestEvent"
    s3.put_object(Bucket=bucket, Key="photos/a b.jpg", Body=b"x")
    [created] = receive(sqs, url, 1, settle=True)
    envelope = json.loads(created["Body"])
    assert envelope["Type"] == "Notification"
    assert envelope["Subject"] == "Amazon S3 Notification"
    [record] = json.loads(envelope["Message"])["Records"]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["bucket"]["name"] == bucket
    assert record["s3"]["object"]["key"] == "photos/a+b.jpg"
    assert record["s3"]["configurationId"] == "to-topic"


def test_s3_checks_the_topic_exists_and_lets_it_publish(sns: Any, s3: Any, topic: str,
                                                        bucket: str) -> None:
    missing = "arn:aws:sns:us-east-1:000000000000:no-such-topic"
    for arn, reason in ((topic, "do not allow S3"), (missing, "does not exist")):
        with pytest.raises(ClientError) as refused:
            s3.put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration=on_create(arn))
        error = refused.value.response["Error"]
        assert error["Code"] == "InvalidArgument"
        assert reason in error["ArgumentValue1"] and error["ArgumentName1"] == arn
    fifo = sns.create_topic(Name="s3-fifo.fifo", Attributes={"FifoTopic": "true"})[
        "TopicArn"]
    sns.set_topic_attributes(TopicArn=fifo, AttributeName="Policy",
                             AttributeValue=s3_may_publish(fifo, bucket))
    with pytest.raises(ClientError) as refused:
        s3.put_bucket_notification_configuration(Bucket=bucket,
                                                 NotificationConfiguration=on_create(fifo))
    assert refused.value.response["Error"]["Code"] == "InvalidArgument"
