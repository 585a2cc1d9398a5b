"""S3 bucket notifications invoking functions, once AddPermission allows S3 to."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.functions import printed_events, printing_function


@pytest.fixture
def function(lam: Any) -> tuple[str, str]:
    """(name, ARN) of a new Active function printing its events."""
    return printing_function(lam, f"events-{uuid.uuid4().hex[:12]}")


def allow_s3(lam: Any, name: str, bucket: str, sid: str = "s3") -> None:
    lam.add_permission(FunctionName=name, StatementId=sid, Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}",
                       SourceAccount="000000000000")


def on_create(arn: str) -> dict[str, Any]:
    return {"LambdaFunctionConfigurations": [{
        "Id": "to-function", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".txt"}]}}}]}


def test_a_permitted_function_gets_the_s3_event(
        make_client: Callable[..., Any], s3: Any, lam: Any, bucket: str,
        function: tuple[str, str]) -> None:
    name, arn = function
    allow_s3(lam, name, bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket,
                                             NotificationConfiguration=on_create(arn))
    s3.put_object(Bucket=bucket, Key="skip.png", Body=b"no")  # filtered out
    answer = s3.put_object(Bucket=bucket, Key="notes/my file.txt", Body=b"yes")
    [event] = printed_events(make_client("logs"), name, 1)
    [record] = event["Records"]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["awsRegion"] == "us-east-1"
    assert record["responseElements"]["x-amz-request-id"] == (
        answer["ResponseMetadata"]["RequestId"])
    assert record["s3"]["configurationId"] == "to-function"
    assert record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    obj = record["s3"]["object"]
    assert obj["key"] == "notes/my+file.txt"
    assert (obj["size"], obj["eTag"]) == (3, hashlib.md5(b"yes").hexdigest())
    time.sleep(0.5)
    assert len(printed_events(make_client("logs"), name, 1)) == 1  # the .png sent nothing


def test_without_permission_the_configuration_is_refused(
        s3: Any, lam: Any, bucket: str, function: tuple[str, str]) -> None:
    name, arn = function
    with pytest.raises(ClientError) as caught:
        s3.put_bucket_notification_configuration(Bucket=bucket,
                                                 NotificationConfiguration=on_create(arn))
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidArgument", "Unable to validate the following destination configurations")
    assert error["ArgumentName1"] == arn
    assert error["ArgumentValue1"] == f"Not authorized to invoke function [{arn}]"
    allow_s3(lam, name, "some-other-bucket")  # a permission for another bucket
    with pytest.raises(ClientError):
        s3.put_bucket_notification_configuration(Bucket=bucket,
                                                 NotificationConfiguration=on_create(arn))
    allow_s3(lam, name, bucket, sid="this-bucket")
    s3.put_bucket_notification_configuration(Bucket=bucket,
                                             NotificationConfiguration=on_create(arn))
