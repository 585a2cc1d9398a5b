"""S3 SigV2 verification: AWS's documented examples, and botocore's own SigV2 signers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from typing import Any, cast

import boto3
import pytest
from botocore.auth import HmacV1Auth, HmacV1QueryAuth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials as BotoCredentials

from nubes.accounts import Credentials
from nubes.edge import sigv2
from nubes.edge.chain import s3_virtual_host
from nubes.edge.exchange import Exchange
from nubes.edge.sigv4 import STREAMING_SIGNED, UNSIGNED_PAYLOAD, AuthResult, verify
from nubes.errors import ServiceError
from nubes.protocol.http import Request
from tests.edge.signing import ENDPOINT, KEYS, Keys, to_request


def now() -> datetime:
    return datetime.now(UTC)


def verified(request: Request, at: datetime | None = None) -> AuthResult:
    auth = verify(request, KEYS, flavour="s3", now=at or now())
    assert auth is not None
    return auth


def refused(request: Request, at: datetime | None = None) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        verify(request, KEYS, flavour="s3", now=at or now())
    return caught.value


def as_edge_sees_it(request: Request) -> Request:
    """An S3 request after the edge's virtual-host rewrite (``bucket.s3.host/key``)."""
    exchange = Exchange(request, "request-id", cast(Any, None), service="s3")
    asyncio.run(s3_virtual_host(cast(Any, None), exchange))
    return exchange.request


def signed(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    auth_path: str | None = None,
    signer: type[HmacV1Auth] = HmacV1Auth,
    secret: str = "test",
    access_key: str = "test",
    **options: Any,
) -> Request:
    """A request signed by botocore's SigV2 signer, as the edge would see it."""
    aws = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
    aws.auth_path = auth_path
    signer(BotoCredentials(access_key, secret), **options).add_auth(aws)
    return as_edge_sees_it(to_request(aws.prepare()))


# --- AWS's documented examples ("Signing and authenticating REST requests") ---------------

EXAMPLE = Keys(
    Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "1" * 12)
)
EXAMPLE_HOST = "johnsmith.s3.amazonaws.com"


def example(
    method: str, path: str, query: str, headers: dict[str, str], signature: str
) -> Request:
    headers = {"host": EXAMPLE_HOST, **headers}
    headers["authorization"] = f"AWS AKIAIOSFODNN7EXAMPLE:{signature}"
    return as_edge_sees_it(Request(method, path, query, headers))


def example_date(text: str) -> datetime:
    return datetime.strptime(text, "%a, %d %b %Y %H:%M:%S %z")


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "signature"),
    [
        ("GET", "/photos/puppy.jpg", "", {"date": "Tue, 27 Mar 2007 19:36:42 +0000"},
         "bWq2s1WEIj+Ydj0vQ697zp+IXMU="),
        ("PUT", "/photos/puppy.jpg", "",
         {"date": "Tue, 27 Mar 2007 21:15:45 +0000", "content-type": "image/jpeg",
          "content-length": "0"},
         "MyyxeRY7whkBe+bq8fHCL/2kKUg="),
        ("GET", "/", "prefix=photos&max-keys=50&marker=puppy",
         {"date": "Tue, 27 Mar 2007 19:42:41 +0000"}, "htDYFYduRNen8P9ZfE/s9SuKy0U="),
        ("GET", "/", "acl", {"date": "Tue, 27 Mar 2007 19:44:46 +0000"},
         "c2WLPFtWHVgbEmeEG93a4cG37dM="),
    ],
)  # fmt: skip
def test_documented_virtual_host_examples(
    method: str, path: str, query: str, headers: dict[str, str], signature: str
) -> None:
    request = example(method, path, query, headers, signature)
    auth = verify(request, EXAMPLE, flavour="s3", now=example_date(headers["date"]))
    assert auth is not None and auth.account_id == "1" * 12


def test_documented_x_amz_date_example() -> None:
    # The DELETE example: x-amz-date takes precedence over Date, and its value is signed
    # on the Date line.
    headers = {
        "host": "s3.amazonaws.com",
        "date": "Tue, 27 Mar 2007 21:20:27 +0000",
        "x-amz-date": "Tue, 27 Mar 2007 21:20:26 +0000",
        "authorization": "AWS AKIAIOSFODNN7EXAMPLE:lx3byBScXR6KzyMaifNkardMwNk=",
    }
    request = Request("DELETE", "/johnsmith/photos/puppy.jpg", "", headers)
    assert verify(request, EXAMPLE, flavour="s3", now=example_date(headers["date"])) is not None


def test_documented_query_string_example() -> None:
    query = (
        "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620"
        "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D"
    )
    request = as_edge_sees_it(Request("GET", "/photos/puppy.jpg", query, {"host": EXAMPLE_HOST}))
    before = datetime.fromtimestamp(1175139620 - 60, UTC)
    auth = verify(request, EXAMPLE, flavour="s3", now=before)
    assert auth is not None and auth.presigned
    after = datetime.fromtimestamp(1175139621, UTC)
    with pytest.raises(ServiceError) as caught:
        verify(request, EXAMPLE, flavour="s3", now=after)
    assert (caught.value.code, caught.value.message) == ("AccessDenied", "Request has expired")
    assert caught.value.fields["Expires"] == "2007-03-29T03:40:20Z"


# --- botocore's HmacV1Auth (the Authorization header) ------------------------------------


def test_a_header_signed_get_verifies() -> None:
    auth = verified(signed("GET", ENDPOINT + "/bucket/key"))
    assert (auth.access_key, auth.account_id, auth.service) == ("test", "000000000000", "s3")
    assert auth.region is None  # SigV2 names no region: the server's default applies
    assert (auth.payload_hash, auth.presigned) == (UNSIGNED_PAYLOAD, False)


def test_a_put_with_content_headers_and_metadata() -> None:
    body = b"hello"
    headers = {
        "Content-Type": "text/plain",
        "Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode(),
        "x-amz-meta-Colour": "  blue ",
        "X-Amz-Acl": "private",
    }
    assert verified(signed("PUT", ENDPOINT + "/bucket/k%20ey", headers=headers, body=body))


def test_another_account() -> None:
    request = signed("GET", ENDPOINT + "/b/k", access_key="AKIAOTHER", secret="s3cr3t+/=")
    assert verified(request).account_id == "1" * 12


@pytest.mark.parametrize(
    "query",
    [
        "acl",
        "versionId=3%2F4&tagging",
        "uploadId=abc&partNumber=2",
        "response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22",
        "list-type=2&prefix=a%2Fb&delimiter=%2F",  # not sub-resources: not signed
        "uploads",
    ],
)
def test_sub_resources(query: str) -> None:
    method = "POST" if query == "uploads" else "GET"
    assert verified(signed(method, f"{ENDPOINT}/bucket/key?{query}"))


def test_sub_resources_are_sorted_and_decoded() -> None:
    request = Request("GET", "/b/k", "versionId=a%2Fb&prefix=p&acl&partNumber=1", {"host": "h"})
    assert sigv2.canonical_resources(request) == ("/b/k?acl&partNumber=1&versionId=a/b",)


def test_a_bucket_alone_is_signed_with_or_without_its_slash() -> None:
    request = Request("GET", "/b", "acl", {"host": "h"})
    assert sigv2.canonical_resources(request) == ("/b/?acl", "/b?acl")
    assert sigv2.canonical_resources(Request("GET", "/", "", {"host": "h"})) == ("/",)


def tamper_method(request: Request) -> None:
    request.method = "DELETE"


def tamper_path(request: Request) -> None:
    request.path = "/bucket/other"


def tamper_sub_resource(request: Request) -> None:
    request.query_string = "versionId=2"


def tamper_amz_header(request: Request) -> None:
    request.headers["x-amz-meta-colour"] = "red"


def tamper_content_type(request: Request) -> None:
    request.headers["content-type"] = "text/html"


def tamper_signature(request: Request) -> None:
    key, _, signature = request.headers["authorization"].partition(":")
    request.headers["authorization"] = f"{key}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


@pytest.mark.parametrize(
    "tamper",
    [tamper_method, tamper_path, tamper_sub_resource, tamper_amz_header, tamper_content_type,
     tamper_signature],
)  # fmt: skip
def test_a_changed_request_fails(tamper: Any) -> None:
    headers = {"x-amz-meta-colour": "blue", "Content-Type": "text/plain"}
    request = signed("GET", ENDPOINT + "/bucket/key?versionId=1", headers=headers)
    tamper(request)
    error = refused(request)
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)


def test_a_mismatch_says_what_was_signed() -> None:
    request = signed("GET", ENDPOINT + "/bucket/key", secret="wrong")
    error = refused(request)
    assert error.code == "SignatureDoesNotMatch"
    date = request.headers["date"]
    assert error.fields["StringToSign"] == f"GET\n\n\n{date}\n/bucket/key"
    assert error.fields["AWSAccessKeyId"] == "test"


def test_an_unknown_access_key() -> None:
    error = refused(signed("GET", ENDPOINT + "/bucket/key", access_key="nobody"))
    assert (error.code, error.status) == ("InvalidAccessKeyId", 403)
    assert error.fields["AWSAccessKeyId"] == "nobody"


@pytest.mark.parametrize("header", ["AWS test", "AWS :sig", "AWS test:"])
def test_a_malformed_header(header: str) -> None:
    request = Request("GET", "/b/k", "", {"host": "h", "authorization": header})
    assert (refused(request).code, refused(request).status) == ("InvalidArgument", 400)


def test_a_date_is_required() -> None:
    request = signed("GET", ENDPOINT + "/bucket/key")
    del request.headers["date"]
    error = refused(request)
    assert (error.code, error.status) == ("AccessDenied", 403)


@pytest.mark.parametrize("minutes", [-16, 16])
def test_clock_skew_over_15_minutes(minutes: int) -> None:
    request = signed("GET", ENDPOINT + "/bucket/key")
    error = refused(request, now() + timedelta(minutes=minutes))
    assert (error.code, error.status) == ("RequestTimeTooSkewed", 403)
    assert verified(request, now() + timedelta(minutes=-minutes // 2))


class AwsDateRuleAuth(HmacV1Auth):  # type: ignore[misc]  # botocore has no types
    """A SigV2 signer that follows AWS's x-amz-date rule, as boto and the Java SDK do:
    the Date line is empty and x-amz-date is signed among the amz headers."""

    def canonical_standard_headers(self, headers: Any) -> str:
        lines = super().canonical_standard_headers(headers).split("\n")
        if "x-amz-date" in headers:
            lines[2] = ""
        return "\n".join(lines)


def test_x_amz_date_empties_the_date_line() -> None:
    headers = {"x-amz-date": formatdate(usegmt=True)}
    request = signed("GET", ENDPOINT + "/bucket/key", headers=headers, signer=AwsDateRuleAuth)
    request.headers["date"] = "Thu, 01 Jan 1970 00:00:00 GMT"  # ignored beside x-amz-date
    assert verified(request)
    request.headers["x-amz-date"] = formatdate(time.time() - 1, usegmt=True)
    assert refused(request).code == "SignatureDoesNotMatch"


def test_x_amz_date_is_the_time_checked() -> None:
    old = formatdate(time.time() - 3600, usegmt=True)
    request = signed("GET", ENDPOINT + "/b/k", headers={"x-amz-date": old}, signer=AwsDateRuleAuth)
    assert refused(request).code == "RequestTimeTooSkewed"


def test_a_signed_streaming_body_needs_sigv4() -> None:
    headers = {"x-amz-content-sha256": STREAMING_SIGNED, "Content-Encoding": "aws-chunked"}
    request = signed("PUT", ENDPOINT + "/bucket/key", headers=headers, body=b"0;x\r\n\r\n")
    assert refused(request).code == "InvalidRequest"


def test_a_declared_body_hash_is_checked() -> None:
    headers = {"x-amz-content-sha256": hashlib.sha256(b"other").hexdigest()}
    request = signed("PUT", ENDPOINT + "/bucket/key", headers=headers, body=b"body")
    assert refused(request).code == "XAmzContentSHA256Mismatch"


# --- Virtual hosts: AWS signs /bucket + the path sent -------------------------------------


@pytest.mark.parametrize("host", ["bucket.s3.localhost:4566", "bucket.localhost:4566"])
@pytest.mark.parametrize(("path", "auth_path"), [("/key", "/bucket/key"), ("/", "/bucket/")])
def test_virtual_host_requests(host: str, path: str, auth_path: str) -> None:
    request = signed("GET", f"http://{host}{path}", auth_path=auth_path)
    assert request.signed_path == path and request.path.startswith("/bucket")
    assert verified(request)


def test_virtual_host_signed_without_the_bucket_fails() -> None:
    request = signed("GET", "http://bucket.s3.localhost:4566/key")  # resource "/key"
    assert refused(request).code == "SignatureDoesNotMatch"


# --- botocore's HmacV1QueryAuth (presigned URLs) -------------------------------------------


def presigned(url: str, expires: int = 60, **options: Any) -> Request:
    return signed("GET", url, signer=HmacV1QueryAuth, expires=expires, **options)


def test_a_presigned_url_verifies_until_it_expires() -> None:
    request = presigned(ENDPOINT + "/bucket/key?versionId=7", expires=60)
    auth = verified(request)
    assert auth.presigned and auth.payload_hash == UNSIGNED_PAYLOAD
    error = refused(request, now() + timedelta(seconds=61))
    assert (error.code, error.status, error.message) == ("AccessDenied", 403, "Request has expired")
    assert set(error.fields) == {"Expires", "ServerTime"}


def test_a_presigned_url_with_a_changed_expiry() -> None:
    request = presigned(ENDPOINT + "/bucket/key")
    expires = request.query_dict()["Expires"]
    query = request.query_string.replace(expires, str(int(expires) + 1000))
    assert refused(Request("GET", request.path, query, request.headers)).code == (
        "SignatureDoesNotMatch"
    )


def test_a_presigned_url_with_a_changed_signature() -> None:
    request = presigned(ENDPOINT + "/bucket/key")
    query = request.query_string
    at = query.index("Signature=") + len("Signature=")
    query = query[:at] + ("B" if query[at] == "A" else "A") + query[at + 1 :]
    assert refused(Request("GET", request.path, query, request.headers)).code == (
        "SignatureDoesNotMatch"
    )


def test_a_presigned_url_of_an_unknown_key() -> None:
    error = refused(presigned(ENDPOINT + "/bucket/key", access_key="nobody"))
    assert (error.code, error.status) == ("InvalidAccessKeyId", 403)


@pytest.mark.parametrize(
    "query", ["AWSAccessKeyId=test&Signature=x", "AWSAccessKeyId=test&Signature=x&Expires=soon"]
)
def test_a_presigned_url_without_expires(query: str) -> None:
    error = refused(Request("GET", "/b/k", query, {"host": "h"}))
    assert (error.code, error.status) == ("AccessDenied", 403)
    assert "Expires" in error.message


def test_a_presigned_put_with_headers_moved_into_the_url() -> None:
    headers = {"Content-Type": "text/plain", "x-amz-meta-a": "b"}
    aws = AWSRequest(method="PUT", url=ENDPOINT + "/bucket/key", headers=headers)
    HmacV1QueryAuth(BotoCredentials("test", "test"), expires=60).add_auth(aws)
    request = to_request(aws.prepare())
    assert "content-type=text%2Fplain" in request.query_string
    assert verified(request)  # as signed: the headers sent too
    del request.headers["content-type"], request.headers["x-amz-meta-a"]
    assert verified(request)  # the URL alone
    request.headers["content-type"] = "image/png"
    assert refused(request).code == "SignatureDoesNotMatch"


# --- Real boto3 clients ------------------------------------------------------------------


def client_request(call: Any, endpoint: str = ENDPOINT, **s3_config: Any) -> Request:
    """The request a boto3 client signing with SigV2 sends for ``call(client)``."""
    seen: list[AWSPreparedRequest] = []

    def catch(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        seen.append(request)
        return AWSResponse(request.url, 200, {}, cast(Any, None))

    config = Config(signature_version="s3", s3=s3_config or None, retries={"max_attempts": 1})
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=config,
    )  # fmt: skip
    client.meta.events.register("before-send", catch)
    try:
        call(client)
    except Exception:  # noqa: BLE001 - the canned empty answer need not parse
        pass
    return as_edge_sees_it(to_request(seen[0]))


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.put_object(Bucket="bucket", Key="a b+c/ü", Body=b"x", ContentType="a/b"),
        lambda c: c.get_object(Bucket="bucket", Key="k", VersionId="v/1", Range="bytes=0-1"),
        lambda c: c.put_object_acl(Bucket="bucket", Key="k", ACL="public-read"),
        lambda c: c.list_objects_v2(Bucket="bucket", Prefix="a/"),
        lambda c: c.create_multipart_upload(Bucket="bucket", Key="k", Metadata={"m": "1"}),
    ],
)
@pytest.mark.parametrize("style", ["path", "virtual"])
def test_boto3_sigv2_requests(call: Any, style: str) -> None:
    request = client_request(call, "http://localhost:4566", addressing_style=style)
    assert request.headers["authorization"].startswith("AWS test:")
    assert (request.signed_path is not None) == (style == "virtual")
    assert verified(request)


def test_boto3_default_presigned_url_is_sigv2_and_verifies() -> None:
    client = boto3.client(
        "s3", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test",
    )  # fmt: skip
    params = {"Bucket": "b", "Key": "a b+c/ü", "ResponseContentType": "text/plain"}
    url = client.generate_presigned_url("get_object", Params=params, ExpiresIn=300)
    path, _, query = url.removeprefix(ENDPOINT).partition("?")
    assert "AWSAccessKeyId=test" in query and "X-Amz-" not in query
    request = Request("GET", path, query, {"host": "127.0.0.1:4566"})
    assert verified(request).presigned
