"""Topics through boto3: create (idempotent), list, attributes, tags, permissions."""

from __future__ import annotations

import json
from typing import Any

from tests.errors import error_of
from tests.services.sns.conftest import unique


def test_create_topic_is_idempotent_and_refuses_different_attributes(sns: Any) -> None:
    name = unique()
    arn = sns.create_topic(Name=name, Attributes={"DisplayName": "first"})["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:000000000000:{name}"
    assert sns.create_topic(Name=name, Attributes={"DisplayName": "first"})["TopicArn"] == arn
    assert sns.create_topic(Name=name)["TopicArn"] == arn
    error = error_of(lambda: sns.create_topic(Name=name, Attributes={"DisplayName": "x"}))
    assert error["Code"] == "InvalidParameter"
    assert "already exists with different attributes" in error["Message"]


def test_topic_names_are_checked(sns: Any) -> None:
    for name in ("", "has space", "x" * 257, "dot.ted"):
        assert error_of(lambda n=name: sns.create_topic(Name=n))["Code"] == \
            "InvalidParameter"
    error = error_of(lambda: sns.create_topic(Name="plain", Attributes={"FifoTopic": "true"}))
    assert error["Code"] == "InvalidParameter"
    assert error_of(lambda: sns.create_topic(Name="a.fifo"))["Code"] == "InvalidParameter"


def test_new_topic_attributes_are_aws_defaults(sns: Any, topic: str) -> None:
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["TopicArn"] == topic
    assert attributes["Owner"] == "000000000000"
    assert attributes["DisplayName"] == ""
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsPending"],
            attributes["SubscriptionsDeleted"]) == ("0", "0", "0")
    policy = json.loads(attributes["Policy"])
    statement = policy["Statement"][0]
    assert statement["Resource"] == topic and "SNS:Publish" in statement["Action"]
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceOwner": "000000000000"}}
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])
    assert effective["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3
    assert "FifoTopic" not in attributes


def test_fifo_topic_attributes(sns: Any) -> None:
    arn = sns.create_topic(Name=f"{unique()}.fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "true"
    sns.set_topic_attributes(TopicArn=arn, AttributeName="ContentBasedDeduplication",
                             AttributeValue="false")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"][
        "ContentBasedDeduplication"] == "false"


def test_set_topic_attributes(sns: Any, topic: str) -> None:
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName",
                             AttributeValue="Shown")
    sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId",
                             AttributeValue="alias/aws/sns")
    policy = {"http": {"defaultHealthyRetryPolicy": {"numRetries": 5, "minDelayTarget": 1,
                                                     "maxDelayTarget": 4}}}
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DeliveryPolicy",
                             AttributeValue=json.dumps(policy))
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["DisplayName"] == "Shown"
    assert attributes["KmsMasterKeyId"] == "alias/aws/sns"
    assert json.loads(attributes["DeliveryPolicy"]) == policy
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])["http"]
    assert effective["defaultHealthyRetryPolicy"]["numRetries"] == 5
    for name, value in (("NoSuchAttribute", "x"), ("ContentBasedDeduplication", "true"),
                        ("FifoTopic", "true"), ("DeliveryPolicy", "{not json"),
                        ("SignatureVersion", "3")):
        error = error_of(lambda n=name, v=value: sns.set_topic_attributes(
            TopicArn=topic, AttributeName=n, AttributeValue=v))
        assert error["Code"] == "InvalidParameter", name


def test_missing_topics_are_not_found(sns: Any) -> None:
    missing = "arn:aws:sns:us-east-1:000000000000:no-such-topic"
    error = error_of(lambda: sns.get_topic_attributes(TopicArn=missing))
    assert (error["Code"], error["status"]) == ("NotFound", 404)
    assert error["Message"] == "Topic does not exist"
    assert error_of(lambda: sns.publish(TopicArn=missing, Message="m"))["Code"] == "NotFound"
    assert error_of(lambda: sns.get_topic_attributes(TopicArn="not-an-arn"))["Code"] == \
        "InvalidParameter"
    sns.delete_topic(TopicArn=missing)  # deleting what is not there succeeds


def test_delete_topic_removes_it_and_its_subscriptions(sns: Any, sqs: Any, topic: str
                                                       ) -> None:
    queue = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    sns.delete_topic(TopicArn=topic)
    assert error_of(lambda: sns.get_topic_attributes(TopicArn=topic))["Code"] == "NotFound"
    assert error_of(lambda: sns.get_subscription_attributes(SubscriptionArn=sub))[
        "Code"] == "NotFound"


def test_list_topics_pages_by_100(make_client: Any) -> None:
    sns = make_client("sns", region_name="eu-north-1")  # a region of its own
    created = {sns.create_topic(Name=f"page-{i:03d}")["TopicArn"] for i in range(105)}
    first = sns.list_topics()
    assert len(first["Topics"]) == 100 and "NextToken" in first
    second = sns.list_topics(NextToken=first["NextToken"])
    assert "NextToken" not in second
    listed = {t["TopicArn"] for t in first["Topics"] + second["Topics"]}
    assert created <= listed and len(listed) == len(first["Topics"]) + len(second["Topics"])
    paginated = [t for page in sns.get_paginator("list_topics").paginate()
                 for t in page["Topics"]]
    assert len(paginated) == len(listed)


def test_tags(sns: Any) -> None:
    arn = sns.create_topic(Name=unique(), Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"},
                                            {"Key": "team", "Value": "b"}])
    tags = sns.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "dev"), ("team", "b")]
    sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}]
    missing = "arn:aws:sns:us-east-1:000000000000:no-such-topic"
    assert error_of(lambda: sns.list_tags_for_resource(ResourceArn=missing))["Code"] == \
        "ResourceNotFound"
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    assert error_of(lambda: sns.tag_resource(ResourceArn=arn, Tags=too_many))["Code"] == \
        "TagLimitExceeded"


def test_add_and_remove_permission_edit_the_policy(sns: Any, topic: str) -> None:
    sns.add_permission(TopicArn=topic, Label="others", AWSAccountId=["111122223333"],
                       ActionName=["Publish", "Subscribe"])
    statements = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"][
        "Policy"])["Statement"]
    added = next(s for s in statements if s["Sid"] == "others")
    assert added["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert added["Action"] == ["SNS:Publish", "SNS:Subscribe"]
    assert added["Resource"] == topic
    error = error_of(lambda: sns.add_permission(
        TopicArn=topic, Label="others", AWSAccountId=["1"], ActionName=["Publish"]))
    assert error["Code"] == "InvalidParameter"
    assert error_of(lambda: sns.add_permission(
        TopicArn=topic, Label="bad", AWSAccountId=["1"], ActionName=["Explode"]))[
        "Code"] == "InvalidParameter"
    sns.remove_permission(TopicArn=topic, Label="others")
    statements = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"][
        "Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["__default_statement_ID"]


def test_what_nubes_does_not_act_on_is_refused(sns: Any) -> None:
    policy = json.dumps({"Name": "p", "Version": "2021-06-01", "Statement": []})
    error = error_of(lambda: sns.create_topic(Name=unique(), DataProtectionPolicy=policy))
    assert error["Code"] == "InvalidParameter"
    for name in ("TracingConfig", "HTTPSuccessFeedbackRoleArn", "ArchivePolicy"):
        error = error_of(lambda n=name: sns.create_topic(Name=unique(), Attributes={n: "x"}))
        assert error["Code"] == "InvalidParameter", name
