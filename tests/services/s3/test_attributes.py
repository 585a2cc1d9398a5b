"""GetObjectAttributes through boto3."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

ALL = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]


def test_attributes_of_a_plain_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello", ChecksumAlgorithm="SHA256")
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    out = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=ALL)
    assert out["ETag"] == head["ETag"].strip('"')
    assert out["ObjectSize"] == 5
    assert out["StorageClass"] == "STANDARD"
    assert out["Checksum"]["ChecksumSHA256"] == head["ChecksumSHA256"]
    assert out["Checksum"]["ChecksumType"] == "FULL_OBJECT"
    assert out["LastModified"] == head["LastModified"]
    assert "ObjectParts" not in out and "VersionId" not in out


def test_only_the_attributes_asked_for(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello", StorageClass="STANDARD_IA")
    out = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["StorageClass"])
    assert out["StorageClass"] == "STANDARD_IA"
    assert not {"ETag", "ObjectSize", "Checksum"} & set(out)


def test_multipart_objects_report_their_part_count(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    parts = []
    for number, body in ((1, b"a" * 5 * 1024 * 1024), (2, b"b" * 100)):
        etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=number,
                              Body=body)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                 MultipartUpload={"Parts": parts})
    out = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=ALL,
                                   MaxParts=1)
    assert out["ObjectParts"]["TotalPartsCount"] == 2
    assert out["ETag"].endswith("-2")
    assert out["ObjectSize"] == 5 * 1024 * 1024 + 100


def test_versions_and_delete_markers(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="v", Body=b"one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="v", Body=b"three")
    out = s3.get_object_attributes(Bucket=bucket, Key="v", VersionId=first,
                                   ObjectAttributes=["ObjectSize"])
    assert out["VersionId"] == first and out["ObjectSize"] == 3
    marker = s3.delete_object(Bucket=bucket, Key="v")["VersionId"]
    with pytest.raises(ClientError) as info:
        s3.get_object_attributes(Bucket=bucket, Key="v", ObjectAttributes=["ETag"])
    headers = info.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert info.value.response["Error"]["Code"] == "NoSuchKey"
    assert headers["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as info:
        s3.get_object_attributes(Bucket=bucket, Key="v", VersionId=marker,
                                 ObjectAttributes=["ETag"])
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405


def test_errors(s3: Any, other_s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    cases = [
        (lambda: s3.get_object_attributes(Bucket=bucket, Key="no", ObjectAttributes=["ETag"]),
         "NoSuchKey"),
        (lambda: s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Size"]),
         "InvalidArgument"),
        (lambda: other_s3.get_object_attributes(Bucket=bucket, Key="k",
                                                ObjectAttributes=["ETag"]), "AccessDenied"),
    ]
    for call, code in cases:
        with pytest.raises(ClientError) as info:
            call()
        assert info.value.response["Error"]["Code"] == code
