"""Bucket and object configuration rules: tags, versioning, CORS, notifications."""

from __future__ import annotations

from typing import Any

import pytest

from nubes.services.s3 import exceptions as exc
from nubes.services.s3.configs import (
    MAX_BUCKET_TAGS,
    MAX_OBJECT_TAGS,
    event_matches,
    key_matches_filter,
    parse_versioning,
    tag_set_to_dict,
    validate_cors,
    validate_notification,
)
from nubes.services.s3.models import Versioning

QUEUE = "arn:aws:sqs:us-east-1:000000000000:my-queue"
TOPIC = "arn:aws:sns:us-east-1:000000000000:my-topic"
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:my-fn"


def test_tags() -> None:
    assert tag_set_to_dict([{"Key": "a", "Value": "1"}], limit=MAX_BUCKET_TAGS) == {"a": "1"}
    cases: list[tuple[list[dict[str, str]], type[Exception]]] = [
        ([{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}], exc.InvalidTag),
        ([{"Key": "aws:x", "Value": "1"}], exc.InvalidTag),
        ([{"Key": "k" * 129, "Value": "1"}], exc.InvalidTag),
        ([{"Key": "k", "Value": "v" * 257}], exc.InvalidTag),
        ([{"Key": "", "Value": "v"}], exc.InvalidTag),
    ]
    for tag_set, error in cases:
        with pytest.raises(error):
            tag_set_to_dict(tag_set, limit=MAX_BUCKET_TAGS)
    eleven = [{"Key": str(i), "Value": ""} for i in range(11)]
    with pytest.raises(exc.BadRequest):
        tag_set_to_dict(eleven, limit=MAX_OBJECT_TAGS)
    assert len(tag_set_to_dict(eleven, limit=MAX_BUCKET_TAGS)) == 11


def test_versioning() -> None:
    assert parse_versioning({"Status": "Enabled"}) is Versioning.ENABLED
    assert parse_versioning({"Status": "Suspended"}) is Versioning.SUSPENDED
    assert parse_versioning({}) is None
    with pytest.raises(exc.MalformedXML):
        parse_versioning({"Status": "On"})


def test_cors() -> None:
    rule = {"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["*"], "MaxAgeSeconds": 60}
    assert validate_cors({"CORSRules": [rule]}) == [rule]
    bad: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"CORSRules": []}, exc.MalformedXML),
        ({"CORSRules": [{"AllowedMethods": ["GET"]}]}, exc.MalformedXML),
        ({"CORSRules": [{**rule, "AllowedMethods": ["PATCH"]}]}, exc.InvalidRequest),
        ({"CORSRules": [{**rule, "AllowedOrigins": ["http://*.*.com"]}]}, exc.InvalidRequest),
        ({"CORSRules": [rule] * 101}, exc.InvalidRequest),
    ]
    for config, error in bad:
        with pytest.raises(error):
            validate_cors(config)


def test_notification_is_checked_and_ids_filled_in() -> None:
    config = validate_notification({
        "QueueConfigurations": [{
            "QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"},
                                               {"Name": "Suffix", "Value": ".jpg"}]}},
        }],
        "TopicConfigurations": [{"Id": "t", "TopicArn": TOPIC,
                                 "Events": ["s3:ObjectRemoved:Delete"]}],
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": FUNCTION,
                                          "Events": ["s3:ObjectCreated:*"],
                                          "Filter": {"Key": {"FilterRules": [
                                              {"Name": "prefix", "Value": "out/"}]}}}],
    })
    queue = config["QueueConfigurations"][0]
    assert queue["Id"]
    assert queue["Filter"]["Key"]["FilterRules"] == [
        {"Name": "Prefix", "Value": "in/"}, {"Name": "Suffix", "Value": ".jpg"}]
    assert config["TopicConfigurations"][0]["Id"] == "t"
    assert key_matches_filter("in/cat.jpg", queue["Filter"])
    assert not key_matches_filter("in/cat.png", queue["Filter"])
    assert event_matches("s3:ObjectCreated:*", "s3:ObjectCreated:Put")
    assert not event_matches("s3:ObjectCreated:Copy", "s3:ObjectCreated:Put")


@pytest.mark.parametrize(
    "config",
    [
        {"QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:Nope"]}]},
        {"QueueConfigurations": [{"QueueArn": "arn:aws:sqs:bad",
                                  "Events": ["s3:ObjectCreated:*"]}]},
        {"QueueConfigurations": [{"QueueArn": TOPIC, "Events": ["s3:ObjectCreated:*"]}]},
        {"TopicConfigurations": [{"TopicArn": TOPIC, "Events": ["s3:ObjectCreated:*"],
                                  "Filter": {"Key": {"FilterRules": [
                                      {"Name": "middle", "Value": "x"}]}}}]},
        {"TopicConfigurations": [{"TopicArn": TOPIC, "Events": ["s3:ObjectCreated:*"],
                                  "Filter": {"Key": {"FilterRules": [
                                      {"Name": "prefix", "Value": "a"},
                                      {"Name": "Prefix", "Value": "b"}]}}}]},
        # Overlapping: same event, one prefix contains the other.
        {"QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"]}],
         "TopicConfigurations": [{"TopicArn": TOPIC, "Events": ["s3:ObjectCreated:Put"]}]},
    ],
)
def test_bad_notifications(config: dict[str, Any]) -> None:
    with pytest.raises(exc.InvalidArgument):
        validate_notification(config)
