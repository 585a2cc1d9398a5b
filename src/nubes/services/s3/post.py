"""Browser uploads (POST Object): a form whose signed policy authorizes one PutObject.

The edge (``edge/s3_post.py``) reads the form fields, verifies the policy's signature and
hands over the file as a stream; here ``${filename}`` is expanded, the policy checked
(``post_policy``), the fields turned into PutObject's parameters and the file stored by
PutObject itself, its size held to the policy's ``content-length-range`` as it streams.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

from nubes.protocol.http import BodyStream
from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.acl import AclOps
from nubes.services.s3.models import MAX_PUT_SIZE
from nubes.services.s3.objects import ObjectOps
from nubes.services.s3.post_policy import check_policy, decode_policy

# Form field (lower-case) -> PutObject parameter, for fields taken as they are.
_PLAIN_FIELDS = {
    "content-type": "ContentType",
    "cache-control": "CacheControl",
    "content-disposition": "ContentDisposition",
    "content-encoding": "ContentEncoding",
    "content-language": "ContentLanguage",
    "content-md5": "ContentMD5",
    "acl": "ACL",
    "x-amz-storage-class": "StorageClass",
    "x-amz-website-redirect-location": "WebsiteRedirectLocation",
    "x-amz-checksum-algorithm": "ChecksumAlgorithm",
    "x-amz-checksum-crc32": "ChecksumCRC32",
    "x-amz-checksum-crc32c": "ChecksumCRC32C",
    "x-amz-checksum-crc64nvme": "ChecksumCRC64NVME",
    "x-amz-checksum-sha1": "ChecksumSHA1",
    "x-amz-checksum-sha256": "ChecksumSHA256",
    "x-amz-server-side-encryption": "ServerSideEncryption",
}


@dataclass(frozen=True, slots=True)
class PostUpload:
    """A POST form, read up to its file: the fields as sent and the file to stream."""

    bucket: str
    fields: Mapping[str, str]  # lower-case name -> value (repeated fields joined by ',')
    names: Mapping[str, str]  # lower-case name -> name as sent
    filename: str | None  # the file part's filename parameter, when it has one
    file: BodyStream


@dataclass(frozen=True, slots=True)
class PostResult:
    bucket: str
    key: str
    etag: str  # quoted
    version_id: str | None


def expand_filename(fields: Mapping[str, str], filename: str | None) -> dict[str, str]:
    """Every field with ``${filename}`` replaced by the file's base name. S3 leaves the
    variable as written when the file part names no file."""
    if filename is None:
        return dict(fields)
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return {name: value.replace("${filename}", base) for name, value in fields.items()}


def _tags(document: str) -> str:
    """The ``tagging`` field (a Tagging XML document) as an x-amz-tagging query string."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        raise exc.MalformedXML() from None
    pairs = []
    for tag in root.iter():
        if tag.tag.rpartition("}")[2] == "Tag":
            parts = {child.tag.rpartition("}")[2]: child.text or "" for child in tag}
            pairs.append((parts.get("Key", ""), parts.get("Value", "")))
    return urlencode(pairs)


def _expires(value: str) -> datetime:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise exc.InvalidArgument(
            "Invalid Expires field", fields={"ArgumentName": "Expires", "ArgumentValue": value}
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def put_params(bucket: str, fields: Mapping[str, str]) -> dict[str, Any]:
    """The PutObject parameters a form's fields stand for."""
    params: dict[str, Any] = {"Bucket": bucket, "Key": fields.get("key", "")}
    metadata = {name[len("x-amz-meta-"):]: value for name, value in fields.items()
                if name.startswith("x-amz-meta-")}
    if metadata:
        params["Metadata"] = metadata
    for name, member in _PLAIN_FIELDS.items():
        if name in fields:
            params[member] = fields[name]
    if "expires" in fields:
        params["Expires"] = _expires(fields["expires"])
    if "tagging" in fields:
        params["Tagging"] = _tags(fields["tagging"])
    return params


class _SizeLimited:
    """A file stream held to [low, high] bytes: S3's EntityTooSmall / EntityTooLarge.

    A file found too large is still read to its end (and dropped), so the error can say
    its size, as S3's does, and the connection stays usable."""

    def __init__(self, body: BodyStream, low: int, high: int) -> None:
        self.body, self.low, self.high, self.size = body, low, high, 0

    async def read(self) -> bytes:
        data = await self.body.read()
        self.size += len(data)
        if self.size > self.high:
            while chunk := await self.body.read():
                self.size += len(chunk)
            raise exc.EntityTooLarge(
                fields={"ProposedSize": self.size, "MaxSizeAllowed": self.high})
        if not data and self.size < self.low:
            raise exc.EntityTooSmall(
                fields={"ProposedSize": self.size, "MinSizeAllowed": self.low})
        return data


class PostOps(ObjectOps, AclOps):
    async def post_object(self, ctx: RequestContext, upload: PostUpload, policy: str
                          ) -> PostResult:
        """Store the file of a POST form whose ``policy`` (already verified as signed by
        the caller's account) allows it."""
        bucket = self.bucket(ctx, {"Bucket": upload.bucket})
        fields = expand_filename(upload.fields, upload.filename)
        decoded = decode_policy(policy)
        check_policy(decoded, fields, upload.names, bucket=bucket.name,
                     now=datetime.now(UTC))
        params = put_params(bucket.name, fields)
        self.check_write_acl(ctx, params)
        low, high = decoded.length_range or (0, MAX_PUT_SIZE)
        params["Body"] = _SizeLimited(upload.file, low, min(high, MAX_PUT_SIZE))
        out = await ObjectOps.write_object(self, ctx, params, "ObjectCreated:Post")
        return PostResult(bucket.name, params["Key"], out["ETag"], out.get("VersionId"))
