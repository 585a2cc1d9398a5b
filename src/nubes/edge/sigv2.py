"""AWS Signature Version 2 for S3: who signed a request, checked the way S3 checks it.

Two forms, both HMAC-SHA1 in base64 over the same string to sign (AWS's "Signing and
authenticating REST requests")::

    Verb \\n Content-MD5 \\n Content-Type \\n Date \\n CanonicalizedAmzHeaders CanonicalizedResource

- the header form, ``Authorization: AWS <access key>:<signature>`` (older SDKs), where an
  ``x-amz-date`` header leaves the Date line empty and is signed among the amz headers;
- the query form, ``?AWSAccessKeyId=..&Expires=..&Signature=..`` (boto3's default presigned
  URLs against a custom endpoint), where the Unix time ``Expires`` takes the Date line.

The canonicalized resource is the path with the bucket in it even for a virtual-host
request, then the sub-resources of ``SUBRESOURCES`` present in the query, sorted by name,
values decoded. Only S3 speaks SigV2; ``sigv4.verify`` hands S3 requests here and turns
the ``SignedV2`` into its ``AuthResult``.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

from nubes.accounts import Credentials
from nubes.errors import (
    AccessDenied,
    InvalidAccessKeyId,
    InvalidArgument,
    RequestTimeTooSkewed,
    SignatureDoesNotMatch,
)
from nubes.protocol.http import Request

HEADER_PREFIX = "AWS "  # of the Authorization header: "AWS AKID:signature"
MAX_SKEW = timedelta(minutes=15)

# The query parameters that are part of the canonicalized resource: AWS's sub-resources
# and response overrides, as botocore's HmacV1Auth.QSAOfInterest lists them.
SUBRESOURCES = frozenset(
    {
        "accelerate", "acl", "cors", "defaultObjectAcl", "location", "logging", "partNumber",
        "policy", "requestPayment", "torrent", "versioning", "versionId", "versions",
        "website", "uploads", "uploadId", "response-content-type",
        "response-content-language", "response-expires", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "delete", "lifecycle",
        "tagging", "restore", "storageClass", "notification", "replication", "analytics",
        "metrics", "inventory", "select", "select-type", "object-lock",
    }
)  # fmt: skip

_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
_QUERY_PARAMS_NEEDED = (
    "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"
)

KeyLookup = Callable[[str], Credentials | None]


@dataclass(frozen=True, slots=True)
class SignedV2:
    """A request whose SigV2 signature verified."""

    credentials: Credentials
    signature: str
    presigned: bool


@dataclass(frozen=True, slots=True)
class _Signable:
    """What goes into one string to sign, besides the method and the resource."""

    content_md5: str
    content_type: str
    date: str  # the Date line: a date, the Expires seconds, or "" beside x-amz-date
    amz_headers: Mapping[str, str]  # lower-case names


def verify(request: Request, lookup: KeyLookup, *, now: datetime) -> SignedV2:
    """Check the request's SigV2 signature (header or query form); raise S3's error if wrong.

    The caller has seen an ``Authorization: AWS ...`` header or an ``AWSAccessKeyId`` query.
    """
    header = request.headers.get("authorization")
    if header is not None:
        return _verify_header(request, header, lookup, now)
    return _verify_query(request, lookup, now)


def sign(secret_key: str, text: str) -> str:
    """The base64 HMAC-SHA1 of a string to sign under a secret key."""
    return base64.b64encode(hmac.digest(secret_key.encode(), text.encode(), "sha1")).decode()


def string_to_sign(request: Request, signable: _Signable, resource: str) -> str:
    """Verb, Content-MD5, Content-Type, Date, the amz headers and the resource, by lines."""
    amz = [f"{name}:{value}" for name, value in sorted(signable.amz_headers.items())]
    lines = [request.method, signable.content_md5, signable.content_type, signable.date, *amz]
    return "\n".join([*lines, resource])


def canonical_resources(request: Request) -> tuple[str, ...]:
    """The path with the bucket in it, then the sub-resources: ``/bucket/key?acl``.

    A path-style request for a bucket alone (``/bucket``) is signed as ``/bucket/`` by
    botocore (S3 accepts that) and as sent by others: both are returned.
    """
    subresources = []
    for piece in request.query_string.split("&"):
        name, equals, value = piece.partition("=")
        if name in SUBRESOURCES:
            subresources.append(f"{name}={unquote(value)}" if equals else name)
    subresources.sort(key=lambda pair: pair.partition("=")[0])
    query = f"?{'&'.join(subresources)}" if subresources else ""
    path = _path_with_bucket(request)
    if path.count("/") == 1 and len(path) > 1:
        return (f"{path}/{query}", f"{path}{query}")
    return (f"{path}{query}",)


def _path_with_bucket(request: Request) -> str:
    # The edge rewrote a virtual-host request's path to ``/bucket`` + the path sent (a bare
    # "/" became "/bucket"); AWS signs ``/bucket`` + the path sent, so "/bucket/" there.
    sent = request.signed_path
    if sent is None:
        return request.path or "/"
    bucket = request.path if sent == "/" else request.path.removesuffix(sent)
    return bucket + sent


# --- The two forms ----------------------------------------------------------------------


def _verify_header(request: Request, header: str, lookup: KeyLookup, now: datetime) -> SignedV2:
    access_key, colon, signature = header[len(HEADER_PREFIX) :].strip().partition(":")
    if not colon or not access_key or not signature:
        raise InvalidArgument(
            "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
            fields={"ArgumentName": "Authorization", "ArgumentValue": header},
        )
    _check_skew(request, now)
    creds = _credentials(lookup, access_key)
    _check_signature(request, creds, signature, _header_signables(request))
    return SignedV2(creds, signature, presigned=False)


def _verify_query(request: Request, lookup: KeyLookup, now: datetime) -> SignedV2:
    params = request.query_dict()
    access_key, expires = params.get("AWSAccessKeyId", ""), params.get("Expires", "")
    # A '+' of the base64 signature sent unencoded reads as a space.
    signature = params.get("Signature", "").replace(" ", "+")
    if not (access_key and signature and expires.isdigit()):
        raise AccessDenied(_QUERY_PARAMS_NEEDED)
    _check_expiry(int(expires), now)
    creds = _credentials(lookup, access_key)
    _check_signature(request, creds, signature, (_query_signable(request, params, expires),))
    return SignedV2(creds, signature, presigned=True)


def _header_signables(request: Request) -> tuple[_Signable, ...]:
    """The header form's string(s) to sign.

    With ``x-amz-date``, AWS's rule (and the Java SDK's and boto's) is an empty Date line,
    x-amz-date signed among the amz headers; AWS's own DELETE example instead puts the
    x-amz-date value on the Date line, unlisted. Both are accepted.
    """
    headers = request.headers
    md5, content_type = headers.get("content-md5", "").strip(), headers.get("content-type", "")
    amz = _amz_headers(headers)
    amz_date = amz.get("x-amz-date")
    if amz_date is None:
        return (_Signable(md5, content_type.strip(), headers.get("date", "").strip(), amz),)
    unlisted = {name: value for name, value in amz.items() if name != "x-amz-date"}
    return (
        _Signable(md5, content_type.strip(), "", amz),
        _Signable(md5, content_type.strip(), amz_date, unlisted),
    )


def _query_signable(request: Request, params: Mapping[str, str], expires: str) -> _Signable:
    """The query form's string to sign: headers signed but not sent may come as parameters
    (botocore moves Content-Type, Content-MD5 and x-amz-* headers into the URL)."""
    headers = request.headers
    from_query = {k.lower(): v for k, v in params.items() if k.lower().startswith("x-amz-")}
    amz = from_query | _amz_headers(headers)
    md5 = headers.get("content-md5", params.get("content-md5", ""))
    content_type = headers.get("content-type", params.get("content-type", ""))
    return _Signable(md5.strip(), content_type.strip(), expires, amz)


def _amz_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: value.strip() for name, value in headers.items() if name.startswith("x-amz-")}


# --- Checks -----------------------------------------------------------------------------


def _credentials(lookup: KeyLookup, access_key: str) -> Credentials:
    creds = lookup(access_key)
    if creds is None:
        raise InvalidAccessKeyId(
            "The AWS Access Key Id you provided does not exist in our records.",
            fields={"AWSAccessKeyId": access_key},
        )
    return creds


def _check_signature(
    request: Request, creds: Credentials, provided: str, signables: tuple[_Signable, ...]
) -> None:
    texts = [
        string_to_sign(request, signable, resource)
        for resource in canonical_resources(request)
        for signable in signables
    ]
    for text in texts:
        if provided.isascii() and hmac.compare_digest(sign(creds.secret_key, text), provided):
            return
    raise SignatureDoesNotMatch(
        _MISMATCH,
        fields={
            "AWSAccessKeyId": creds.access_key,
            "StringToSign": texts[0],  # AWS's own reading of the request
            "SignatureProvided": provided,
        },
    )


def _check_skew(request: Request, now: datetime) -> None:
    headers = request.headers
    raw = headers.get("x-amz-date") or headers.get("date") or ""
    moment = _parse_date(raw)
    if moment is None:
        raise AccessDenied("AWS authentication requires a valid Date or x-amz-date header")
    if abs(now - moment) > MAX_SKEW:
        raise RequestTimeTooSkewed(
            "The difference between the request time and the current time is too large.",
            fields={
                "RequestTime": raw,
                "ServerTime": _iso(now),
                "MaxAllowedSkewMilliseconds": "900000",
            },
        )


def _check_expiry(expires: int, now: datetime) -> None:
    if now.timestamp() > expires:
        raise AccessDenied(
            "Request has expired",
            fields={"Expires": _iso(datetime.fromtimestamp(expires, UTC)), "ServerTime": _iso(now)},
        )


def _parse_date(raw: str) -> datetime | None:
    """An RFC 1123 date (``Tue, 27 Mar 2007 19:36:42 +0000``) or ``20070327T193642Z``."""
    try:
        if len(raw) == 16 and raw[8] == "T" and raw[15] == "Z":
            return datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
