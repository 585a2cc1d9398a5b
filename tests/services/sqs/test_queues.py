"""Queues through boto3: create (standard, FIFO), URLs, listing, attributes, tags, purge."""

from __future__ import annotations

from typing import Any

from tests.errors import error_of
from tests.services.sqs.conftest import unique


def test_create_queue_answers_a_path_style_url_and_get_queue_url_finds_it(sqs: Any) -> None:
    name = unique()
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert url.endswith(f"/000000000000/{name}")
    assert url.startswith("http://127.0.0.1:")
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url


def test_a_missing_queue_is_queue_does_not_exist_with_its_old_query_code(sqs: Any) -> None:
    error = error_of(lambda: sqs.get_queue_url(QueueName=unique()))
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error["QueryErrorCode"] == "QueueDoesNotExist"
    assert error["headers"]["x-amzn-query-error"] == (
        "AWS.SimpleQueueService.NonExistentQueue;Sender")
    assert error["status"] == 400


def test_create_queue_is_idempotent_unless_attributes_differ(sqs: Any) -> None:
    name = unique()
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "40"})["QueueUrl"]
    again = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "40"})
    assert again["QueueUrl"] == url
    error = error_of(lambda: sqs.create_queue(QueueName=name,
                                              Attributes={"VisibilityTimeout": "41"}))
    assert error["Code"] == "QueueAlreadyExists"


def test_queue_names_are_checked(sqs: Any) -> None:
    assert error_of(lambda: sqs.create_queue(QueueName="bad name"))["Code"] == (
        "InvalidParameterValue")
    fifo_without_suffix = error_of(lambda: sqs.create_queue(
        QueueName=unique(), Attributes={"FifoQueue": "true"}))
    assert fifo_without_suffix["Code"] == "InvalidParameterValue"


def test_attributes_default_set_and_computed(sqs: Any, queue: str) -> None:
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "30"
    assert attributes["MessageRetentionPeriod"] == "345600"
    assert attributes["DelaySeconds"] == "0"
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["QueueArn"].startswith("arn:aws:sqs:us-east-1:000000000000:q-")
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "5",
                                                         "DelaySeconds": "2"})
    some = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["VisibilityTimeout"])
    assert some["Attributes"] == {"VisibilityTimeout": "5"}
    sqs.send_message(QueueUrl=queue, MessageBody="later")
    delayed = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=[
        "ApproximateNumberOfMessagesDelayed"])["Attributes"]
    assert delayed == {"ApproximateNumberOfMessagesDelayed": "1"}


def test_bad_attributes_are_refused(sqs: Any, queue: str) -> None:
    assert error_of(lambda: sqs.set_queue_attributes(
        QueueUrl=queue, Attributes={"VisibilityTimeout": "50000"}))["Code"] == (
        "InvalidAttributeValue")
    assert error_of(lambda: sqs.get_queue_attributes(
        QueueUrl=queue, AttributeNames=["Nope"]))["Code"] == "InvalidAttributeName"


def test_list_queues_by_prefix_and_in_pages(sqs: Any) -> None:
    prefix = unique("list")
    urls = [sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(3)]
    assert sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"] == urls
    first = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
    assert first["QueueUrls"] == urls[:2]
    rest = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=first["NextToken"])
    assert rest["QueueUrls"] == urls[2:]
    assert "NextToken" not in rest
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=unique("none"))


def test_tags(sqs: Any) -> None:
    url = sqs.create_queue(QueueName=unique(), tags={"team": "a"})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a", "env": "dev"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "dev"}


def test_purge_and_delete(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    sqs.purge_queue(QueueUrl=queue)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    sqs.delete_queue(QueueUrl=queue)
    error = error_of(lambda: sqs.send_message(QueueUrl=queue, MessageBody="x"))
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_a_queue_url_in_another_host_form_or_an_arn_is_accepted(sqs: Any, queue: str) -> None:
    path = queue.split("/", 3)[3]
    sqs.send_message(QueueUrl=f"https://sqs.us-east-1.amazonaws.com/{path}", MessageBody="a")
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sqs.send_message(QueueUrl=arn["Attributes"]["QueueArn"], MessageBody="b")
    got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in got) == ["a", "b"]


def test_a_second_purge_within_60_seconds_is_refused(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    sqs.purge_queue(QueueUrl=queue)
    error = error_of(lambda: sqs.purge_queue(QueueUrl=queue))
    assert error["Code"] == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert error["QueryErrorCode"] == "PurgeQueueInProgress"
    assert error["status"] == 403
    assert sqs.receive_message(QueueUrl=queue).get("Messages") is None
