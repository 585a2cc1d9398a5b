"""S3 browser uploads: ``POST /<bucket>`` with a multipart/form-data body ("POST Object").

This is no botocore operation, so the edge answers it itself, before operations are looked
up. The form's fields are read up to the ``file`` part (at most 20 KB of them, as on S3);
the signature over the base64 policy is checked — SigV4 (``x-amz-signature``: hex
HMAC-SHA256 under the SigV4 signing key of ``x-amz-credential``) or SigV2 (``signature``:
base64 HMAC-SHA1 under the secret key of ``AWSAccessKeyId``); the provider then checks the
policy and stores the file as it streams in. Field names are case-insensitive; fields
after the file are ignored, as S3 ignores them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit
from xml.sax.saxutils import escape

from nubes.accounts import Credentials
from nubes.edge import sigv2
from nubes.edge.exchange import Exchange
from nubes.edge.formdata import FormReader, boundary_of
from nubes.edge.sigv4 import ALGORITHM, same_signature, sign, signing_key
from nubes.errors import (
    AccessDenied,
    InvalidAccessKeyId,
    InvalidArgument,
    InvalidRequest,
    SignatureDoesNotMatch,
)
from nubes.protocol.catalog import service_model
from nubes.protocol.http import Request, Response
from nubes.protocol.serializers.errors import request_id_headers
from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.post import PostResult, PostUpload, expand_filename
from nubes.services.s3.provider import S3Provider

if TYPE_CHECKING:
    from nubes.edge.chain import Edge

MAX_PRE_DATA = 20 * 1024  # bytes of form before the file, as S3 allows
_V4_FIELDS = (("x-amz-algorithm", "X-Amz-Algorithm"), ("x-amz-credential", "X-Amz-Credential"),
              ("x-amz-date", "X-Amz-Date"), ("x-amz-signature", "X-Amz-Signature"),
              ("policy", "Policy"))
_V2_FIELDS = (("awsaccesskeyid", "AWSAccessKeyId"), ("signature", "Signature"),
              ("policy", "Policy"))
_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
             "Check your key and signing method.")


class Form:
    """The fields of a POST form read up to its file part."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}  # lower-case name -> value
        self.names: dict[str, str] = {}  # lower-case name -> name as sent
        self.has_file = False
        self.filename: str | None = None

    def add(self, name: str, value: str) -> None:
        lower = name.lower()
        self.names.setdefault(lower, name)
        # Repeated fields are joined by commas, as S3 matches them against the policy.
        self.fields[lower] = f"{self.fields[lower]},{value}" if lower in self.fields else value


def bucket_root(request: Request) -> str | None:
    """The bucket a request addresses when it names no key (``/bucket`` or ``/bucket/``)."""
    bucket, _, rest = request.decoded_path.lstrip("/").partition("/")
    return bucket if bucket and not rest else None


async def s3_post_upload(edge: Edge, ex: Exchange) -> None:
    """Answer ``POST /<bucket>`` uploads from HTML forms (and boto3's presigned POSTs)."""
    request, provider = ex.request, ex.provider
    if request.method != "POST" or not isinstance(provider, S3Provider):
        return
    bucket = bucket_root(request)
    content_type = request.headers.get("content-type", "")
    is_form = content_type.lower().startswith("multipart/form-data")
    if bucket is None or (not is_form and (request.query_string or "authorization" in
                                          request.headers)):
        return  # DeleteObjects and other signed operations
    if not is_form:
        raise exc.PreconditionFailed(
            fields={"Condition": "Bucket POST must be of the enclosure-type multipart/form-data"})
    boundary = boundary_of(content_type)
    if boundary is None:
        raise exc.MalformedPOSTRequest()
    reader = FormReader(ex.raw_body, boundary)
    form = await read_form(reader)
    creds, region = check_form(form, edge)
    ctx = RequestContext(
        request=request, request_id=ex.request_id, service="s3",
        account_id=creds.account_id, region=region or edge.settings.region,
        access_key=creds.access_key,
        endpoint=f"{request.scheme}://{request.host or f'localhost:{edge.settings.port}'}",
    )
    upload = PostUpload(bucket, form.fields, form.names, form.filename, reader.stream())
    result = await provider.post_object(ctx, upload, form.fields["policy"])
    await reader.drain()
    fields = expand_filename(form.fields, form.filename)
    ex.response = post_response(request, ex.request_id, result, fields)


async def read_form(reader: FormReader) -> Form:
    """The fields before the file part (the reader is left at the file's content)."""
    form = Form()
    while (part := await reader.next_part()) is not None:
        if reader.consumed > MAX_PRE_DATA:
            break
        if part.name.lower() == "file":
            form.has_file, form.filename = True, part.filename
            return form
        value = await reader.read_value(MAX_PRE_DATA - reader.consumed)
        form.add(part.name, value.decode("utf-8", "replace"))
    if reader.consumed > MAX_PRE_DATA:
        raise exc.MaxPostPreDataLengthExceeded(fields={"MaxPostPreDataLengthBytes": MAX_PRE_DATA})
    return form


def _require(form: Form, names: tuple[tuple[str, str], ...]) -> None:
    for name, label in names:
        if name not in form.fields:
            raise InvalidArgument(
                f"Bucket POST must contain a field named '{label}'.  If it is specified, "
                "please check the order of the fields.",
                fields={"ArgumentName": label, "ArgumentValue": ""},
            )


def check_form(form: Form, edge: Edge) -> tuple[Credentials, str | None]:
    """The account that signed the form's policy (and the region it signed for)."""
    _require(form, (("key", "key"),))
    fields = form.fields
    v4 = any(name in fields for name, _ in _V4_FIELDS[:4])
    v2 = not v4 and ("awsaccesskeyid" in fields or "signature" in fields)
    if not (v4 or v2):
        raise AccessDenied("Access Denied")  # anonymous: Nubes has no public buckets
    _require(form, _V4_FIELDS if v4 else _V2_FIELDS)
    if not form.has_file:
        raise InvalidArgument("POST requires exactly one file upload per request.",
                              fields={"ArgumentName": "file", "ArgumentValue": "0"})
    return _verify_v4(fields, edge) if v4 else (_verify_v2(fields, edge), None)


def _credentials(edge: Edge, access_key: str) -> Credentials:
    creds = edge.accounts.get(access_key)
    if creds is None:
        raise InvalidAccessKeyId(
            "The AWS Access Key Id you provided does not exist in our records.",
            fields={"AWSAccessKeyId": access_key},
        )
    return creds


def _check(expected: str, provided: str, access_key: str, policy: str) -> None:
    if not same_signature(expected, provided):
        raise SignatureDoesNotMatch(_MISMATCH, fields={
            "AWSAccessKeyId": access_key, "StringToSign": policy,
            "SignatureProvided": provided,
            "StringToSignBytes": " ".join(f"{b:02x}" for b in policy.encode()),
        })


def _verify_v4(fields: dict[str, str], edge: Edge) -> tuple[Credentials, str]:
    if fields["x-amz-algorithm"] != ALGORITHM:
        raise InvalidRequest("The authorization mechanism you have provided is not supported. "
                             "Please use AWS4-HMAC-SHA256.")
    credential = fields["x-amz-credential"]
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not all(parts[:4]):
        raise InvalidArgument(
            'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/'
            'aws4_request".',
            fields={"ArgumentName": "X-Amz-Credential", "ArgumentValue": credential},
        )
    access_key, date, region, service, _ = parts
    creds = _credentials(edge, access_key)
    key = signing_key(creds.secret_key, date, region, service)
    _check(sign(key, fields["policy"]), fields["x-amz-signature"], access_key, fields["policy"])
    return creds, region


def _verify_v2(fields: dict[str, str], edge: Edge) -> Credentials:
    creds = _credentials(edge, fields["awsaccesskeyid"])
    policy = fields["policy"]
    _check(sigv2.sign(creds.secret_key, policy), fields["signature"], creds.access_key, policy)
    return creds


# -- the answer -------------------------------------------------------------------------


def object_url(request: Request, bucket: str, key: str) -> str:
    """The URL of the stored object, addressed as the form was (path or virtual host)."""
    base = f"{request.scheme}://{request.host}"
    if request.signed_path is not None:  # virtual-host request
        return f"{base}/{quote(key, safe='')}"
    return f"{base}/{bucket}/{quote(key, safe='')}"


def _redirect(url: str | None, result: PostResult) -> str | None:
    """success_action_redirect with bucket, key and etag added; None if not a URL."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None  # S3 ignores a redirect it cannot interpret
    query = urlencode([("bucket", result.bucket), ("key", result.key), ("etag", result.etag)])
    return f"{url}{'&' if parts.query else '?'}{query}"


def post_response(request: Request, request_id: str, result: PostResult,
                  fields: dict[str, str]) -> Response:
    """S3's answer to a stored POST upload: a redirect, 200, 201 with a PostResponse, or
    (by default) 204."""
    headers = [("ETag", result.etag),
               *request_id_headers(service_model("s3"), request_id)]
    if result.version_id:
        headers.append(("x-amz-version-id", result.version_id))
    target = _redirect(fields.get("success_action_redirect") or fields.get("redirect"), result)
    if target is not None:
        return Response(303, [*headers, ("Location", target)])
    location = object_url(request, result.bucket, result.key)
    headers.append(("Location", location))
    status = fields.get("success_action_status")
    if status == "201":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
            f"<Location>{escape(location)}</Location><Bucket>{escape(result.bucket)}</Bucket>"
            f"<Key>{escape(result.key)}</Key><ETag>{escape(result.etag)}</ETag></PostResponse>"
        )
        return Response(201, [*headers, ("Content-Type", "application/xml")], body.encode())
    return Response(200 if status == "200" else 204, headers)
