"""S3's wire details: streams pass through, metadata, root names, timestamps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from nubes.protocol.catalog import service_model
from nubes.protocol.http import Request
from nubes.protocol.parsers import parse_request
from nubes.protocol.serializers import serialize_response

S3 = service_model("s3")


class Chunks:
    """A BodyStream / ResponseStream over fixed chunks."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)
        self.closed = False

    async def read(self) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""

    async def __anext__(self) -> bytes:
        if not self.chunks:
            raise StopAsyncIteration
        return self.chunks.pop(0)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def aclose(self) -> None:
        self.closed = True


def test_put_object_body_stream_is_handed_on_unread() -> None:
    stream = Chunks(b"hello ", b"world")
    headers = {"x-amz-meta-color": "blue", "content-type": "text/plain", "content-length": "11"}
    request = Request("PUT", "/b/k", "", headers, stream=stream)
    parsed = parse_request(S3.operation_model("PutObject"), request, {"Bucket": "b", "Key": "k"})
    assert parsed["Body"] is stream and stream.chunks == [b"hello ", b"world"]
    assert parsed["Metadata"] == {"color": "blue"}
    assert parsed["ContentType"] == "text/plain"
    assert parsed["ContentLength"] == 11
    assert asyncio.run(stream.read()) == b"hello "


def test_get_object_stream_passes_through() -> None:
    stream = Chunks(b"data")
    output = {
        "Body": stream,
        "ContentLength": 4,
        "LastModified": datetime(2009, 10, 12, 17, 50, 30, tzinfo=UTC),
        "Metadata": {"color": "blue"},
    }
    response = serialize_response(S3.operation_model("GetObject"), output, "r", status=206)
    assert response.body is stream and response.status == 206
    assert response.header("Last-Modified") == "Mon, 12 Oct 2009 17:50:30 GMT"
    assert response.header("x-amz-meta-color") == "blue"
    assert response.header("x-amz-request-id") == "r" and response.header("x-amz-id-2")


def test_list_objects_v2_document() -> None:
    output = {
        "Name": "b",
        "KeyCount": 1,
        "Contents": [{"Key": "a&b", "LastModified": datetime(2009, 10, 12, 17, 50, 30, 5000)}],
    }
    body = serialize_response(S3.operation_model("ListObjectsV2"), output, "r").body
    assert body == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        b"<Contents><Key>a&amp;b</Key><LastModified>2009-10-12T17:50:30.005Z</LastModified>"
        b"</Contents><Name>b</Name><KeyCount>1</KeyCount></ListBucketResult>"
    )


def test_root_names() -> None:
    for operation, root in [
        ("ListBuckets", b"<ListAllMyBucketsResult"),
        ("CreateMultipartUpload", b"<InitiateMultipartUploadResult"),
        ("CopyObject", b"<CopyObjectResult"),
        ("GetBucketVersioning", b"<VersioningConfiguration"),
        ("GetObjectTagging", b"<Tagging"),
        ("DeleteObjects", b"<DeleteResult"),
    ]:
        output = {"TagSet": [], "Buckets": [], "Status": "Enabled", "Bucket": "b", "Deleted": []}
        output["CopyObjectResult"] = {"ETag": "e"}
        body = serialize_response(S3.operation_model(operation), output, "r").body
        assert isinstance(body, bytes) and root in body, operation


def test_get_bucket_location_is_a_text_root() -> None:
    output = {"LocationConstraint": "eu-west-1"}
    body = serialize_response(S3.operation_model("GetBucketLocation"), output, "r").body
    assert body.endswith(  # type: ignore[union-attr]
        b'<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        b"eu-west-1</LocationConstraint>"
    )


def test_grantee_type_attribute() -> None:
    body = (
        b'<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><AccessControlList>'
        b'<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:type="CanonicalUser"><ID>abc</ID></Grantee><Permission>READ</Permission></Grant>'
        b"</AccessControlList></AccessControlPolicy>"
    )
    request = Request("PUT", "/b", "acl", {}, body)
    parsed = parse_request(S3.operation_model("PutBucketAcl"), request, {"Bucket": "b"})
    grant = parsed["AccessControlPolicy"]["Grants"][0]
    assert grant == {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "READ"}


def test_timestamps_in_any_format() -> None:
    operation = S3.operation_model("GetObject")
    expected = datetime(2009, 10, 12, 17, 50, 30, tzinfo=UTC)
    for text in ["Mon, 12 Oct 2009 17:50:30 GMT", "2009-10-12T17:50:30Z", "1255369830"]:
        request = Request("GET", "/b/k", "", {"if-modified-since": text})
        parsed = parse_request(operation, request, {"Bucket": "b", "Key": "k"})
        assert parsed["IfModifiedSince"] == expected
