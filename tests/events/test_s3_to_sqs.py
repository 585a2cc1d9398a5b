"""S3 bucket notifications delivered to SQS queues, in AWS's event message structure."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.events.conftest import queue_arn, receive_all, s3_may_send

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def created_and_removed(arn: str, **filters: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": "all", "QueueArn": arn,
                             "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
    if filters:
        entry["Filter"] = {"Key": {"FilterRules": [
            {"Name": name, "Value": value} for name, value in filters.items()]}}
    return {"QueueConfigurations": [entry]}


def configure(s3: Any, sqs: Any, bucket: str, url: str, config: dict[str, Any]) -> None:
    """Set the configuration and take the s3:TestEvent it sends off the queue."""
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    test = receive_all(sqs, url, 1)
    assert [t["Event"] for t in test] == ["s3:TestEvent"]


def records(sqs: Any, url: str, count: int) -> list[dict[str, Any]]:
    bodies = receive_all(sqs, url, count)
    assert len(bodies) == count, bodies
    out = []
    for body in bodies:
        assert list(body) == ["Records"] and len(body["Records"]) == 1
        out.append(body["Records"][0])
    return out


def test_the_test_event_is_sent_when_a_configuration_is_put(
        s3: Any, sqs: Any, bucket: str, notified_queue: tuple[str, str]) -> None:
    url, arn = notified_queue
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=created_and_removed(arn))
    [test] = receive_all(sqs, url, 1)
    assert set(test) == {"Service", "Event", "Time", "Bucket", "RequestId", "HostId"}
    assert (test["Service"], test["Event"], test["Bucket"]) == (
        "Amazon S3", "s3:TestEvent", bucket)
    assert TIME.match(test["Time"])


def test_a_put_is_delivered_with_the_exact_record(
        s3: Any, sqs: Any, bucket: str, notified_queue: tuple[str, str]) -> None:
    url, arn = notified_queue
    configure(s3, sqs, bucket, url, created_and_removed(arn))
    body = b"hello events"
    answer = s3.put_object(Bucket=bucket, Key="dir/a b+c.txt", Body=body)
    request_id = answer["ResponseMetadata"]["RequestId"]
    [record] = records(sqs, url, 1)
    assert list(record) == ["eventVersion", "eventSource", "awsRegion", "eventTime",
                            "eventName", "userIdentity", "requestParameters",
                            "responseElements", "s3"]
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "us-east-1"
    assert TIME.match(record["eventTime"])
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["userIdentity"] == {"principalId": "000000000000"}
    assert record["requestParameters"] == {"sourceIPAddress": "127.0.0.1"}
    assert record["responseElements"]["x-amz-request-id"] == request_id
    assert record["responseElements"]["x-amz-id-2"] == (
        answer["ResponseMetadata"]["HTTPHeaders"]["x-amz-id-2"])
    s3_part = record["s3"]
    assert s3_part["s3SchemaVersion"] == "1.0"
    assert s3_part["configurationId"] == "all"
    assert s3_part["bucket"] == {"name": bucket, "ownerIdentity": {"principalId": "000000000000"},
                                 "arn": f"arn:aws:s3:::{bucket}"}
    obj = s3_part["object"]
    assert list(obj) == ["key", "size", "eTag", "sequencer"]  # no versionId: unversioned
    assert obj["key"] == "dir/a+b%2Bc.txt"  # form-URL-encoded, as S3 does
    assert obj["size"] == len(body)
    assert obj["eTag"] == hashlib.md5(body).hexdigest()
    assert re.match(r"^[0-9A-F]{16,}$", obj["sequencer"])


def test_filters_and_event_types_choose_what_is_delivered(
        s3: Any, sqs: Any, bucket: str, notified_queue: tuple[str, str]) -> None:
    url, arn = notified_queue
    config = {"QueueConfigurations": [{
        "Id": "jpegs", "QueueArn": arn, "Events": ["s3:ObjectCreated:Put"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "images/"},
                                           {"Name": "suffix", "Value": ".jpg"}]}},
    }]}
    configure(s3, sqs, bucket, url, config)
    for key in ("images/no.png", "other/no.jpg", "images/yes.jpg"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    s3.copy_object(Bucket=bucket, Key="images/copied.jpg",
                   CopySource={"Bucket": bucket, "Key": "images/yes.jpg"})  # not a Put
    s3.delete_object(Bucket=bucket, Key="images/yes.jpg")  # not configured
    [record] = records(sqs, url, 1)
    assert record["s3"]["object"]["key"] == "images/yes.jpg"
    assert receive_all(sqs, url, 1, wait_s=1.5) == []


def test_copy_multipart_and_delete_events(
        s3: Any, sqs: Any, bucket: str, notified_queue: tuple[str, str]) -> None:
    url, arn = notified_queue
    configure(s3, sqs, bucket, url, created_and_removed(arn))
    s3.put_object(Bucket=bucket, Key="src", Body=b"source")
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "src"})
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1,
                          Body=b"p" * 10)
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="big", UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    s3.delete_object(Bucket=bucket, Key="src")
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "copy"}]})
    got = records(sqs, url, 5)
    by_name = {(r["eventName"], r["s3"]["object"]["key"]): r for r in got}
    assert set(by_name) == {("ObjectCreated:Put", "src"), ("ObjectCreated:Copy", "copy"),
                            ("ObjectCreated:CompleteMultipartUpload", "big"),
                            ("ObjectRemoved:Delete", "src"), ("ObjectRemoved:Delete", "copy")}
    big = by_name[("ObjectCreated:CompleteMultipartUpload", "big")]["s3"]["object"]
    assert (big["size"], big["eTag"]) == (10, done["ETag"].strip('"'))
    removed = by_name[("ObjectRemoved:Delete", "src")]["s3"]["object"]
    assert list(removed) == ["key", "sequencer"]  # no size or eTag for removals


def test_versioned_bucket_records_carry_version_ids(
        s3: Any, sqs: Any, bucket: str, notified_queue: tuple[str, str]) -> None:
    url, arn = notified_queue
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    configure(s3, sqs, bucket, url, created_and_removed(arn))
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")
    marker = s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_object(Bucket=bucket, Key="k", VersionId=put["VersionId"])
    got = records(sqs, url, 3)
    by_name = {r["eventName"]: r["s3"]["object"] for r in got}
    assert by_name["ObjectCreated:Put"]["versionId"] == put["VersionId"]
    assert by_name["ObjectRemoved:DeleteMarkerCreated"]["versionId"] == marker["VersionId"]
    assert by_name["ObjectRemoved:Delete"]["versionId"] == put["VersionId"]


def test_sequencers_grow_for_one_key(
        s3: Any, sqs: Any, bucket: str, notified_queue: tuple[str, str]) -> None:
    url, arn = notified_queue
    configure(s3, sqs, bucket, url, created_and_removed(arn))
    for n in range(3):
        s3.put_object(Bucket=bucket, Key="same", Body=str(n).encode())
    got = records(sqs, url, 3)
    by_size_order = sorted(got, key=lambda r: int(r["s3"]["object"]["sequencer"], 16))
    etags = [r["s3"]["object"]["eTag"] for r in by_size_order]
    assert etags == [hashlib.md5(str(n).encode()).hexdigest() for n in range(3)]


def destination_error(call: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    error: dict[str, Any] = caught.value.response["Error"]
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == "Unable to validate the following destination configurations"
    return error


def test_destinations_are_validated_as_s3_does(s3: Any, sqs: Any, bucket: str) -> None:
    url = sqs.create_queue(QueueName=f"events-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    arn = queue_arn(sqs, url)
    error = destination_error(lambda: s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=created_and_removed(arn)))  # no policy
    assert error["ArgumentName1"] == arn
    assert error["ArgumentValue1"] == ("Permissions on the destination queue do not allow S3 "
                                       "to publish notifications from this bucket")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": s3_may_send(arn, "other")})
    destination_error(lambda: s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=created_and_removed(arn)))  # another bucket
    missing = arn + "-missing"
    error = destination_error(lambda: s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=created_and_removed(missing)))
    assert error["ArgumentValue1"] == "The destination queue does not exist"
    assert s3.get_bucket_notification_configuration(Bucket=bucket).get(
        "QueueConfigurations") is None
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": s3_may_send(arn, bucket)})
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=created_and_removed(arn))
    assert receive_all(sqs, url, 1)[0]["Event"] == "s3:TestEvent"


def test_a_queue_deleted_later_drops_its_events(
        s3: Any, sqs: Any, bucket: str, notified_queue: tuple[str, str]) -> None:
    url, arn = notified_queue
    configure(s3, sqs, bucket, url, created_and_removed(arn))
    sqs.delete_queue(QueueUrl=url)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")  # the write itself still succeeds
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
