"""S3's rules as pure logic: names, ETags, ranges, conditional requests, copy sources."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nubes.services.s3 import exceptions as exc
from nubes.services.s3.models import (
    Conditions,
    ObjectVersion,
    Part,
    check_part_list,
    check_write_conditions,
    content_range,
    key_successor,
    md5_from_content_md5,
    multipart_etag,
    parse_copy_source,
    parse_range,
    parse_tagging_header,
    part_range,
    validate_bucket_name,
)


@pytest.mark.parametrize(
    "name", ["x", "ab", "abc", "my-bucket", "my.bucket.name", "a" * 63, "1bucket", "bucket-1"]
)
def test_valid_bucket_names(name: str) -> None:
    validate_bucket_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "a_b", "a" * 64, "MyBucket", "my_bucket", "-bucket", "bucket-", "my..bucket",
        "my.-bucket", "my-.bucket", "192.168.5.4", "xn--bucket", "sthree-bucket",
        "bucket-s3alias", "bucket--ol-s3", "bucket.mrap", "bucket--x-s3", "amzn-s3-demo-b",
        "bucket--table-s3", "bück",
    ],
)
def test_invalid_bucket_names(name: str) -> None:
    with pytest.raises(exc.InvalidBucketName):
        validate_bucket_name(name)


def test_multipart_etag_is_md5_of_binary_part_md5s() -> None:
    parts = [hashlib.md5(b"a").hexdigest(), hashlib.md5(b"b").hexdigest()]
    expected = hashlib.md5(b"".join(bytes.fromhex(p) for p in parts)).hexdigest()
    assert multipart_etag([f'"{p}"' for p in parts]) == f'"{expected}-2"'


def test_content_md5() -> None:
    digest = hashlib.md5(b"body").digest()
    assert md5_from_content_md5(base64.b64encode(digest).decode()) == digest.hex()
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(exc.InvalidDigest):
            md5_from_content_md5(bad)


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-4", 10, (0, 5)),
        ("bytes=5-", 10, (5, 10)),
        ("bytes=-3", 10, (7, 10)),
        ("bytes=-30", 10, (0, 10)),
        ("bytes=8-100", 10, (8, 10)),
        ("bytes=9-9", 10, (9, 10)),
        ("bytes=5-2", 10, None),  # invalid: ignored
        ("bytes=0-1,4-5", 10, None),  # several ranges: S3 sends the whole object
        ("items=0-1", 10, None),
        ("bytes=-", 10, None),
    ],
)
def test_parse_range(header: str, size: int, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=10-", 10), ("bytes=-0", 10),
                                              ("bytes=0-", 0), ("bytes=-5", 0)])
def test_unsatisfiable_range(header: str, size: int) -> None:
    with pytest.raises(exc.InvalidRange) as info:
        parse_range(header, size)
    assert info.value.fields["ActualObjectSize"] == size


def test_content_range_and_parts() -> None:
    assert content_range(0, 5, 10) == "bytes 0-4/10"
    assert part_range([5, 5, 2], 12, 2) == (5, 10)
    assert part_range([], 7, 1) == (0, 7)
    with pytest.raises(exc.InvalidPartNumber):
        part_range([5, 5], 10, 3)


ETAG = '"abc"'
MODIFIED = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp() + 0.5
BEFORE = datetime(2024, 1, 1, tzinfo=UTC)
AFTER = datetime(2024, 1, 3, tzinfo=UTC)
SAME_SECOND = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("conditions", "error"),
    [
        (Conditions(if_match='"abc"'), None),
        (Conditions(if_match="abc"), None),
        (Conditions(if_match="*"), None),
        (Conditions(if_match='"x", "abc"'), None),
        (Conditions(if_match='"x"'), exc.PreconditionFailed),
        (Conditions(if_unmodified_since=BEFORE), exc.PreconditionFailed),
        (Conditions(if_unmodified_since=SAME_SECOND), None),
        # If-Match true wins over If-Unmodified-Since false.
        (Conditions(if_match=ETAG, if_unmodified_since=BEFORE), None),
        (Conditions(if_none_match=ETAG), exc.NotModified),
        (Conditions(if_none_match='"other"'), None),
        (Conditions(if_modified_since=AFTER), exc.NotModified),
        (Conditions(if_modified_since=SAME_SECOND), exc.NotModified),
        (Conditions(if_modified_since=BEFORE), None),
        # If-None-Match false with If-Modified-Since true: 304.
        (Conditions(if_none_match=ETAG, if_modified_since=BEFORE), exc.NotModified),
        # If-None-Match true wins over If-Modified-Since false.
        (Conditions(if_none_match='"x"', if_modified_since=AFTER), None),
        # 412 is checked before 304.
        (Conditions(if_match='"x"', if_none_match=ETAG), exc.PreconditionFailed),
    ],
)
def test_read_conditions(conditions: Conditions, error: type[Exception] | None) -> None:
    if error is None:
        conditions.check(ETAG, MODIFIED)
    else:
        with pytest.raises(error):
            conditions.check(ETAG, MODIFIED)


def test_copy_conditions_answer_412_instead_of_304() -> None:
    with pytest.raises(exc.PreconditionFailed):
        Conditions(if_none_match=ETAG).check(ETAG, MODIFIED, copy=True)


def test_conditions_from_params() -> None:
    params = {"CopySourceIfMatch": ETAG, "IfNoneMatch": "x"}
    assert Conditions.of(params, "CopySource") == Conditions(if_match=ETAG)
    assert not Conditions()


def _version(delete_marker: bool = False) -> ObjectVersion:
    return ObjectVersion("b", "k", "null", 0.0, etag=ETAG, delete_marker=delete_marker)


def test_write_conditions() -> None:
    check_write_conditions(None, "*", None)
    check_write_conditions(None, "*", _version(delete_marker=True))
    with pytest.raises(exc.PreconditionFailed):
        check_write_conditions(None, "*", _version())
    check_write_conditions(ETAG, None, _version())
    with pytest.raises(exc.PreconditionFailed):
        check_write_conditions('"other"', None, _version())
    with pytest.raises(exc.NoSuchKey):
        check_write_conditions(ETAG, None, None)
    with pytest.raises(exc.NotImplementedFeature):
        check_write_conditions(None, ETAG, _version())


def test_copy_source() -> None:
    assert parse_copy_source("bkt/a%20b/c%2Bd.txt") == parse_copy_source("/bkt/a b/c+d.txt")
    source = parse_copy_source("/bkt/dir/k%3Fx?versionId=v1")
    assert (source.bucket, source.key, source.version_id) == ("bkt", "dir/k?x", "v1")
    with pytest.raises(exc.InvalidArgument):
        parse_copy_source("just-a-bucket")


def test_tagging_header() -> None:
    assert parse_tagging_header("a=1&b=&c%20d=e%26f") == {"a": "1", "b": "", "c d": "e&f"}
    with pytest.raises(exc.InvalidTag):
        parse_tagging_header("a=1&a=2")


def _part(number: int, size: int) -> Part:
    return Part(number, "blob", size, f'"{number:032x}"', 0.0)


def test_part_list_checks() -> None:
    big = 5 * 1024 * 1024
    stored = {1: _part(1, big), 2: _part(2, big), 3: _part(3, 1)}
    request = [{"PartNumber": n, "ETag": stored[n].etag} for n in (1, 3)]
    assert [p.number for p in check_part_list(request, stored)] == [1, 3]
    with pytest.raises(exc.InvalidPartOrder):
        check_part_list(list(reversed(request)), stored)
    with pytest.raises(exc.InvalidPart):
        check_part_list([{"PartNumber": 4, "ETag": '"x"'}], stored)
    with pytest.raises(exc.InvalidPart):
        check_part_list([{"PartNumber": 1, "ETag": '"wrong"'}], stored)
    small_first = {1: _part(1, 1), 2: _part(2, big)}
    with pytest.raises(exc.EntityTooSmall):
        check_part_list([{"PartNumber": n, "ETag": small_first[n].etag} for n in (1, 2)],
                        small_first)


@given(st.text(min_size=1, max_size=8), st.text(max_size=8))
def test_key_successor_bounds_every_key_with_the_prefix(prefix: str, rest: str) -> None:
    successor = key_successor(prefix)
    key = prefix + rest
    assert prefix <= key
    if successor:
        assert key < successor
        assert not successor.startswith(prefix)
        # UTF-8 byte order agrees with code point order.
        assert key.encode("utf-8", "surrogatepass") < successor.encode("utf-8", "surrogatepass")
