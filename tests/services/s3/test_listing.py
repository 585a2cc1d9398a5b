"""Listings through boto3 against a real server: v1, v2, versions, paging, encoding."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

KEYS = ["a.txt", "dir/1", "dir/2", "dir/sub/3", "z ü+&.txt", "zz/4"]


@pytest.fixture
def filled(s3: Any, bucket: str) -> str:
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def test_v2_plain_and_delimited(s3: Any, filled: str) -> None:
    everything = s3.list_objects_v2(Bucket=filled)
    assert [c["Key"] for c in everything["Contents"]] == KEYS
    assert everything["KeyCount"] == len(KEYS) and not everything["IsTruncated"]
    assert "Owner" not in everything["Contents"][0]
    top = s3.list_objects_v2(Bucket=filled, Delimiter="/")
    assert [c["Key"] for c in top["Contents"]] == ["a.txt", "z ü+&.txt"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["dir/", "zz/"]
    assert top["KeyCount"] == 4
    inner = s3.list_objects_v2(Bucket=filled, Prefix="dir/", Delimiter="/", FetchOwner=True)
    assert [c["Key"] for c in inner["Contents"]] == ["dir/1", "dir/2"]
    assert [p["Prefix"] for p in inner["CommonPrefixes"]] == ["dir/sub/"]
    assert inner["Contents"][0]["Owner"]["ID"]
    after = s3.list_objects_v2(Bucket=filled, StartAfter="dir/2")
    assert [c["Key"] for c in after["Contents"]] == ["dir/sub/3", "z ü+&.txt", "zz/4"]


def test_v2_pages_with_continuation_tokens(s3: Any, filled: str) -> None:
    seen: list[str] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"Bucket": filled, "MaxKeys": 2, "Delimiter": "/"}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        seen += [c["Key"] for c in page.get("Contents", [])]
        seen += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        assert page["KeyCount"] <= 2
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    assert sorted(seen) == ["a.txt", "dir/", "z ü+&.txt", "zz/"]
    paginator = s3.get_paginator("list_objects_v2")
    keys = [c["Key"] for p in paginator.paginate(Bucket=filled, PaginationConfig={
        "PageSize": 1}) for c in p["Contents"]]
    assert keys == KEYS
    with pytest.raises(ClientError) as info:
        s3.list_objects_v2(Bucket=filled, ContinuationToken="!!not-a-token")
    assert info.value.response["Error"]["Code"] == "InvalidArgument"


def test_v1_markers(s3: Any, filled: str) -> None:
    first = s3.list_objects(Bucket=filled, MaxKeys=2)
    assert [c["Key"] for c in first["Contents"]] == ["a.txt", "dir/1"]
    assert first["IsTruncated"] and "NextMarker" not in first
    rest = s3.list_objects(Bucket=filled, Marker="dir/1")
    assert [c["Key"] for c in rest["Contents"]] == KEYS[2:]
    delimited = s3.list_objects(Bucket=filled, Delimiter="/", MaxKeys=2)
    assert delimited["NextMarker"] == "dir/"
    following = s3.list_objects(Bucket=filled, Delimiter="/", Marker="dir/")
    assert [c["Key"] for c in following["Contents"]] == ["z ü+&.txt"]
    assert [p["Prefix"] for p in following["CommonPrefixes"]] == ["zz/"]
    paginator = s3.get_paginator("list_objects")
    keys = [c["Key"] for p in paginator.paginate(Bucket=filled, PaginationConfig={
        "PageSize": 2}) for c in p["Contents"]]
    assert keys == KEYS


def test_max_keys_zero_and_empty_bucket(s3: Any, filled: str, bucket: str) -> None:
    none = s3.list_objects_v2(Bucket=filled, MaxKeys=0)
    assert none["KeyCount"] == 0 and "Contents" not in none
    assert s3.list_objects_v2(Bucket=bucket, Prefix="nothing/")["KeyCount"] == 0


def test_url_encoding_when_asked(s3: Any, filled: str) -> None:
    raw = s3.list_objects_v2(Bucket=filled, Prefix="z ", EncodingType="url")
    assert [c["Key"] for c in raw["Contents"]] == ["z+%C3%BC%2B%26.txt"]
    assert raw["Prefix"] == "z+"


def test_utf8_binary_order(s3: Any, bucket: str) -> None:
    keys = ["é", "z", "Z", "a", "\u00ff", "\u4e00", "😀", "\ufb01"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    listed = [c["Key"] for c in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == sorted(keys, key=lambda k: k.encode())


def test_list_object_versions(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a", Body=b"old")  # written before versioning: "null"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v2 = s3.put_object(Bucket=bucket, Key="a", Body=b"new")["VersionId"]
    s3.put_object(Bucket=bucket, Key="b", Body=b"b")
    marker = s3.delete_object(Bucket=bucket, Key="b")["VersionId"]
    s3.put_object(Bucket=bucket, Key="d/x", Body=b"x")
    listing = s3.list_object_versions(Bucket=bucket)
    versions = [(v["Key"], v["VersionId"], v["IsLatest"]) for v in listing["Versions"]]
    assert versions[:2] == [("a", v2, True), ("a", "null", False)]
    assert versions[2][0] == "b" and versions[2][2] is False
    assert [(m["Key"], m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == [
        ("b", marker, True)]
    assert [c["Key"] for c in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["a", "d/x"]
    delimited = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in delimited["CommonPrefixes"]] == ["d/"]
    page = s3.list_object_versions(Bucket=bucket, MaxKeys=1)
    assert page["IsTruncated"]
    assert (page["NextKeyMarker"], page["NextVersionIdMarker"]) == ("a", v2)
    rest = s3.list_object_versions(Bucket=bucket, KeyMarker="a", VersionIdMarker=v2)
    assert [(v["Key"], v["VersionId"]) for v in rest["Versions"]][0] == ("a", "null")
    paginator = s3.get_paginator("list_object_versions")
    total = sum(len(p.get("Versions", [])) + len(p.get("DeleteMarkers", []))
                for p in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 1}))
    assert total == 5
