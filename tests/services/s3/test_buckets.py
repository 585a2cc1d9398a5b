"""Buckets through boto3 against a real server: lifecycle, errors, configurations."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

QUEUE = "arn:aws:sqs:us-east-1:000000000000:events"


def new_name() -> str:
    return f"b-{uuid.uuid4().hex[:20]}"


def error_of(call: Callable[[], Any]) -> tuple[str, int]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_list_head_delete(s3: Any) -> None:
    name = new_name()
    created = s3.create_bucket(Bucket=name)
    assert created["Location"] == f"/{name}"
    listed = s3.list_buckets()
    assert name in [b["Name"] for b in listed["Buckets"]]
    assert listed["Owner"]["ID"]
    head = s3.head_bucket(Bucket=name)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    assert s3.delete_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lambda: s3.head_bucket(Bucket=name)) == ("404", 404)
    assert error_of(lambda: s3.delete_bucket(Bucket=name)) == ("NoSuchBucket", 404)


def test_recreating_own_bucket_in_us_east_1_is_ok(s3: Any) -> None:
    name = new_name()
    s3.create_bucket(Bucket=name)
    assert s3.create_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_recreating_own_bucket_elsewhere_conflicts(make_client: Callable[..., Any]) -> None:
    s3 = make_client("s3", region_name="eu-west-1")
    name = new_name()
    config = {"LocationConstraint": "eu-west-1"}
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    code = error_of(lambda: s3.create_bucket(Bucket=name, CreateBucketConfiguration=config))
    assert code == ("BucketAlreadyOwnedByYou", 409)


def test_location_constraints(s3: Any, make_client: Callable[..., Any]) -> None:
    eu = make_client("s3", region_name="eu-west-1")
    assert error_of(lambda: eu.create_bucket(Bucket=new_name())) == (
        "IllegalLocationConstraintException", 400)
    assert error_of(lambda: eu.create_bucket(
        Bucket=new_name(), CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )) == ("IllegalLocationConstraintException", 400)
    assert error_of(lambda: s3.create_bucket(
        Bucket=new_name(), CreateBucketConfiguration={"LocationConstraint": "us-east-1"}
    )) == ("InvalidLocationConstraint", 400)


@pytest.mark.parametrize("name", ["a_b", "Upper-Case", "bad..dots", "192.168.1.1", "-dash"])
def test_invalid_bucket_names(s3: Any, name: str) -> None:
    assert error_of(lambda: s3.create_bucket(Bucket=name)) == ("InvalidBucketName", 400)


def test_other_accounts_bucket(s3: Any, other_s3: Any) -> None:
    name = new_name()
    s3.create_bucket(Bucket=name)
    assert error_of(lambda: other_s3.create_bucket(Bucket=name)) == ("BucketAlreadyExists", 409)
    assert error_of(lambda: other_s3.list_objects_v2(Bucket=name)) == ("AccessDenied", 403)
    assert error_of(lambda: other_s3.head_bucket(Bucket=name)) == ("403", 403)
    assert name not in [b["Name"] for b in other_s3.list_buckets()["Buckets"]]
    mine = new_name()
    other_s3.create_bucket(Bucket=mine)
    assert [b["Name"] for b in other_s3.list_buckets()["Buckets"]] == [mine]
    assert mine not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_bucket_not_empty(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error_of(lambda: s3.delete_bucket(Bucket=bucket)) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def test_tagging(s3: Any, bucket: str) -> None:
    assert error_of(lambda: s3.get_bucket_tagging(Bucket=bucket)) == ("NoSuchTagSet", 404)
    tags = [{"Key": "team", "Value": "core"}, {"Key": "env", "Value": ""}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    assert error_of(lambda: s3.put_bucket_tagging(
        Bucket=bucket, Tagging={"TagSet": [{"Key": "aws:x", "Value": "1"}]}
    )) == ("InvalidTag", 400)
    s3.delete_bucket_tagging(Bucket=bucket)
    assert error_of(lambda: s3.get_bucket_tagging(Bucket=bucket)) == ("NoSuchTagSet", 404)


def test_versioning_configuration(s3: Any, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_cors(s3: Any, bucket: str) -> None:
    assert error_of(lambda: s3.get_bucket_cors(Bucket=bucket)) == (
        "NoSuchCORSConfiguration", 404)
    rules = [{"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"],
              "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules
    bad = [{"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]
    assert error_of(lambda: s3.put_bucket_cors(
        Bucket=bucket, CORSConfiguration={"CORSRules": bad})) == ("InvalidRequest", 400)
    s3.delete_bucket_cors(Bucket=bucket)
    assert error_of(lambda: s3.get_bucket_cors(Bucket=bucket))[0] == "NoSuchCORSConfiguration"


def test_notification_configuration(s3: Any, bucket: str) -> None:
    empty = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert "QueueConfigurations" not in empty
    config = {"QueueConfigurations": [{
        "Id": "q", "QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}},
    }]}
    # The queue does not exist: stored without checking, as SkipDestinationValidation asks
    # (tests/events checks destinations and delivers).
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config,
                                             SkipDestinationValidation=True)
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert got["QueueConfigurations"][0]["QueueArn"] == QUEUE
    assert got["QueueConfigurations"][0]["Events"] == ["s3:ObjectCreated:*"]
    assert got["QueueConfigurations"][0]["Filter"]["Key"]["FilterRules"] == [
        {"Name": "Prefix", "Value": "in/"}]
    bad = {"QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:Nothing"]}]}
    assert error_of(lambda: s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=bad)) == ("InvalidArgument", 400)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)


def test_error_before_the_body_is_read_keeps_the_connection_usable(s3: Any) -> None:
    missing = new_name()
    for _ in range(2):
        assert error_of(lambda: s3.put_object(Bucket=missing, Key="k", Body=b"x" * 1000)) == (
            "NoSuchBucket", 404)
