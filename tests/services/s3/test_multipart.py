"""Multipart uploads through boto3 against a real server."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

MIB = 1024 * 1024


def error_of(call: Callable[[], Any]) -> tuple[str, int]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def upload(s3: Any, bucket: str, key: str, parts: list[bytes]
           ) -> tuple[str, list[dict[str, Any]]]:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="text/x",
                                           Metadata={"m": "1"})["UploadId"]
    done = []
    for number, data in enumerate(parts, start=1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                              Body=data)["ETag"]
        done.append({"PartNumber": number, "ETag": etag})
    return upload_id, done


def test_complete_upload(s3: Any, bucket: str) -> None:
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB), b"tail"]
    upload_id, done = upload(s3, bucket, "mp", parts)
    listed = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload_id)
    assert [p["Size"] for p in listed["Parts"]] == [len(p) for p in parts]
    result = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id,
                                          MultipartUpload={"Parts": done})
    digests = b"".join(hashlib.md5(p).digest() for p in parts)
    assert result["ETag"] == f'"{hashlib.md5(digests).hexdigest()}-3"'
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert got["Body"].read() == b"".join(parts)
    assert got["ContentType"] == "text/x" and got["Metadata"] == {"m": "1"}
    assert "PartsCount" not in got  # only answered when a part number is asked for
    second = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert second["PartsCount"] == 3
    assert second["Body"].read() == parts[1]
    assert error_of(lambda: s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload_id)) == (
        "NoSuchUpload", 404)


def test_complete_errors(s3: Any, bucket: str) -> None:
    upload_id, done = upload(s3, bucket, "e", [b"small", b"parts"])

    def complete(parts: list[dict[str, Any]]) -> Any:
        return s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=upload_id,
                                            MultipartUpload={"Parts": parts})

    assert error_of(lambda: complete(done[::-1])) == ("InvalidPartOrder", 400)
    assert error_of(lambda: complete([{"PartNumber": 1, "ETag": '"' + "0" * 32 + '"'}])) == (
        "InvalidPart", 400)
    assert error_of(lambda: complete([*done, {"PartNumber": 3, "ETag": done[0]["ETag"]}])) == (
        "InvalidPart", 400)
    assert error_of(lambda: complete(done)) == ("EntityTooSmall", 400)
    assert complete(done[:1])["ETag"].endswith('-1"')  # a last part may be small
    assert error_of(lambda: s3.upload_part(Bucket=bucket, Key="e", UploadId="nope",
                                           PartNumber=1, Body=b"")) == ("NoSuchUpload", 404)


def test_part_numbers_are_checked(s3: Any, bucket: str, make_client: Callable[..., Any]
                                  ) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="n")["UploadId"]
    # Refused before the body is read: a client of its own (see test_buckets).
    assert error_of(lambda: make_client("s3").upload_part(
        Bucket=bucket, Key="n", UploadId=upload_id, PartNumber=10001, Body=b"x")) == (
        "InvalidArgument", 400)


def test_abort_and_list_uploads(s3: Any, bucket: str) -> None:
    ids = {key: s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
           for key in ("a", "b/1", "b/2", "c")}
    listed = s3.list_multipart_uploads(Bucket=bucket)
    assert [u["Key"] for u in listed["Uploads"]] == ["a", "b/1", "b/2", "c"]
    delimited = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in delimited["CommonPrefixes"]] == ["b/"]
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert page["IsTruncated"] and page["NextKeyMarker"] == "b/1"
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker=page["NextKeyMarker"],
                                     UploadIdMarker=page["NextUploadIdMarker"])
    assert [u["Key"] for u in rest["Uploads"]] == ["b/2", "c"]
    response = s3.abort_multipart_upload(Bucket=bucket, Key="a", UploadId=ids["a"])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lambda: s3.abort_multipart_upload(Bucket=bucket, Key="a",
                                                      UploadId=ids["a"])) == (
        "NoSuchUpload", 404)
    assert "a" not in [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]]


def test_list_parts_pages(s3: Any, bucket: str) -> None:
    upload_id, _ = upload(s3, bucket, "p", [b"1", b"2", b"3"])
    first = s3.list_parts(Bucket=bucket, Key="p", UploadId=upload_id, MaxParts=2)
    assert [p["PartNumber"] for p in first["Parts"]] == [1, 2] and first["IsTruncated"]
    rest = s3.list_parts(Bucket=bucket, Key="p", UploadId=upload_id,
                         PartNumberMarker=first["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in rest["Parts"]] == [3] and not rest["IsTruncated"]


def test_upload_part_copy(s3: Any, bucket: str) -> None:
    source = os.urandom(6 * MIB)
    s3.put_object(Bucket=bucket, Key="src", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    first = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "src"},
                                CopySourceRange=f"bytes=0-{5 * MIB - 1}")
    assert first["CopyPartResult"]["ETag"] == f'"{hashlib.md5(source[:5 * MIB]).hexdigest()}"'
    second = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=2,
                                 CopySource={"Bucket": bucket, "Key": "src"},
                                 CopySourceRange=f"bytes={5 * MIB}-{6 * MIB - 1}")
    parts = [{"PartNumber": 1, "ETag": first["CopyPartResult"]["ETag"]},
             {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]}]
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload_id,
                                 MultipartUpload={"Parts": parts})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == source
    assert error_of(lambda: s3.upload_part_copy(
        Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=0-99999999")) == (
        "NoSuchUpload", 404)


def test_transfer_manager_round_trip(s3: Any, bucket: str, tmp_path: Any) -> None:
    data = os.urandom(12 * MIB + 3)
    path = tmp_path / "in.bin"
    path.write_bytes(data)
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    s3.upload_file(str(path), bucket, "tm.bin", Config=config)
    assert s3.head_object(Bucket=bucket, Key="tm.bin")["ETag"].endswith('-3"')
    out = tmp_path / "out.bin"
    s3.download_file(bucket, "tm.bin", str(out), Config=config)
    assert out.read_bytes() == data
