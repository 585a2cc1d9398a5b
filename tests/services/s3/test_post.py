"""Browser uploads: boto3's presigned POSTs sent as a browser sends them, plus the reader."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import http.client
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.config import Config

from nubes.edge.formdata import FormReader
from tests.server import NubesServer

V4 = Config(signature_version="s3v4", retries={"max_attempts": 1})
Reply = tuple[int, dict[str, str], bytes]


def encode_form(fields: list[tuple[str, str]], file: bytes, filename: str | None = "a.txt",
                boundary: str = "nubes-boundary-7d1") -> tuple[bytes, str]:
    """A multipart/form-data body: the fields in order, then the file part."""
    out = []
    for name, value in fields:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   f"{value}\r\n".encode())
    disposition = 'form-data; name="file"' + (f'; filename="{filename}"' if filename else "")
    out.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
               "Content-Type: text/plain\r\n\r\n".encode() + file + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def post(server: NubesServer, path: str, body: bytes, content_type: str,
         headers: dict[str, str] | None = None) -> Reply:
    host = urlsplit(server.endpoint)
    conn = http.client.HTTPConnection(host.hostname or "127.0.0.1", host.port)
    try:
        conn.request("POST", path, body=body,
                     headers={"Content-Type": content_type, **(headers or {})})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def send(server: NubesServer, presigned: dict[str, Any], file: bytes,
         extra: list[tuple[str, str]] | None = None, filename: str | None = "a.txt") -> Reply:
    fields = list(presigned["fields"].items()) + (extra or [])
    body, content_type = encode_form(fields, file, filename)
    return post(server, urlsplit(presigned["url"]).path, body, content_type)


def error_code(body: bytes) -> str:
    return body.split(b"<Code>")[1].split(b"</Code>")[0].decode()


def message(body: bytes) -> str:
    return body.split(b"<Message>")[1].split(b"</Message>")[0].decode()


@pytest.fixture
def s3_v4(make_client: Callable[..., Any]) -> Any:
    return make_client("s3", config=V4)


@pytest.mark.parametrize("signature", ["default (SigV2)", "s3v4"])
def test_presigned_post_uploads(nubes_server: NubesServer, s3: Any, s3_v4: Any, bucket: str,
                                signature: str) -> None:
    client = s3_v4 if signature == "s3v4" else s3
    presigned = client.generate_presigned_post(
        bucket, "uploads/${filename}",
        Fields={"Content-Type": "text/plain", "x-amz-meta-owner": "ana"},
        Conditions=[{"Content-Type": "text/plain"}, {"x-amz-meta-owner": "ana"},
                    ["content-length-range", 1, 1000]])
    if signature == "s3v4":
        assert "x-amz-signature" in presigned["fields"]
    else:
        assert "AWSAccessKeyId" in presigned["fields"]
    status, headers, body = send(nubes_server, presigned, b"hello post", filename="hi.txt")
    assert (status, body) == (204, b"")
    head = s3.head_object(Bucket=bucket, Key="uploads/hi.txt")
    assert headers["etag"] == head["ETag"]
    assert headers["location"] == f"{nubes_server.endpoint}/{bucket}/uploads%2Fhi.txt"
    assert head["ContentType"] == "text/plain" and head["Metadata"] == {"owner": "ana"}
    got = s3.get_object(Bucket=bucket, Key="uploads/hi.txt")["Body"].read()
    assert got == b"hello post"


def test_success_action_status_201(nubes_server: NubesServer, s3: Any, bucket: str) -> None:
    presigned = s3.generate_presigned_post(
        bucket, "k.txt", Fields={"success_action_status": "201"},
        Conditions=[{"success_action_status": "201"}])
    status, headers, body = send(nubes_server, presigned, b"abc")
    assert status == 201
    etag = s3.head_object(Bucket=bucket, Key="k.txt")["ETag"]
    assert f"<Bucket>{bucket}</Bucket><Key>k.txt</Key><ETag>{etag}</ETag>".encode() in body
    assert body.startswith(b"<?xml") and b"<PostResponse><Location>" in body
    assert headers["content-type"] == "application/xml"


def test_success_action_redirect(nubes_server: NubesServer, s3: Any, bucket: str) -> None:
    target = "https://app.example.com/done?x=1"
    presigned = s3.generate_presigned_post(
        bucket, "r.txt", Fields={"success_action_redirect": target},
        Conditions=[["starts-with", "$success_action_redirect", "https://app.example.com/"]])
    status, headers, _ = send(nubes_server, presigned, b"abc")
    assert status == 303
    assert headers["location"] == (
        f"{target}&bucket={bucket}&key=r.txt&etag=%22900150983cd24fb0d6963f7d28e17f72%22")


def test_content_length_range_violation(nubes_server: NubesServer, s3_v4: Any,
                                        bucket: str) -> None:
    presigned = s3_v4.generate_presigned_post(
        bucket, "big", Conditions=[["content-length-range", 5, 10]])
    status, _, body = send(nubes_server, presigned, b"x" * 11)
    assert (status, error_code(body)) == (400, "EntityTooLarge")
    assert b"<ProposedSize>11</ProposedSize>" in body
    status, _, body = send(nubes_server, presigned, b"x" * 4)
    assert (status, error_code(body)) == (400, "EntityTooSmall")
    assert "Contents" not in s3_v4.list_objects_v2(Bucket=bucket)
    assert send(nubes_server, presigned, b"x" * 10)[0] == 204


def test_expired_policy(nubes_server: NubesServer, s3: Any, bucket: str) -> None:
    presigned = s3.generate_presigned_post(bucket, "late", ExpiresIn=-5)
    status, _, body = send(nubes_server, presigned, b"abc")
    assert (status, error_code(body)) == (403, "AccessDenied")
    assert message(body) == "Invalid according to Policy: Policy expired."


def test_key_starts_with_violation(nubes_server: NubesServer, s3_v4: Any, bucket: str) -> None:
    presigned = s3_v4.generate_presigned_post(bucket, "users/ana/${filename}")
    presigned["fields"]["key"] = "users/bob/x.txt"
    status, _, body = send(nubes_server, presigned, b"abc")
    assert (status, error_code(body)) == (403, "AccessDenied")
    assert message(body) == (
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", '
        '"users/ana/"]')


def test_fields_the_policy_does_not_name(nubes_server: NubesServer, s3: Any,
                                         bucket: str) -> None:
    presigned = s3.generate_presigned_post(bucket, "k")
    status, _, body = send(nubes_server, presigned, b"abc", extra=[("x-amz-meta-note", "hi")])
    assert status == 403
    assert message(body) == "Invalid according to Policy: Extra input fields: x-amz-meta-note"
    assert send(nubes_server, presigned, b"abc", extra=[("x-ignore-note", "hi")])[0] == 204


def test_signatures_and_required_fields(nubes_server: NubesServer, s3: Any, s3_v4: Any,
                                        bucket: str) -> None:
    presigned = s3_v4.generate_presigned_post(bucket, "k")
    tampered = {**presigned, "fields": {**presigned["fields"], "x-amz-signature": "0" * 64}}
    status, _, body = send(nubes_server, tampered, b"abc")
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")
    no_key = {**presigned, "fields": {k: v for k, v in presigned["fields"].items()
                                      if k != "key"}}
    status, _, body = send(nubes_server, no_key, b"abc")
    assert (status, error_code(body)) == (400, "InvalidArgument")
    assert "must contain a field named 'key'" in message(body)
    v2 = s3.generate_presigned_post(bucket, "k")
    unsigned = {**v2, "fields": {k: v for k, v in v2["fields"].items() if k == "key"}}
    status, _, body = send(nubes_server, unsigned, b"abc")
    assert (status, error_code(body)) == (403, "AccessDenied")


def test_another_accounts_policy_is_refused(nubes_server: NubesServer, other_s3: Any,
                                            bucket: str) -> None:
    presigned = other_s3.generate_presigned_post(bucket, "k")
    status, _, body = send(nubes_server, presigned, b"abc")
    assert (status, error_code(body)) == (403, "AccessDenied")


def test_form_limits(nubes_server: NubesServer, s3: Any, bucket: str) -> None:
    presigned = s3.generate_presigned_post(bucket, "k")
    status, _, body = send(nubes_server, presigned, b"abc", extra=[("x-ignore-pad", "p" * 21000)])
    assert (status, error_code(body)) == (400, "MaxPostPreDataLengthExceeded")
    fields = list(presigned["fields"].items())
    form = "".join(f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                   for name, value in fields) + "--b--\r\n"
    status, _, body = post(nubes_server, f"/{bucket}", form.encode(),
                           "multipart/form-data; boundary=b")
    assert (status, error_code(body)) == (400, "InvalidArgument")
    assert message(body) == "POST requires exactly one file upload per request."
    status, _, body = post(nubes_server, f"/{bucket}", b"--b\r\nbroken", "multipart/form-data")
    assert (status, error_code(body)) == (400, "MalformedPOSTRequest")


def test_not_a_form(nubes_server: NubesServer, bucket: str) -> None:
    status, _, body = post(nubes_server, f"/{bucket}", b"a=b", "application/x-www-form-urlencoded")
    assert (status, error_code(body)) == (412, "PreconditionFailed")


def test_virtual_host_post_and_cors(nubes_server: NubesServer, s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["POST"],
         "ExposeHeaders": ["ETag", "Location"]}]})
    presigned = s3.generate_presigned_post(bucket, "v.txt")
    body, content_type = encode_form(list(presigned["fields"].items()), b"abc")
    host = f"{bucket}.localhost:{nubes_server.port}"
    status, headers, _ = post(nubes_server, "/", body, content_type,
                              {"Host": host, "Origin": "https://app.example.com"})
    assert status == 204
    assert headers["location"] == f"http://{host}/v.txt"
    assert headers["access-control-allow-origin"] == "https://app.example.com"


def test_a_large_file_streams(nubes_server: NubesServer, s3: Any, bucket: str) -> None:
    data = uuid.uuid4().bytes * (3 * 1024 * 1024 // 16)
    presigned = s3.generate_presigned_post(bucket, "large.bin")
    assert send(nubes_server, presigned, data)[0] == 204
    assert s3.get_object(Bucket=bucket, Key="large.bin")["Body"].read() == data


def test_policy_documents_that_cannot_be_read(nubes_server: NubesServer, s3: Any,
                                              bucket: str) -> None:
    expiration = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    presigned = s3.generate_presigned_post(bucket, "k")
    secret = "test"
    for document, detail in (
        ({"conditions": []}, "Policy missing expiration."),
        ({"expiration": expiration, "conditions": [{"a": "1", "b": "2"}]},
         "Invalid Simple-Condition: Simple-Conditions must have exactly one property "
         "specified."),
    ):
        policy = base64.b64encode(json.dumps(document).encode()).decode()
        fields = {**presigned["fields"], "policy": policy,
                  "signature": _sign_v2(secret, policy)}
        status, _, body = send(nubes_server, {**presigned, "fields": fields}, b"abc")
        assert (status, error_code(body)) == (400, "InvalidPolicyDocument")
        assert message(body) == f"Invalid Policy: {detail}"


def _sign_v2(secret: str, policy: str) -> str:
    return base64.b64encode(hmac.digest(secret.encode(), policy.encode(), hashlib.sha1)).decode()


# -- the streaming reader ---------------------------------------------------------------


class _Drip:
    """A body delivered ``size`` bytes at a time."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.size = data, size

    async def read(self) -> bytes:
        chunk, self.data = self.data[: self.size], self.data[self.size:]
        return chunk


async def _read_all(body: bytes, boundary: bytes, size: int) -> list[tuple[str, bytes]]:
    reader = FormReader(_Drip(body, size), boundary)
    parts = []
    while (part := await reader.next_part()) is not None:
        parts.append((part.name, await reader.read_value(1 << 20)))
    return parts


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 100_000])
def test_reader_finds_parts_across_chunk_edges(size: int) -> None:
    content = b"line\r\n--nubes-boundary-7 is not the boundary\r\n\r\n--"
    body, content_type = encode_form([("key", "k"), ("empty", "")], content)
    body = b"preamble\r\n" + body.removesuffix(b"\r\n")  # the last CRLF is optional
    boundary = content_type.split("boundary=")[1].encode()
    parts = asyncio.run(_read_all(body, boundary, size))
    assert parts == [("key", b"k"), ("empty", b""), ("file", content)]
