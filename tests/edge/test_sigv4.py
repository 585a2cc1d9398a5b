"""SigV4 verification against requests signed by botocore's own signers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.config import Config

from nubes.edge.chunked import AwsChunkedStream, VerifyingStream, decoding_stream
from nubes.edge.sigv4 import (
    AuthResult,
    Scope,
    credential_scope,
    signing_key,
    verify,
)
from nubes.errors import ServiceError
from nubes.protocol.http import Request
from tests.edge.signing import ENDPOINT, KEYS, Pieces, captured, read_all, sign, to_request

FLAVOURS = ("s3", "json", "rest-json", "query")


def now() -> datetime:
    return datetime.now(UTC)


def dynamodb_request(*, headers: dict[str, str] | None = None, **options: Any) -> Request:
    body = json.dumps({"TableName": "t"}).encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.DescribeTable",
        **(headers or {}),
    }
    url = ENDPOINT + "/"
    return sign(SigV4Auth, "POST", url, "dynamodb", headers=headers, body=body, **options)


def s3_request(path: str = "/bucket/key", *, body: bytes = b"", **options: Any) -> Request:
    return sign(S3SigV4Auth, "PUT" if body else "GET", ENDPOINT + path, "s3", body=body, **options)


def refused(request: Request, flavour: str, at: datetime | None = None) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        verify(request, KEYS, flavour=flavour, now=at or now())
    return caught.value


# --- Good signatures ---------------------------------------------------------------------


def test_a_json_request_signed_by_botocore_verifies() -> None:
    request = dynamodb_request()
    auth = verify(request, KEYS, flavour="json", now=now())
    assert isinstance(auth, AuthResult)
    assert (auth.access_key, auth.account_id) == ("test", "000000000000")
    assert (auth.region, auth.service) == ("us-east-1", "dynamodb")
    assert auth.payload_hash == hashlib.sha256(request.body).hexdigest()
    assert auth.signature in request.headers["authorization"]
    assert auth.signing_key == signing_key("test", auth.amz_date[:8], "us-east-1", "dynamodb")
    assert "signing_key" not in repr(auth)


def test_another_account_and_region() -> None:
    request = dynamodb_request(access_key="AKIAOTHER", secret="s3cr3t+/=", region="eu-west-3")
    auth = verify(request, KEYS, flavour="json", now=now())
    assert auth is not None
    assert (auth.account_id, auth.region) == ("1" * 12, "eu-west-3")


def test_an_anonymous_request_is_none() -> None:
    request = Request("GET", "/bucket/key", "", {"host": "127.0.0.1:4566"})
    assert verify(request, KEYS, flavour="s3", now=now()) is None
    assert credential_scope(request) is None


def test_query_protocol_form_body() -> None:
    body = b"Action=ListQueues&Version=2012-11-05&QueueNamePrefix=a%20b"
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    request = sign(SigV4Auth, "POST", ENDPOINT + "/", "sqs", headers=headers, body=body)
    assert verify(request, KEYS, flavour="query", now=now()) is not None


@pytest.mark.parametrize(
    "path",
    [
        "/2015-03-31/functions/my-function/invocations",
        "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af"
        "/invocations",
        "/2015-03-31/functions/a%20b/configuration",
        "/a//b/./c/../d/",
        "",
    ],
)
def test_rest_json_paths_are_normalized_and_double_encoded(path: str) -> None:
    url = ENDPOINT + path + "?Qualifier=%24LATEST&x=a%2Fb"
    request = sign(SigV4Auth, "POST", url, "lambda", body=b"{}")
    assert verify(request, KEYS, flavour="rest-json", now=now()) is not None


def test_header_values_are_trimmed_and_spaces_collapsed() -> None:
    headers = {"X-Amz-Meta-Note": "  two   spaces  and\ttab ", "X-Amz-Meta-Empty": ""}
    request = s3_request(headers=headers)
    request.headers["x-amz-meta-note"] = "  two   spaces  and\ttab "
    assert verify(request, KEYS, flavour="s3", now=now()) is not None


def test_date_header_instead_of_x_amz_date() -> None:
    request = dynamodb_request(headers={"Date": "Mon, 01 Jan 2024 00:00:00 GMT"})
    assert "x-amz-date" not in request.headers
    assert verify(request, KEYS, flavour="json", now=now()) is not None


def test_derived_signing_keys_are_cached() -> None:
    signing_key.cache_clear()
    for _ in range(3):
        verify(dynamodb_request(), KEYS, flavour="json", now=now())
    assert signing_key.cache_info().hits >= 2


# --- S3: keys as sent ------------------------------------------------------------------

S3_KEYS = [
    "plain.txt",
    "with space.txt",
    "ünïcödé/ключ/鍵",
    "a+b=c&d",
    "100%.txt",
    "%2F-literal-percent-2F",
    "tilde~/and*star'quote(paren)!",
    "dir//double/./dot/../x",
    "trailing/",
    "semi;colon,comma:colon@at$dollar",
]


@pytest.mark.parametrize("key", S3_KEYS)
def test_s3_keys_with_special_characters(key: str) -> None:
    path = "/bucket/" + quote(key, safe="/~")
    request = s3_request(path, body=b"data")
    auth = verify(request, KEYS, flavour="s3", now=now())
    assert auth is not None
    assert auth.payload_hash == hashlib.sha256(b"data").hexdigest()


@pytest.mark.parametrize("key", S3_KEYS)
def test_s3_keys_through_a_real_boto3_client(key: str) -> None:
    prepared = captured("s3", lambda c: c.put_object(Bucket="bucket", Key=key, Body=b"x"))
    request = to_request(prepared)
    assert verify(request, KEYS, flavour="s3", now=now()) is not None


def test_s3_path_encoded_differently_than_signed() -> None:
    # A client that signs the RFC 3986 form but sends '!' and '(' unencoded.
    request = s3_request("/bucket/" + quote("a!b(c)", safe="/~"))
    request.path = "/bucket/a!b(c)"
    assert verify(request, KEYS, flavour="s3", now=now()) is not None


def test_s3_query_parameters_in_any_order_and_encoding() -> None:
    url = ENDPOINT + "/bucket?list-type=2&prefix=a%20b%2Bc&delimiter=%2F&encoding-type=url"
    request = sign(S3SigV4Auth, "GET", url, "s3")
    request.query_string = "prefix=a%20b%2bc&list-type=2&encoding-type=url&delimiter=%2f"
    assert verify(request, KEYS, flavour="s3", now=now()) is not None


def test_s3_subresource_without_value() -> None:
    request = sign(S3SigV4Auth, "GET", ENDPOINT + "/bucket?acl", "s3")
    assert verify(request, KEYS, flavour="s3", now=now()) is not None


def test_dynamodb_through_a_real_boto3_client() -> None:
    prepared = captured("dynamodb", lambda c: c.put_item(TableName="t", Item={"k": {"S": "v"}}))
    request = to_request(prepared)
    assert verify(request, KEYS, flavour="json", now=now()) is not None


# --- Payload hash ------------------------------------------------------------------------


def test_s3_body_changed_after_signing_is_a_sha256_mismatch() -> None:
    request = s3_request(body=b"original")
    request.body = b"tampered"
    error = refused(request, "s3")
    assert (error.code, error.status) == ("XAmzContentSHA256Mismatch", 400)


def test_s3_body_still_streaming_is_checked_while_read() -> None:
    request = s3_request(body=b"original")
    request.body = b""  # not read yet: the edge streams it
    auth = verify(request, KEYS, flavour="s3", now=now())
    stream = decoding_stream(request, auth, Pieces(b"tampered"))
    assert isinstance(stream, VerifyingStream)
    with pytest.raises(ServiceError) as caught:
        read_all(stream)
    assert caught.value.code == "XAmzContentSHA256Mismatch"
    good = decoding_stream(request, auth, Pieces(b"original"))
    assert read_all(good) == b"original"


def test_invalid_content_sha256_value() -> None:
    request = s3_request()
    request.headers["x-amz-content-sha256"] = "not-a-hash"
    assert refused(request, "s3").code == "InvalidArgument"


def test_s3_header_auth_of_a_streamed_body_needs_content_sha256() -> None:
    request = dynamodb_request()
    request.body, request.headers["content-length"] = b"", "15"
    assert refused(request, "s3").code == "InvalidRequest"


def test_boto3_https_upload_uses_an_unsigned_trailer() -> None:
    prepared = captured(
        "s3",
        lambda c: c.put_object(Bucket="bucket", Key="k", Body=b"hello trailer"),
        endpoint="https://127.0.0.1:4566",
    )
    raw = prepared.body.read()
    request = to_request(prepared, read_body=False)
    auth = verify(request, KEYS, flavour="s3", now=now())
    assert auth is not None and auth.payload_hash == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    stream = decoding_stream(request, auth, Pieces(raw))
    assert isinstance(stream, AwsChunkedStream)
    assert read_all(stream) == b"hello trailer"
    assert set(stream.trailers) == {"x-amz-checksum-crc32"}


# --- Bad signatures, per flavour ---------------------------------------------------------

MISMATCH = {
    "s3": ("SignatureDoesNotMatch", 403),
    "json": ("InvalidSignatureException", 400),
    "rest-json": ("InvalidSignatureException", 403),
    "query": ("SignatureDoesNotMatch", 403),
}


def tamper_header(request: Request) -> None:
    request.headers["x-amz-target"] = "DynamoDB_20120810.DeleteTable"


def tamper_query(request: Request) -> None:
    request.query_string = "extra=1"


def tamper_method(request: Request) -> None:
    request.method = "PUT"


def tamper_path(request: Request) -> None:
    request.path = "/other"


def tamper_body(request: Request) -> None:
    request.body = b'{"TableName": "other"}'


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    "tamper", [tamper_header, tamper_query, tamper_method, tamper_path, tamper_body]
)
def test_a_changed_request_fails(flavour: str, tamper: Any) -> None:
    request = dynamodb_request()
    tamper(request)
    error = refused(request, flavour)
    assert (error.code, error.status) == MISMATCH[flavour]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_wrong_secret_fails(flavour: str) -> None:
    error = refused(dynamodb_request(secret="wrong"), flavour)
    assert (error.code, error.status) == MISMATCH[flavour]


def test_s3_mismatch_says_what_was_signed() -> None:
    error = refused(s3_request(secret="wrong"), "s3")
    assert error.message.startswith("The request signature we calculated does not match")
    assert error.fields["AWSAccessKeyId"] == "test"
    assert error.fields["CanonicalRequest"].startswith("GET\n/bucket/key\n")
    assert error.fields["StringToSign"].startswith("AWS4-HMAC-SHA256\n")


UNKNOWN_KEY = {
    "s3": ("InvalidAccessKeyId", 403),
    "json": ("UnrecognizedClientException", 400),
    "rest-json": ("UnrecognizedClientException", 403),
    "query": ("InvalidClientTokenId", 403),
}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_an_unknown_access_key(flavour: str) -> None:
    error = refused(dynamodb_request(access_key="AKIANOSUCHKEY"), flavour)
    assert (error.code, error.status) == UNKNOWN_KEY[flavour]
    if flavour == "s3":
        assert error.message == "The AWS Access Key Id you provided does not exist in our records."
    else:
        assert error.message == "The security token included in the request is invalid."


# --- Time --------------------------------------------------------------------------------

SKEWED = {
    "s3": ("RequestTimeTooSkewed", 403),
    "json": ("InvalidSignatureException", 400),
    "rest-json": ("InvalidSignatureException", 403),
    "query": ("SignatureDoesNotMatch", 403),
}


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("minutes", [16, -16])
def test_clock_skew_over_15_minutes(flavour: str, minutes: int) -> None:
    error = refused(dynamodb_request(), flavour, now() + timedelta(minutes=minutes))
    assert (error.code, error.status) == SKEWED[flavour]
    if flavour != "s3":
        assert error.message.startswith("Signature expired" if minutes > 0 else "Signature not")


@pytest.mark.parametrize("minutes", [14, -14])
def test_clock_skew_under_15_minutes(minutes: int) -> None:
    at = now() + timedelta(minutes=minutes)
    assert verify(dynamodb_request(), KEYS, flavour="json", now=at) is not None


# --- Presigned URLs ----------------------------------------------------------------------


def presigned(path: str = "/bucket/key", expires: int = 60, method: str = "GET") -> Request:
    return sign(S3SigV4QueryAuth, method, ENDPOINT + path, "s3", expires=expires)


def test_presigned_get_verifies_until_it_expires() -> None:
    request = presigned(expires=60)
    assert "authorization" not in request.headers
    auth = verify(request, KEYS, flavour="s3", now=now())
    assert auth is not None and auth.presigned and auth.payload_hash == "UNSIGNED-PAYLOAD"
    error = refused(request, "s3", now() + timedelta(seconds=62))
    assert (error.code, error.status, error.message) == ("AccessDenied", 403, "Request has expired")
    assert error.fields["X-Amz-Expires"] == "60"


@pytest.mark.parametrize("key", S3_KEYS)
def test_presigned_urls_for_special_keys(key: str) -> None:
    request = presigned("/bucket/" + quote(key, safe="/~"), method="PUT")
    assert verify(request, KEYS, flavour="s3", now=now()) is not None


def boto3_presigned(config: Config | None = None) -> Request:
    client = boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=config,
    )
    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": "b", "Key": "a b+c/ü"}, ExpiresIn=300
    )
    path, _, query = url.removeprefix(ENDPOINT).partition("?")
    return Request("GET", path, query, {"host": "127.0.0.1:4566"})


def test_presigned_url_from_a_real_boto3_client() -> None:
    request = boto3_presigned(Config(signature_version="s3v4"))
    date = request.query_dict()["X-Amz-Date"][:8]
    assert credential_scope(request) == Scope("test", date, "us-east-1", "s3")
    assert verify(request, KEYS, flavour="s3", now=now()) is not None


def test_presigned_url_with_a_changed_parameter() -> None:
    request = presigned()
    request.query_string = request.query_string.replace("X-Amz-Expires=60", "X-Amz-Expires=600")
    assert refused(request, "s3").code == "SignatureDoesNotMatch"


def test_presigned_non_s3_request() -> None:
    url = ENDPOINT + "/?Action=GetCallerIdentity&Version=2011-06-15"
    request = sign(SigV4QueryAuth, "GET", url, "sts", expires=60)
    assert verify(request, KEYS, flavour="query", now=now()) is not None


def test_presigned_expires_over_a_week() -> None:
    request = presigned(expires=604801)
    assert refused(request, "s3").code == "AuthorizationQueryParametersError"


def test_presigned_with_missing_parameters() -> None:
    request = presigned()
    request.query_string = request.query_string.replace("X-Amz-Date=", "X-Amz-Datum=")
    assert refused(request, "s3").code == "AuthorizationQueryParametersError"


# --- Malformed and unsupported -----------------------------------------------------------


@pytest.mark.parametrize(
    ("flavour", "code"),
    [
        ("s3", "AuthorizationHeaderMalformed"),
        ("json", "IncompleteSignatureException"),
        ("query", "IncompleteSignature"),
    ],
)
def test_an_authorization_header_without_signature(flavour: str, code: str) -> None:
    request = dynamodb_request()
    header = request.headers["authorization"]
    request.headers["authorization"] = header.rpartition(", Signature=")[0]
    error = refused(request, flavour)
    assert (error.code, error.status) == (code, 400)


def test_a_malformed_credential() -> None:
    request = dynamodb_request()
    request.headers["authorization"] = request.headers["authorization"].replace(
        "/aws4_request", ""
    )
    assert refused(request, "s3").code == "AuthorizationHeaderMalformed"
    assert credential_scope(request) is None


def test_credential_date_must_match_x_amz_date() -> None:
    request = dynamodb_request()
    request.headers["x-amz-date"] = "20000101T000000Z"
    assert refused(request, "s3", datetime(2000, 1, 1, tzinfo=UTC)).code == (
        "AuthorizationHeaderMalformed"
    )


def test_sigv4a_is_refused() -> None:
    header = "AWS4-ECDSA-P256-SHA256 Credential=test/20240101/s3/aws4_request"
    request = Request("GET", "/bucket/key", "", {"host": "h", "authorization": header})
    error = refused(request, "s3")
    assert error.code == "InvalidRequest"
    assert "AWS4-HMAC-SHA256" in error.message
    assert refused(request, "json").code == "IncompleteSignatureException"


# S3 accepts SigV2 (tests/edge/test_sigv2.py); every other service refuses it clearly.
@pytest.mark.parametrize(
    ("flavour", "code"),
    [("json", "IncompleteSignatureException"), ("query", "IncompleteSignature")],
)
def test_sigv2_is_refused_outside_s3(flavour: str, code: str) -> None:
    header = Request("GET", "/", "", {"host": "h", "authorization": "AWS test:c2lnbmF0dXJl"})
    query = Request("GET", "/", "AWSAccessKeyId=test&Expires=1&Signature=x", {"host": "h"})
    for request in (header, query):
        error = refused(request, flavour)
        assert error.code == code
        assert "SigV4" in error.message


def test_credential_scope_from_a_header() -> None:
    request = dynamodb_request(region="ap-south-1")
    scope = credential_scope(request)
    assert scope is not None
    assert (scope.access_key, scope.region, scope.service) == ("test", "ap-south-1", "dynamodb")
    assert scope.signing_scope == f"{scope.date}/ap-south-1/dynamodb/aws4_request"
    assert replace(scope, region="x") != scope
