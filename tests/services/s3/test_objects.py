"""Objects through boto3 against a real server: put/get/head, ranges, conditions,
versions, deletes, copies and tags."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError


def error_of(call: Callable[[], Any]) -> tuple[str, int]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def status(response: dict[str, Any]) -> int:
    code: int = response["ResponseMetadata"]["HTTPStatusCode"]
    return code


def test_put_get_head_with_headers_and_metadata(s3: Any, bucket: str) -> None:
    expires = datetime(2030, 1, 1, tzinfo=UTC)
    put = s3.put_object(
        Bucket=bucket, Key="dir/hello.txt", Body=b"hello world", ContentType="text/plain",
        ContentEncoding="identity", CacheControl="max-age=60",
        ContentDisposition='attachment; filename="h.txt"', ContentLanguage="en",
        Expires=expires, Metadata={"Color": "blue"}, Tagging="a=1&b=2",
    )
    etag = f'"{hashlib.md5(b"hello world").hexdigest()}"'
    assert put["ETag"] == etag
    got = s3.get_object(Bucket=bucket, Key="dir/hello.txt")
    assert got["Body"].read() == b"hello world"
    assert got["ContentType"] == "text/plain"
    assert got["ContentEncoding"] == "identity"
    assert got["CacheControl"] == "max-age=60"
    assert got["ContentDisposition"] == 'attachment; filename="h.txt"'
    assert got["ContentLanguage"] == "en"
    assert got["ExpiresString"] == "Tue, 01 Jan 2030 00:00:00 GMT"
    assert got["Metadata"] == {"color": "blue"}
    assert got["ETag"] == etag and got["ContentLength"] == 11
    assert got["AcceptRanges"] == "bytes"
    assert got["TagCount"] == 2
    assert "VersionId" not in got
    head = s3.head_object(Bucket=bucket, Key="dir/hello.txt")
    assert head["ContentLength"] == 11 and head["ETag"] == etag
    assert head["LastModified"] == got["LastModified"]


def test_defaults_and_empty_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="empty")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b""
    assert got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == f'"{hashlib.md5(b"").hexdigest()}"'


def test_overwrite_replaces(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"one")
    s3.put_object(Bucket=bucket, Key="k", Body=b"two!")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two!"


def test_large_object_streams(s3: Any, bucket: str) -> None:
    data = os.urandom(9 * 1024 * 1024 + 17)
    s3.put_object(Bucket=bucket, Key="big", Body=data)
    got = s3.get_object(Bucket=bucket, Key="big")
    assert got["ContentLength"] == len(data)
    assert got["Body"].read() == data


def test_unicode_and_odd_keys(s3: Any, bucket: str) -> None:
    for key in ["ünïcödé/😀.txt", "a b+c&d=e?f", "../../etc/passwd", "x" * 1024, "a//b"]:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="x" * 1025, Body=b"")) == (
        "KeyTooLongError", 400)


def test_missing_things(s3: Any, bucket: str) -> None:
    assert error_of(lambda: s3.get_object(Bucket=bucket, Key="nope")) == ("NoSuchKey", 404)
    assert error_of(lambda: s3.head_object(Bucket=bucket, Key="nope")) == ("404", 404)
    assert error_of(lambda: s3.get_object(Bucket="no-such-bucket-x1", Key="k")) == (
        "NoSuchBucket", 404)


def test_ranges(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="r", Body=b"0123456789")
    cases = {"bytes=0-3": (b"0123", "bytes 0-3/10"), "bytes=7-": (b"789", "bytes 7-9/10"),
             "bytes=-2": (b"89", "bytes 8-9/10"), "bytes=5-100": (b"56789", "bytes 5-9/10")}
    for header, (body, content_range) in cases.items():
        got = s3.get_object(Bucket=bucket, Key="r", Range=header)
        assert status(got) == 206
        assert got["Body"].read() == body
        assert got["ContentRange"] == content_range
        assert got["ContentLength"] == len(body)
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-")
    assert info.value.response["Error"]["Code"] == "InvalidRange"
    assert info.value.response["Error"]["ActualObjectSize"] == "10"
    assert status(info.value.response) == 416
    head = s3.head_object(Bucket=bucket, Key="r", Range="bytes=2-3")
    assert status(head) == 206 and head["ContentLength"] == 2


def test_response_overrides(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="o", Body=b"x", ContentType="text/plain")
    got = s3.get_object(Bucket=bucket, Key="o", ResponseContentType="application/json",
                        ResponseContentDisposition="inline", ResponseCacheControl="no-cache")
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "inline"
    assert got["CacheControl"] == "no-cache"


def test_read_conditions(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"x")["ETag"]
    past, future = datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(days=1)
    assert status(s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)) == 200
    assert error_of(lambda: s3.get_object(Bucket=bucket, Key="c", IfMatch='"x"')) == (
        "PreconditionFailed", 412)
    assert error_of(lambda: s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)) == (
        "304", 304)
    assert error_of(lambda: s3.head_object(Bucket=bucket, Key="c", IfNoneMatch=etag)) == (
        "304", 304)
    assert error_of(lambda: s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=future)) == (
        "304", 304)
    assert status(s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=past)) == 200
    assert error_of(lambda: s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=past)) == (
        "PreconditionFailed", 412)
    assert status(s3.get_object(Bucket=bucket, Key="c", IfMatch=etag,
                                IfUnmodifiedSince=past)) == 200


def test_conditional_writes(s3: Any, bucket: str, make_client: Callable[..., Any]) -> None:
    # A refused PUT is answered before its body is read; each gets its own client so the
    # body left on the connection cannot disturb later requests (see test_buckets).
    s3.put_object(Bucket=bucket, Key="w", Body=b"1", IfNoneMatch="*")
    assert error_of(lambda: make_client("s3").put_object(
        Bucket=bucket, Key="w", Body=b"2", IfNoneMatch="*")) == ("PreconditionFailed", 412)
    etag = s3.head_object(Bucket=bucket, Key="w")["ETag"]
    s3.put_object(Bucket=bucket, Key="w", Body=b"3", IfMatch=etag)
    assert error_of(lambda: make_client("s3").put_object(
        Bucket=bucket, Key="w", Body=b"4", IfMatch=etag)) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="w")["Body"].read() == b"3"


def test_content_md5(s3: Any, bucket: str) -> None:
    good = base64.b64encode(hashlib.md5(b"data").digest()).decode()
    s3.put_object(Bucket=bucket, Key="m", Body=b"data", ContentMD5=good)
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="m", Body=b"data",
                                          ContentMD5=wrong)) == ("BadDigest", 400)
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == b"data"


def test_checksum_mode(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="ck", Body=b"hello world", ChecksumAlgorithm="SHA256")
    got = s3.get_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")
    expected = base64.b64encode(hashlib.sha256(b"hello world").digest()).decode()
    assert got["ChecksumSHA256"] == expected
    assert got["Body"].read() == b"hello world"  # botocore validates it while reading


def test_delete_unversioned(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="d", Body=b"x")
    assert status(s3.delete_object(Bucket=bucket, Key="d")) == 204
    assert status(s3.delete_object(Bucket=bucket, Key="d")) == 204  # idempotent
    assert error_of(lambda: s3.get_object(Bucket=bucket, Key="d"))[0] == "NoSuchKey"


def test_delete_objects(s3: Any, bucket: str) -> None:
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "a"}, {"Key": "b"}, {"Key": "missing"}, {"Key": "c", "VersionId": "bogus"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["a", "b", "missing"]
    assert result["Errors"][0]["Key"] == "c"
    assert result["Errors"][0]["Code"] == "InvalidArgument"
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in quiet
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    too_many = {"Objects": [{"Key": str(i)} for i in range(1001)]}
    assert error_of(lambda: s3.delete_objects(Bucket=bucket, Delete=too_many)) == (
        "MalformedXML", 400)


def test_versioning_lifecycle(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="v", Body=b"unversioned")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="v", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="v", Body=b"two")["VersionId"]
    assert v1 != v2 and "null" not in (v1, v2)
    assert s3.get_object(Bucket=bucket, Key="v")["VersionId"] == v2
    assert s3.get_object(Bucket=bucket, Key="v", VersionId=v1)["Body"].read() == b"one"
    assert s3.get_object(Bucket=bucket, Key="v", VersionId="null")["Body"].read() == (
        b"unversioned")
    deleted = s3.delete_object(Bucket=bucket, Key="v")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="v")
    assert info.value.response["Error"]["Code"] == "NoSuchKey"
    assert info.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == (
        "true")
    assert error_of(lambda: s3.get_object(Bucket=bucket, Key="v", VersionId=marker)) == (
        "MethodNotAllowed", 405)
    assert error_of(lambda: s3.get_object(Bucket=bucket, Key="v",
                                          VersionId="0" * 32)) == ("NoSuchVersion", 404)
    removed = s3.delete_object(Bucket=bucket, Key="v", VersionId=marker)
    assert removed["DeleteMarker"] is True and removed["VersionId"] == marker
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"two"
    s3.delete_object(Bucket=bucket, Key="v", VersionId=v2)
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"one"


def test_suspended_versioning_writes_null(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    kept = s3.put_object(Bucket=bucket, Key="s", Body=b"kept")["VersionId"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.put_object(Bucket=bucket, Key="s", Body=b"n1")["VersionId"] == "null"
    assert s3.put_object(Bucket=bucket, Key="s", Body=b"n2")["VersionId"] == "null"
    versions = s3.list_object_versions(Bucket=bucket, Prefix="s")["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [("null", True),
                                                                  (kept, False)]
    assert s3.get_object(Bucket=bucket, Key="s")["Body"].read() == b"n2"


def test_copy_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src key+1", Body=b"payload", ContentType="text/x",
                  Metadata={"a": "1"}, Tagging="t=1")
    copied = s3.copy_object(Bucket=bucket, Key="dst",
                            CopySource={"Bucket": bucket, "Key": "src key+1"})
    assert copied["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"payload").hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == b"payload"
    assert got["ContentType"] == "text/x" and got["Metadata"] == {"a": "1"}
    assert s3.get_object_tagging(Bucket=bucket, Key="dst")["TagSet"] == [
        {"Key": "t", "Value": "1"}]
    s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src key+1",
                   MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="text/y")
    replaced = s3.head_object(Bucket=bucket, Key="dst2")
    assert replaced["Metadata"] == {"b": "2"} and replaced["ContentType"] == "text/y"
    assert error_of(lambda: s3.copy_object(
        Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "dst"})) == (
        "InvalidRequest", 400)
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "dst"},
                   MetadataDirective="REPLACE", Metadata={"c": "3"})
    assert s3.head_object(Bucket=bucket, Key="dst")["Metadata"] == {"c": "3"}
    assert error_of(lambda: s3.copy_object(
        Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "nope"})) == (
        "NoSuchKey", 404)
    assert error_of(lambda: s3.copy_object(
        Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "dst"},
        CopySourceIfMatch='"nope"')) == ("PreconditionFailed", 412)


def test_copy_a_version(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"first")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"second")
    copied = s3.copy_object(Bucket=bucket, Key="k1",
                            CopySource={"Bucket": bucket, "Key": "k", "VersionId": v1})
    assert copied["CopySourceVersionId"] == v1
    assert s3.get_object(Bucket=bucket, Key="k1")["Body"].read() == b"first"


def test_object_tagging(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="t", Body=b"x")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    tags = [{"Key": "k", "Value": "v"}]
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": tags})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == tags
    eleven = [{"Key": str(i), "Value": "v"} for i in range(11)]
    assert error_of(lambda: s3.put_object_tagging(
        Bucket=bucket, Key="t", Tagging={"TagSet": eleven})) == ("BadRequest", 400)
    assert status(s3.delete_object_tagging(Bucket=bucket, Key="t")) == 204
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    assert error_of(lambda: s3.put_object_tagging(
        Bucket=bucket, Key="missing", Tagging={"TagSet": tags})) == ("NoSuchKey", 404)
