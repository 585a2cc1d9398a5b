"""Authentication against a real server: presigned URLs (SigV2 and SigV4), SigV2 clients,
virtual-host addressing, signed aws-chunked uploads, bad keys and anonymous requests."""

from __future__ import annotations

import hmac
import http.client
import io
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import HmacV1Auth, S3SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials as BotoCredentials
from botocore.exceptions import ClientError

from nubes.edge.chunked import ChunkSigning
from nubes.edge.sigv4 import STREAMING_SIGNED
from tests.edge.signing import body_bytes
from tests.edge.test_chunked import encode_signed
from tests.server import NubesServer

Client = Callable[..., Any]
OTHER_ACCOUNT = "444455556666"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def code(self) -> str | None:
        """The S3 error code of an XML error body."""
        return ET.fromstring(self.body).findtext("Code") if self.body else None


def send(
    server: NubesServer, method: str, url: str, headers: Any = None, body: bytes = b""
) -> Reply:
    """Send to the server on 127.0.0.1 whatever host ``url`` names, keeping it as Host."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", parts.netloc)
        for name, value in dict(headers or {}).items():
            if name.lower() != "host":  # CRT signers put one in the headers too
                conn.putheader(name, value)
        if body or method in ("PUT", "POST"):
            if "content-length" not in {name.lower() for name in dict(headers or {})}:
                conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        response = conn.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        conn.close()


def send_prepared(server: NubesServer, prepared: AWSPreparedRequest) -> Reply:
    return send(server, prepared.method, prepared.url, prepared.headers, body_bytes(prepared.body))


def signed(
    url: str,
    method: str = "GET",
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    signer: str = "sigv4",
    auth_path: str | None = None,
) -> AWSPreparedRequest:
    """A request signed by botocore (SigV4, or SigV2 with ``auth_path`` for virtual hosts)."""
    aws = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
    creds = BotoCredentials("test", "test")
    if signer == "sigv4":
        S3SigV4Auth(creds, "s3", "us-east-1").add_auth(aws)
    else:
        aws.auth_path = auth_path
        HmacV1Auth(creds).add_auth(aws)
    return aws.prepare()


# --- Presigned URLs -----------------------------------------------------------------------

SIGNATURES = {"sigv2": None, "sigv4": "s3v4"}  # boto3's default for a custom endpoint is SigV2


def presigner(make_client: Client, version: str) -> Any:
    signature = SIGNATURES[version]
    return make_client("s3", config=Config(signature_version=signature) if signature else None)


def presign(client: Any, operation: str, bucket: str, key: str, expires: int = 300) -> str:
    params = {"Bucket": bucket, "Key": key}
    return str(client.generate_presigned_url(operation, Params=params, ExpiresIn=expires))


@pytest.mark.parametrize("version", SIGNATURES)
def test_presigned_put_then_get(
    nubes_server: NubesServer, make_client: Client, s3: Any, bucket: str, version: str
) -> None:
    client = presigner(make_client, version)
    data = uuid.uuid4().bytes * 1000
    put_url = presign(client, "put_object", bucket, "dir/a b+c.bin")
    assert ("AWSAccessKeyId=" in put_url) == (version == "sigv2")
    assert send(nubes_server, "PUT", put_url, body=data).status == 200
    got = send(nubes_server, "GET", presign(client, "get_object", bucket, "dir/a b+c.bin"))
    assert (got.status, got.body) == (200, data)
    assert s3.get_object(Bucket=bucket, Key="dir/a b+c.bin")["Body"].read() == data


def test_expired_presigned_urls(
    nubes_server: NubesServer, make_client: Client, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    urls = [presign(presigner(make_client, v), "get_object", bucket, "k", 1) for v in SIGNATURES]
    time.sleep(2.1)
    for url in urls:
        reply = send(nubes_server, "GET", url)
        assert (reply.status, reply.code) == (403, "AccessDenied")
        assert b"Request has expired" in reply.body


@pytest.mark.parametrize("version", SIGNATURES)
def test_a_tampered_presigned_url(
    nubes_server: NubesServer, make_client: Client, s3: Any, bucket: str, version: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = presign(presigner(make_client, version), "get_object", bucket, "k")
    name = "Signature=" if version == "sigv2" else "X-Amz-Signature="
    at = url.index(name) + len(name)
    tampered = url[:at] + ("B" if url[at] == "A" else "A") + url[at + 1 :]
    reply = send(nubes_server, "GET", tampered)
    assert (reply.status, reply.code) == (403, "SignatureDoesNotMatch")
    other_key = url.replace(f"/{bucket}/k?", f"/{bucket}/other?")
    assert send(nubes_server, "GET", other_key).code == "SignatureDoesNotMatch"


def test_a_presigned_url_of_another_account(
    nubes_server: NubesServer, make_client: Client, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    access_key, secret = "edge-e2e-other", "edge-e2e-other-secret"
    subprocess.run(
        [sys.executable, "-m", "nubes", "keys", "create", "--data-dir",
         str(nubes_server.data_dir), "--account", OTHER_ACCOUNT, "--access-key", access_key,
         "--secret", secret],
        check=True, capture_output=True,
    )  # fmt: skip
    other = make_client("s3", aws_access_key_id=access_key, aws_secret_access_key=secret)
    reply = send(nubes_server, "GET", presign(other, "get_object", bucket, "k"))
    assert (reply.status, reply.code) == (403, "AccessDenied")


# --- A SigV2 client (Authorization: AWS key:signature), as older SDKs sign ------------------


def test_a_sigv2_client_works_end_to_end(make_client: Client, bucket: str) -> None:
    v2 = make_client("s3", config=Config(signature_version="s3", retries={"max_attempts": 1}))
    v2.put_object(Bucket=bucket, Key="a/ü b", Body=b"hello", ContentType="text/plain")
    v2.put_object_tagging(Bucket=bucket, Key="a/ü b", Tagging={"TagSet": []})
    got = v2.get_object(Bucket=bucket, Key="a/ü b")
    assert (got["Body"].read(), got["ContentType"]) == (b"hello", "text/plain")
    listed = v2.list_objects_v2(Bucket=bucket, Prefix="a/")
    assert [item["Key"] for item in listed["Contents"]] == ["a/ü b"]
    name = f"v2-{uuid.uuid4().hex[:12]}"
    v2.create_bucket(Bucket=name)
    assert v2.get_bucket_location(Bucket=name)["LocationConstraint"] is None  # us-east-1
    v2.delete_object(Bucket=bucket, Key="a/ü b")
    v2.delete_bucket(Bucket=name)


def test_a_sigv2_client_with_a_wrong_secret(make_client: Client, bucket: str) -> None:
    config = Config(signature_version="s3", retries={"max_attempts": 1})
    v2 = make_client("s3", config=config, aws_secret_access_key="wrong")
    with pytest.raises(ClientError) as caught:
        v2.list_objects_v2(Bucket=bucket)
    assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


# --- Virtual-host addressing --------------------------------------------------------------

VIRTUAL_HOSTS = ("{bucket}.s3.localhost:{port}", "{bucket}.localhost:{port}")


@pytest.mark.parametrize("host", VIRTUAL_HOSTS)
@pytest.mark.parametrize("signer", ["sigv4", "sigv2"])
def test_virtual_host_put_get_list(
    nubes_server: NubesServer, s3: Any, bucket: str, host: str, signer: str
) -> None:
    base = "http://" + host.format(bucket=bucket, port=nubes_server.port)
    key, data = "dir/my key.txt", b"virtually hosted"

    def call(method: str, path: str, query: str = "", body: bytes = b"") -> Reply:
        url = f"{base}{path}{'?' + query if query else ''}"
        auth_path = f"/{bucket}{path}"
        request = signed(url, method, body=body, signer=signer, auth_path=auth_path)
        return send_prepared(nubes_server, request)

    assert call("PUT", "/dir/my%20key.txt", body=data).status == 200
    got = call("GET", "/dir/my%20key.txt")
    assert (got.status, got.body) == (200, data)
    listed = call("GET", "/", "list-type=2&prefix=dir%2F")
    assert listed.status == 200 and f"<Key>{key}</Key>".encode() in listed.body
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data


class _Body(io.BytesIO):
    def stream(self, **_: Any) -> Any:
        return iter([self.getvalue()])


def virtual_client(server: NubesServer, signature: str) -> Any:
    """A boto3 client with virtual-host addressing on http://localhost:<port>; requests
    go to 127.0.0.1 with their Host header, since *.localhost may not resolve here."""
    config = Config(
        signature_version=signature, s3={"addressing_style": "virtual"},
        retries={"max_attempts": 1},
    )  # fmt: skip
    client = boto3.client(
        "s3", endpoint_url=f"http://localhost:{server.port}", region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test", config=config,
    )  # fmt: skip

    def redirect(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        assert urlsplit(request.url).hostname != "localhost"  # virtual-hosted
        reply = send_prepared(server, request)
        return AWSResponse(request.url, reply.status, reply.headers, _Body(reply.body))

    client.meta.events.register("before-send", redirect)
    return client


@pytest.mark.parametrize("signature", ["s3v4", "s3"])
def test_boto3_virtual_addressing(nubes_server: NubesServer, bucket: str, signature: str) -> None:
    client = virtual_client(nubes_server, signature)
    client.put_object(Bucket=bucket, Key="v/k ü", Body=b"data")
    assert client.get_object(Bucket=bucket, Key="v/k ü")["Body"].read() == b"data"
    listed = client.list_objects_v2(Bucket=bucket, Prefix="v/")
    assert [item["Key"] for item in listed["Contents"]] == ["v/k ü"]


# --- Signed aws-chunked uploads -------------------------------------------------------------


class _StreamingSigner(S3SigV4Auth):  # type: ignore[misc]  # botocore has no types
    """S3SigV4Auth announcing a body sent in signed aws-chunked chunks."""

    def payload(self, request: Any) -> str:
        return STREAMING_SIGNED


def _signing_key(date: str) -> bytes:
    key = b"AWS4test"
    for part in (date, "us-east-1", "s3", "aws4_request"):
        key = hmac.digest(key, part.encode(), "sha256")
    return key


def chunked_put(url: str, chunks: list[bytes], corrupt: bool = False) -> AWSPreparedRequest:
    """A PUT whose body is aws-chunked, each chunk signed, chained from the seed signature."""
    date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    scope = f"{date[:8]}/us-east-1/s3/aws4_request"
    key = _signing_key(date[:8])
    # Signatures have a fixed length: the encoded length is known before signing.
    length = len(encode_signed(chunks, ChunkSigning(key, scope, date, "0" * 64, False)))
    headers = {
        "Content-Encoding": "aws-chunked",
        "Content-Length": str(length),
        "x-amz-decoded-content-length": str(sum(len(chunk) for chunk in chunks)),
        "x-amz-date": date,
    }
    aws = AWSRequest(method="PUT", url=url, headers=headers)
    _StreamingSigner(BotoCredentials("test", "test"), "s3", "us-east-1").add_auth(aws)
    seed = aws.headers["Authorization"].rpartition("Signature=")[2]
    body = bytearray(encode_signed(chunks, ChunkSigning(key, scope, date, seed, False)))
    if corrupt:  # the second chunk's signature
        at = body.index(b"chunk-signature=", 100) + len(b"chunk-signature=")
        body[at] = ord("0") if body[at] != ord("0") else ord("1")
    aws.data = bytes(body)
    return aws.prepare()


def test_a_signed_chunked_upload(nubes_server: NubesServer, s3: Any, bucket: str) -> None:
    chunks = [bytes(range(256)) * 256, b"second chunk" * 100, b"last"]
    url = f"{nubes_server.endpoint}/{bucket}/chunked.bin"
    reply = send_prepared(nubes_server, chunked_put(url, chunks))
    assert reply.status == 200, reply.body
    stored = s3.get_object(Bucket=bucket, Key="chunked.bin")["Body"].read()
    assert stored == b"".join(chunks)


def test_a_corrupted_chunk_signature(nubes_server: NubesServer, s3: Any, bucket: str) -> None:
    chunks = [b"a" * 70000, b"b" * 9000, b"c"]
    url = f"{nubes_server.endpoint}/{bucket}/corrupt.bin"
    reply = send_prepared(nubes_server, chunked_put(url, chunks, corrupt=True))
    assert (reply.status, reply.code) == (403, "SignatureDoesNotMatch")
    with pytest.raises(ClientError) as caught:
        s3.head_object(Bucket=bucket, Key="corrupt.bin")
    assert caught.value.response["Error"]["Code"] == "404"


# --- Bad keys, anonymous requests ----------------------------------------------------------


def client_error(call: Callable[[], Any]) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize(
    ("service", "call", "unknown", "wrong"),
    [
        ("s3", lambda c: c.list_buckets(), "InvalidAccessKeyId", "SignatureDoesNotMatch"),
        # DynamoDB is not implemented yet, but authentication comes first.
        ("dynamodb", lambda c: c.list_tables(), "UnrecognizedClientException",
         "InvalidSignatureException"),
    ],
)  # fmt: skip
def test_unknown_keys_and_wrong_secrets(
    make_client: Client, service: str, call: Callable[[Any], Any], unknown: str, wrong: str
) -> None:
    nobody = make_client(service, aws_access_key_id="AKIANOBODY", aws_secret_access_key="x")
    code, status = client_error(lambda: call(nobody))
    assert code == unknown
    if service == "s3":
        assert status == 403
    mistaken = make_client(service, aws_secret_access_key="not-the-secret")
    assert client_error(lambda: call(mistaken))[0] == wrong


def test_a_sigv2_request_of_an_unknown_key(nubes_server: NubesServer, bucket: str) -> None:
    request = signed(f"{nubes_server.endpoint}/{bucket}", signer="sigv2")
    request.headers["Authorization"] = request.headers["Authorization"].replace(
        "AWS test:", "AWS AKIANOBODY:"
    )
    reply = send_prepared(nubes_server, request)
    assert (reply.status, reply.code) == (403, "InvalidAccessKeyId")


def test_an_anonymous_get(nubes_server: NubesServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="private", Body=b"secret")
    reply = send(nubes_server, "GET", f"{nubes_server.endpoint}/{bucket}/private")
    assert (reply.status, reply.code) == (403, "AccessDenied")
    assert b"secret" not in reply.body


@pytest.mark.parametrize("version", SIGNATURES)
def test_a_presigned_put_applies_the_metadata_it_was_signed_with(
    nubes_server: NubesServer, make_client: Client, s3: Any, bucket: str, version: str
) -> None:
    client = presigner(make_client, version)
    params = {"Bucket": bucket, "Key": "meta.txt", "Metadata": {"owner": "ana"},
              "ContentType": "text/plain"}
    url = str(client.generate_presigned_url("put_object", Params=params, ExpiresIn=300))
    # What the SDK did not move into the query, the uploader must send as headers.
    headers = {} if "x-amz-meta-owner=" in url else {"x-amz-meta-owner": "ana"}
    if "content-type=" not in url.lower():
        headers["Content-Type"] = "text/plain"
    assert send(nubes_server, "PUT", url, body=b"hello", headers=headers).status == 200
    head = s3.head_object(Bucket=bucket, Key="meta.txt")
    assert head["Metadata"] == {"owner": "ana"}
    assert head["ContentType"] == "text/plain"
