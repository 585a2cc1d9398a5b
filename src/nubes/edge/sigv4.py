"""AWS Signature Version 4: who signed a request, checked the way AWS checks it.

``credential_scope`` reads the scope (key, date, region, service) cheaply, so the edge can
route a request before verifying it. ``verify`` rebuilds the canonical request from what
was received, signs it with the secret of the access key and compares; the result names
the account. Both the ``Authorization`` header and presigned URLs (``X-Amz-Signature``)
are accepted; S3's SigV2 is handed to ``sigv2``, SigV2 elsewhere and SigV4a are refused
with a clear error.

The error codes differ between protocol families (S3 answers ``InvalidAccessKeyId`` where
DynamoDB answers ``UnrecognizedClientException``), so ``verify`` takes a ``flavour``.
The canonical URI is the path as sent for S3, and the normalized, doubly-encoded path
for every other service, exactly as botocore signs them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Protocol
from urllib.parse import quote, unquote

from nubes.accounts import Credentials
from nubes.edge import sigv2
from nubes.errors import (
    AccessDenied,
    AuthorizationHeaderMalformed,
    AuthorizationQueryParametersError,
    ContentSHA256Mismatch,
    IncompleteSignature,
    IncompleteSignatureJson,
    InvalidAccessKeyId,
    InvalidArgument,
    InvalidClientTokenId,
    InvalidRequest,
    InvalidSignature,
    InvalidSignatureRestJson,
    RequestTimeTooSkewed,
    ServiceError,
    SignatureDoesNotMatch,
    UnrecognizedClient,
    UnrecognizedClientJson,
)
from nubes.protocol.http import Request

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_SKEW = timedelta(minutes=15)
MAX_PRESIGNED_EXPIRES = 604800  # one week, in seconds

_PAYLOAD_MARKERS = frozenset(
    {UNSIGNED_PAYLOAD, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER}
)
_SIGV4A_ALGORITHM = "AWS4-ECDSA-P256-SHA256"
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_CANONICAL_PIECE = re.compile(r"(?:[A-Za-z0-9_.~-]|%[0-9A-F]{2})*")
_PRESIGN_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)


class KeyLookup(Protocol):
    """Where ``verify`` finds the secret of an access key (``AccountStore``)."""

    def get(self, access_key: str) -> Credentials | None: ...


@dataclass(frozen=True, slots=True)
class Scope:
    """The credential scope a request was signed for: ``AK/20240101/us-east-1/s3/aws4_request``."""

    access_key: str
    date: str  # YYYYMMDD
    region: str
    service: str

    @property
    def signing_scope(self) -> str:
        """The scope as it appears in the string to sign (without the access key)."""
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


@dataclass(frozen=True, slots=True)
class AuthResult:
    """A verified request: who signed it, and what verifying its body in chunks needs."""

    access_key: str
    account_id: str
    region: str | None  # None for SigV2, which names no region: the server's default applies
    service: str
    # The x-amz-content-sha256 value, or the payload hash the signature covered.
    payload_hash: str
    signing_scope: str  # "20240101/us-east-1/s3/aws4_request"
    amz_date: str  # "20240101T000000Z"
    signature: str  # the request's signature: the seed of aws-chunked chunk signatures
    signing_key: bytes = field(repr=False)
    presigned: bool = False


@dataclass(frozen=True, slots=True)
class _Flavour:
    """The errors one protocol family answers with."""

    s3: bool
    unknown_key: type[ServiceError]
    unknown_key_message: str
    mismatch: type[ServiceError]
    mismatch_message: str
    malformed: type[ServiceError]
    expired: type[ServiceError]


_S3_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
_BAD_TOKEN = "The security token included in the request is invalid."

FLAVOURS: Mapping[str, _Flavour] = MappingProxyType(
    {
        "s3": _Flavour(
            True,
            InvalidAccessKeyId,
            "The AWS Access Key Id you provided does not exist in our records.",
            SignatureDoesNotMatch,
            _S3_MISMATCH,
            AuthorizationHeaderMalformed,
            RequestTimeTooSkewed,
        ),
        "json": _Flavour(
            False,
            UnrecognizedClientJson,
            _BAD_TOKEN,
            InvalidSignature,
            _MISMATCH,
            IncompleteSignatureJson,
            InvalidSignature,
        ),
        "rest-json": _Flavour(
            False,
            UnrecognizedClient,
            _BAD_TOKEN,
            InvalidSignatureRestJson,
            _MISMATCH,
            IncompleteSignatureJson,
            InvalidSignatureRestJson,
        ),
        "query": _Flavour(
            False,
            InvalidClientTokenId,
            _BAD_TOKEN,
            SignatureDoesNotMatch,
            _MISMATCH,
            IncompleteSignature,
            SignatureDoesNotMatch,
        ),
    }
)


@dataclass(frozen=True, slots=True)
class _Claim:
    """What a request says about its signature, before it is checked."""

    scope: Scope
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    presigned: bool


# --- Reading the scope ------------------------------------------------------------------


def credential_scope(request: Request) -> Scope | None:
    """The scope a request claims to be signed for; None when anonymous or unreadable."""
    header = request.headers.get("authorization")
    if header is not None:
        start = header.find("Credential=")
        if start < 0:
            return None
        end = header.find(",", start)
        return _parse_credential(header[start + 11 : end if end >= 0 else None].strip())
    if "X-Amz-Credential=" in request.query_string:
        return _parse_credential(request.query_dict().get("X-Amz-Credential", ""))
    return None


def _parse_credential(credential: str) -> Scope | None:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not all(parts[:4]):
        return None
    return Scope(parts[0], parts[1], parts[2], parts[3])


# --- Verifying --------------------------------------------------------------------------


def verify(request: Request, keys: KeyLookup, *, flavour: str, now: datetime) -> AuthResult | None:
    """Check the request's SigV4 signature (S3's SigV2 too); None when it is anonymous.

    Raises the flavour's ``ServiceError`` when the signature is malformed, made with an
    unknown key, wrong, or out of date. A hex ``x-amz-content-sha256`` is checked against
    the body here when the body has been read; a body still to stream is checked while it
    is read (``chunked.decoding_stream``).
    """
    errors = FLAVOURS[flavour]
    header = request.headers.get("authorization")
    if header is not None:
        if errors.s3 and header.startswith(sigv2.HEADER_PREFIX):
            return _sigv2_result(request, sigv2.verify(request, keys.get, now=now), errors)
        claim = _claim_from_header(header, request, errors)
        _check_skew(claim.amz_date, now, errors)
    elif "X-Amz-Signature=" in request.query_string or "X-Amz-Credential=" in request.query_string:
        claim = _claim_from_query(request, errors, now)
    elif "AWSAccessKeyId=" in request.query_string and "Signature=" in request.query_string:
        if not errors.s3:
            raise _unsupported(errors, "AWS (SigV2)")
        return _sigv2_result(request, sigv2.verify(request, keys.get, now=now), errors)
    else:
        return None
    creds = keys.get(claim.scope.access_key)
    if creds is None:
        raise errors.unknown_key(
            errors.unknown_key_message, fields={"AWSAccessKeyId": claim.scope.access_key}
        )
    payload_hash = _payload_hash(request, errors, claim.presigned)
    key = signing_key(creds.secret_key, claim.scope.date, claim.scope.region, claim.scope.service)
    _check_signature(request, claim, payload_hash, key, errors)
    _check_read_body(request, payload_hash)
    return AuthResult(
        access_key=creds.access_key,
        account_id=creds.account_id,
        region=claim.scope.region,
        service=claim.scope.service,
        payload_hash=payload_hash,
        signing_scope=claim.scope.signing_scope,
        amz_date=claim.amz_date,
        signature=claim.signature,
        signing_key=key,
        presigned=claim.presigned,
    )


def _sigv2_result(request: Request, signed: sigv2.SignedV2, errors: _Flavour) -> AuthResult:
    """A verified SigV2 request as an ``AuthResult``: no scope, and a body SigV2 never signs."""
    payload_hash = _payload_hash(request, errors, presigned=True)
    if payload_hash in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER):
        raise InvalidRequest(f"{payload_hash} needs a request signed with SigV4.")
    _check_read_body(request, payload_hash)
    return AuthResult(
        access_key=signed.credentials.access_key,
        account_id=signed.credentials.account_id,
        region=None,
        service="s3",
        payload_hash=payload_hash,
        signing_scope="",
        amz_date="",
        signature=signed.signature,
        signing_key=b"",
        presigned=signed.presigned,
    )


@lru_cache(maxsize=4096)
def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """The derived SigV4 signing key (kSigning); one per key, day, region and service."""
    k_date = hmac.digest(("AWS4" + secret_key).encode(), date.encode(), "sha256")
    k_region = hmac.digest(k_date, region.encode(), "sha256")
    k_service = hmac.digest(k_region, service.encode(), "sha256")
    return hmac.digest(k_service, b"aws4_request", "sha256")


def sign(key: bytes, string_to_sign: str) -> str:
    """The hex HMAC-SHA256 of ``string_to_sign`` under a signing key."""
    return hmac.digest(key, string_to_sign.encode(), "sha256").hex()


def same_signature(expected: str, provided: str) -> bool:
    """Constant-time comparison of two hex signatures."""
    return provided.isascii() and hmac.compare_digest(expected, provided)


# --- The claim: Authorization header or presigned query ---------------------------------


def _claim_from_header(header: str, request: Request, errors: _Flavour) -> _Claim:
    algorithm, _, rest = header.partition(" ")
    if algorithm != ALGORITHM:
        raise _unsupported(errors, algorithm or header)
    parts: dict[str, str] = {}
    for element in rest.split(","):
        name, _, value = element.strip().partition("=")
        parts[name] = value
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if name not in parts]
    if missing:
        raise _malformed(errors, _missing_message(missing, header))
    scope = _parse_credential(parts["Credential"])
    if scope is None:
        raise _malformed(errors, _bad_credential_message(errors, parts["Credential"]))
    amz_date = _request_date(request, errors)
    if amz_date[:8] != scope.date:
        raise _malformed(errors, _date_mismatch_message(errors, scope.date, amz_date))
    signed = tuple(parts["SignedHeaders"].split(";"))
    return _Claim(scope, signed, parts["Signature"], amz_date, presigned=False)


def _claim_from_query(request: Request, errors: _Flavour, now: datetime) -> _Claim:
    params = request.query_dict()
    if any(name not in params for name in _PRESIGN_PARAMS):
        raise _query_error(
            errors,
            "Query-string authentication version 4 requires the X-Amz-Algorithm, "
            "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
            "and X-Amz-Expires parameters.",
        )
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise _unsupported(errors, params["X-Amz-Algorithm"])
    scope = _parse_credential(params["X-Amz-Credential"])
    if scope is None:
        raise _query_error(errors, _bad_credential_message(errors, params["X-Amz-Credential"]))
    amz_date = params["X-Amz-Date"]
    signed_at = _parse_amz_date(amz_date, errors)
    if amz_date[:8] != scope.date:
        raise _query_error(errors, _date_mismatch_message(errors, scope.date, amz_date))
    _check_expiry(signed_at, _expires(params["X-Amz-Expires"], errors), now, errors)
    signed = tuple(params["X-Amz-SignedHeaders"].split(";"))
    return _Claim(scope, signed, params["X-Amz-Signature"], amz_date, presigned=True)


def _request_date(request: Request, errors: _Flavour) -> str:
    """x-amz-date, else the Date header, as YYYYMMDD'T'HHMMSS'Z'."""
    amz_date = request.headers.get("x-amz-date")
    if amz_date is not None:
        _parse_amz_date(amz_date, errors)
        return amz_date
    http_date = request.headers.get("date")
    if http_date is not None:
        try:
            return parsedate_to_datetime(http_date).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        except (TypeError, ValueError):
            pass
    if errors.s3:
        raise AccessDenied("AWS authentication requires a valid Date or x-amz-date header")
    raise errors.malformed(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
    )


def _parse_amz_date(value: str, errors: _Flavour) -> datetime:
    try:
        if len(value) != 16 or value[8] != "T" or value[15] != "Z":
            raise ValueError(value)
        return datetime(
            int(value[0:4]), int(value[4:6]), int(value[6:8]),
            int(value[9:11]), int(value[11:13]), int(value[13:15]), tzinfo=UTC,
        )  # fmt: skip
    except ValueError:
        message = f"X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\": {value}"
        raise (AccessDenied if errors.s3 else errors.malformed)(message) from None


def _expires(value: str, errors: _Flavour) -> int:
    try:
        seconds = int(value)
    except ValueError:
        raise _query_error(errors, "X-Amz-Expires should be a number") from None
    if seconds < 0:
        raise _query_error(errors, "X-Amz-Expires must be non-negative")
    if seconds > MAX_PRESIGNED_EXPIRES:
        raise _query_error(
            errors,
            f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGNED_EXPIRES}",
        )
    return seconds


# --- Time -------------------------------------------------------------------------------


def _check_skew(amz_date: str, now: datetime, errors: _Flavour) -> None:
    signed_at = _parse_amz_date(amz_date, errors)
    if abs(now - signed_at) <= MAX_SKEW:
        return
    if errors.s3:
        raise RequestTimeTooSkewed(
            "The difference between the request time and the current time is too large.",
            fields={
                "RequestTime": amz_date,
                "ServerTime": _iso(now),
                "MaxAllowedSkewMilliseconds": "900000",
            },
        )
    raise errors.expired(_signature_expired_message(amz_date, now))


def _check_expiry(signed_at: datetime, expires: int, now: datetime, errors: _Flavour) -> None:
    if signed_at - now > MAX_SKEW:
        if errors.s3:
            raise AccessDenied("Request is not valid yet")
        raise errors.expired(_signature_expired_message(_amz(signed_at), now))
    if now <= signed_at + timedelta(seconds=expires):
        return
    if errors.s3:
        raise AccessDenied(
            "Request has expired",
            fields={
                "X-Amz-Expires": str(expires),
                "Expires": _iso(signed_at + timedelta(seconds=expires)),
                "ServerTime": _iso(now),
            },
        )
    raise errors.expired(_signature_expired_message(_amz(signed_at), now))


def _signature_expired_message(amz_date: str, now: datetime) -> str:
    earliest, latest, current = _amz(now - MAX_SKEW), _amz(now + MAX_SKEW), _amz(now)
    if amz_date < earliest:
        return f"Signature expired: {amz_date} is now earlier than {earliest} ({current} - 15 min.)"
    return (
        f"Signature not yet current: {amz_date} is still later than {latest} "
        f"({current} + 15 min.)"
    )


def _amz(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- Payload ----------------------------------------------------------------------------


def _payload_hash(request: Request, errors: _Flavour, presigned: bool) -> str:
    declared = request.headers.get("x-amz-content-sha256")
    if declared is not None:
        if declared in _PAYLOAD_MARKERS or _HEX_SHA256.fullmatch(declared):
            return declared
        if declared.startswith("STREAMING-AWS4-ECDSA"):
            raise _unsupported(errors, _SIGV4A_ALGORITHM)
        raise InvalidArgument(
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
            "or a valid sha256 value.",
            fields={"ArgumentName": "x-amz-content-sha256", "ArgumentValue": declared},
        )
    if presigned and errors.s3:
        return UNSIGNED_PAYLOAD
    if not body_in_hand(request):
        raise InvalidRequest("Missing required header for this request: x-amz-content-sha256")
    return hashlib.sha256(request.body).hexdigest()


def body_in_hand(request: Request) -> bool:
    """Whether ``request.body`` is the whole body (read, or empty by its headers)."""
    if request.stream is not None:
        return False
    if request.body:
        return True
    headers = request.headers
    return headers.get("content-length", "0") == "0" and "transfer-encoding" not in headers


def _check_read_body(request: Request, payload_hash: str) -> None:
    if len(payload_hash) != 64 or payload_hash in _PAYLOAD_MARKERS or not body_in_hand(request):
        return
    computed = hashlib.sha256(request.body).hexdigest()
    if computed != payload_hash.lower():
        raise ContentSHA256Mismatch(
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            fields={
                "ClientComputedContentSHA256": payload_hash,
                "S3ComputedContentSHA256": computed,
            },
        )


# --- The canonical request --------------------------------------------------------------


def _check_signature(
    request: Request, claim: _Claim, payload_hash: str, key: bytes, errors: _Flavour
) -> None:
    query = _canonical_query(request.query_string, drop_signature=claim.presigned)
    headers = _canonical_headers(request.headers, claim.signed_headers)
    canonical = ""
    for path in _canonical_paths(request.signed_path or request.path, errors.s3):
        canonical = "\n".join((request.method, path, query, headers, payload_hash))
        if same_signature(sign(key, _string_to_sign(claim, canonical)), claim.signature):
            return
    fields = {"AWSAccessKeyId": claim.scope.access_key, "SignatureProvided": claim.signature}
    if errors.s3:
        fields |= {"StringToSign": _string_to_sign(claim, canonical), "CanonicalRequest": canonical}
    raise errors.mismatch(errors.mismatch_message, fields=fields)


def _string_to_sign(claim: _Claim, canonical_request: str) -> str:
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    return f"{ALGORITHM}\n{claim.amz_date}\n{claim.scope.signing_scope}\n{digest}"


def _canonical_paths(path: str, s3: bool) -> tuple[str, ...]:
    """The canonical URI to try: S3's path as sent (then re-encoded, for clients that
    send characters they did not encode when signing); other services' path normalized
    and encoded a second time, as botocore signs it."""
    if not s3:
        return (_normalized_path(path),)
    as_sent = path or "/"
    reencoded = quote(unquote(as_sent), safe="/~")
    return (as_sent,) if reencoded == as_sent else (as_sent, reencoded)


@lru_cache(maxsize=1024)
def _normalized_path(path: str) -> str:
    return quote(_remove_dot_segments(path), safe="/~") if path not in ("", "/") else "/"


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, plus AWS's collapsing of consecutive slashes."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    trailing = "/" if path.endswith("/") and segments else ""
    return "/" + "/".join(segments) + trailing


def _canonical_query(query_string: str, *, drop_signature: bool) -> str:
    if not query_string:
        return ""
    pairs = []
    for piece in query_string.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        if drop_signature and name == "X-Amz-Signature":
            continue
        pairs.append((_uri_encode(name), _uri_encode(value)))
    pairs.sort()
    return "&".join([f"{name}={value}" for name, value in pairs])


def _uri_encode(text: str) -> str:
    if _CANONICAL_PIECE.fullmatch(text):
        return text
    return quote(unquote(text), safe="-_.~")


def _canonical_headers(headers: Mapping[str, str], signed: tuple[str, ...]) -> str:
    """The canonical headers block, its blank line, and the signed headers list."""
    lines = []
    for name in signed:
        value = headers.get(name, "")
        if "  " in value or value[:1].isspace() or value[-1:].isspace() or "\t" in value:
            value = " ".join(value.split())
        lines.append(f"{name}:{value}\n")
    return "".join(lines) + "\n" + ";".join(signed)


# --- Errors -----------------------------------------------------------------------------


def _unsupported(errors: _Flavour, algorithm: str) -> ServiceError:
    if errors.s3:
        return InvalidRequest(
            "The authorization mechanism you have provided is not supported. "
            "Please use AWS4-HMAC-SHA256."
        )
    return errors.malformed(
        f"Unsupported AWS 'algorithm': '{algorithm}'. Nubes accepts SigV4 ({ALGORITHM}) only."
    )


def _malformed(errors: _Flavour, detail: str) -> ServiceError:
    if errors.s3:
        return AuthorizationHeaderMalformed(f"The authorization header is malformed; {detail}")
    return errors.malformed(detail)


def _query_error(errors: _Flavour, message: str) -> ServiceError:
    if errors.s3:
        return AuthorizationQueryParametersError(message)
    return errors.malformed(message)


def _missing_message(missing: list[str], header: str) -> str:
    needs = " ".join(f"Authorization header requires '{name}' parameter." for name in missing)
    return f"{needs} Authorization={header}"


def _bad_credential_message(errors: _Flavour, credential: str) -> str:
    if errors.s3:
        return (
            'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/'
            'aws4_request".'
        )
    return f"Credential should be scoped to a valid region, service and date: {credential}"


def _date_mismatch_message(errors: _Flavour, scope_date: str, amz_date: str) -> str:
    if errors.s3:
        return "Invalid credential date. Date is not the same as X-Amz-Date."
    return (
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
        f"from HTTP: '{scope_date}' != '{amz_date[:8]}', from '{amz_date}'."
    )
