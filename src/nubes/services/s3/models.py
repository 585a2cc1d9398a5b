"""S3's state and rules, free of HTTP and storage: buckets, object versions, ETags,
ranges, conditional requests, copy sources and tags."""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, unquote

from nubes.services.s3 import exceptions as exc

MAX_KEY_BYTES = 1024
MAX_OBJECT_SIZE = 5 * 1024**4  # 5 TiB
MAX_PUT_SIZE = 5 * 1024**3  # one PUT (and one part, one copy): 5 GiB
MIN_PART_SIZE = 5 * 1024**2
MAX_PARTS = 10_000
NULL_VERSION = "null"
DEFAULT_CONTENT_TYPE = "binary/octet-stream"
# Object headers S3 stores and returns as they were given (output member names).
STORED_HEADERS = (
    "CacheControl",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "Expires",
    "WebsiteRedirectLocation",
)


class Versioning(StrEnum):
    """A bucket's versioning state; UNVERSIONED is the state before it was ever enabled."""

    UNVERSIONED = ""
    ENABLED = "Enabled"
    SUSPENDED = "Suspended"


@dataclass(slots=True)
class Bucket:
    name: str
    account_id: str
    region: str
    created: float
    versioning: Versioning = Versioning.UNVERSIONED

    @property
    def versioned(self) -> bool:
        return self.versioning is Versioning.ENABLED


@dataclass(slots=True)
class ObjectVersion:
    """One version of an object (or a delete marker), as stored."""

    bucket: str
    key: str
    version_id: str
    last_modified: float
    delete_marker: bool = False
    blob_id: str | None = None
    size: int = 0
    etag: str = ""  # quoted
    content_type: str = DEFAULT_CONTENT_TYPE
    headers: dict[str, Any] = field(default_factory=dict)  # STORED_HEADERS present
    metadata: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    parts: list[int] = field(default_factory=list)  # part sizes of a multipart object
    checksums: dict[str, str] = field(default_factory=dict)
    storage_class: str = "STANDARD"
    is_latest: bool = True
    row_id: int = 0

    @property
    def modified(self) -> datetime:
        return datetime.fromtimestamp(self.last_modified, UTC)


STORAGE_CLASSES = frozenset({
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
    "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
})
MAX_METADATA_BYTES = 2048


def new_object(bucket: str, key: str, params: Mapping[str, Any], now: float) -> ObjectVersion:
    """The object a PutObject (or CreateMultipartUpload, or a REPLACE copy) describes,
    before its body is known."""
    headers: dict[str, Any] = {}
    for name in STORED_HEADERS:
        value = params.get(name)
        if value is not None:
            headers[name] = value.timestamp() if isinstance(value, datetime) else value
    metadata = dict(params.get("Metadata") or {})
    if sum(len(k.encode()) + len(v.encode()) for k, v in metadata.items()) > MAX_METADATA_BYTES:
        raise exc.MetadataTooLarge(fields={"MaxSizeAllowed": MAX_METADATA_BYTES})
    storage_class = params.get("StorageClass") or "STANDARD"
    if storage_class not in STORAGE_CLASSES:
        raise exc.InvalidStorageClass(fields={"StorageClassRequested": storage_class})
    return ObjectVersion(
        bucket,
        key,
        "",
        now,
        content_type=params.get("ContentType") or DEFAULT_CONTENT_TYPE,
        headers=headers,
        metadata=metadata,
        storage_class=storage_class,
    )


def headers_out(version: ObjectVersion) -> dict[str, Any]:
    """The stored headers as output members (Expires back to a timestamp)."""
    out = dict(version.headers)
    expires = out.get("Expires")
    if isinstance(expires, int | float):
        out["Expires"] = datetime.fromtimestamp(expires, UTC)
    return out


# -- names ------------------------------------------------------------------------------

# AWS wants 3 to 63 characters; Nubes also takes names of 1 and 2 (`aws s3 mb s3://x`),
# a deliberate departure so quick trials work (docs/services/s3-notes.md).
_BUCKET_RE = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,61}[a-z0-9])?$")
_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")


def validate_bucket_name(name: str) -> None:
    """Raise InvalidBucketName unless ``name`` follows AWS's general-purpose bucket rules."""
    if (
        not _BUCKET_RE.match(name)
        or ".." in name
        or ".-" in name
        or "-." in name
        or name.startswith(_BAD_PREFIXES)
        or name.endswith(_BAD_SUFFIXES)
        or _is_ip_address(name)
    ):
        raise exc.InvalidBucketName(fields={"BucketName": name})


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def is_region_name(name: str) -> bool:
    return bool(_REGION_RE.match(name))


def validate_key(key: str) -> None:
    if not key:
        raise exc.InvalidArgument("Key must not be empty")  # botocore refuses it anyway
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise exc.KeyTooLongError(fields={"Size": len(key.encode()), "MaxSizeAllowed": 1024})


def key_successor(prefix: str) -> str:
    """The least string greater than every string starting with ``prefix`` ('' if none).

    Code point order equals UTF-8 byte order, which is how S3 (and SQLite's BINARY
    collation of UTF-8 text) orders keys.
    """
    chars = list(prefix)
    while chars:
        code = ord(chars[-1]) + 1
        if code == 0xD800:
            code = 0xE000
        if code <= 0x10FFFF:
            chars[-1] = chr(code)
            return "".join(chars)
        chars.pop()
    return ""


# -- ETags ------------------------------------------------------------------------------


def quote_etag(md5_hex: str) -> str:
    return f'"{md5_hex}"'


def multipart_etag(part_etags: list[str]) -> str:
    """S3's ETag of a multipart object: MD5 of the binary part MD5s, then ``-<count>``."""
    digest = hashlib.md5(b"".join(bytes.fromhex(e.strip('"')) for e in part_etags))
    return f'"{digest.hexdigest()}-{len(part_etags)}"'


def md5_from_content_md5(value: str) -> str:
    """The hex MD5 a Content-MD5 header (base64) claims, or InvalidDigest."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as e:
        raise exc.InvalidDigest(fields={"Content-MD5": value}) from e
    if len(raw) != 16:
        raise exc.InvalidDigest(fields={"Content-MD5": value})
    return raw.hex()


# -- ranges -----------------------------------------------------------------------------

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The [start, end) a ``Range`` header selects, or None to send the whole object.

    Syntax S3 does not understand (several ranges, other units) is ignored, as S3 does;
    a range that selects nothing raises InvalidRange.
    """
    match = _RANGE_RE.match(header.strip().replace(" ", ""))
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            raise _invalid_range(header, size)
        return max(0, size - length), size
    start = int(first)
    if last != "" and int(last) < start:
        return None
    if start >= size:
        raise _invalid_range(header, size)
    end = size - 1 if last == "" else min(int(last), size - 1)
    return start, end + 1


def _invalid_range(header: str, size: int) -> exc.S3Error:
    return exc.InvalidRange(fields={"RangeRequested": header, "ActualObjectSize": size})


def content_range(start: int, end: int, size: int) -> str:
    return f"bytes {start}-{end - 1}/{size}"


def part_range(parts: list[int], size: int, number: int) -> tuple[int, int]:
    """The [start, end) of part ``number`` (1-based); a plain object is one part."""
    sizes = parts or [size]
    if not 1 <= number <= len(sizes):
        raise exc.InvalidPartNumber(
            fields={"PartNumberRequested": number, "ActualPartCount": len(sizes)}
        )
    start = sum(sizes[: number - 1])
    return start, start + sizes[number - 1]


# -- conditional requests ---------------------------------------------------------------


def etag_matches(condition: str, etag: str) -> bool:
    """Whether an If-Match/If-None-Match list (or ``*``) names ``etag``."""
    wanted = etag.strip('"')
    for item in condition.split(","):
        item = item.strip()
        if item == "*" or item.removeprefix("W/").strip('"') == wanted:
            return True
    return False


def _seconds(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


@dataclass(frozen=True, slots=True)
class Conditions:
    """The If-* headers of a read (or the x-amz-copy-source-if-* ones of a copy)."""

    if_match: str | None = None
    if_none_match: str | None = None
    if_modified_since: datetime | None = None
    if_unmodified_since: datetime | None = None

    @classmethod
    def of(cls, params: Mapping[str, Any], prefix: str = "") -> Conditions:
        return cls(
            params.get(prefix + "IfMatch"),
            params.get(prefix + "IfNoneMatch"),
            params.get(prefix + "IfModifiedSince"),
            params.get(prefix + "IfUnmodifiedSince"),
        )

    def __bool__(self) -> bool:
        return any(
            v is not None
            for v in (self.if_match, self.if_none_match, self.if_modified_since,
                      self.if_unmodified_since)
        )

    def check(self, etag: str, last_modified: float, *, copy: bool = False) -> None:
        """Raise PreconditionFailed (412) or NotModified (304) as S3 evaluates them.

        If-Match true wins over If-Unmodified-Since false; If-None-Match false wins over
        If-Modified-Since true (both give 304). A copy answers 412 where a read says 304.
        """
        modified = int(last_modified)
        if self.if_match is not None:
            if not etag_matches(self.if_match, etag):
                raise exc.PreconditionFailed(fields={"Condition": "If-Match"})
        elif (since := _seconds(self.if_unmodified_since)) is not None and modified > since:
            raise exc.PreconditionFailed(fields={"Condition": "If-Unmodified-Since"})
        not_modified = False
        if self.if_none_match is not None:
            not_modified = etag_matches(self.if_none_match, etag)
        elif (since := _seconds(self.if_modified_since)) is not None:
            not_modified = modified <= since
        if not_modified and copy:
            raise exc.PreconditionFailed(fields={"Condition": "If-None-Match"})
        if not_modified:
            raise exc.NotModified(headers={"ETag": etag})


def check_write_conditions(
    if_match: str | None, if_none_match: str | None, current: ObjectVersion | None
) -> None:
    """S3's conditional writes: If-None-Match ``*`` and If-Match on PUT/complete/copy."""
    exists = current is not None and not current.delete_marker
    if if_none_match is not None:
        if if_none_match.strip() != "*":
            raise exc.NotImplementedFeature(fields={"Header": "If-None-Match"})
        if exists:
            raise exc.PreconditionFailed(fields={"Condition": "If-None-Match"})
    if if_match is not None:
        if current is None or not exists:
            raise exc.NoSuchKey()
        if not etag_matches(if_match, current.etag):
            raise exc.PreconditionFailed(fields={"Condition": "If-Match"})


# -- copy sources and tags --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CopySource:
    bucket: str
    key: str
    version_id: str | None = None


def parse_copy_source(value: str) -> CopySource:
    """``[/]bucket/key[?versionId=v]`` with the key URL-encoded, as x-amz-copy-source is."""
    path, _, query = value.partition("?")
    bucket, _, key = unquote(path).lstrip("/").partition("/")
    version = dict(parse_qsl(query, keep_blank_values=True)).get("versionId")
    if not bucket or not key:
        raise exc.InvalidArgument(
            "Invalid copy source object key", fields={"ArgumentName": "x-amz-copy-source"}
        )
    return CopySource(bucket, key, version or None)


def parse_tagging_header(value: str) -> dict[str, str]:
    """The tags of an ``x-amz-tagging`` header (a URL query string)."""
    tags: dict[str, str] = {}
    for key, val in parse_qsl(value, keep_blank_values=True):
        if key in tags:
            raise exc.InvalidTag("Cannot provide multiple Tags with the same key")
        tags[key] = val
    return tags


# -- multipart uploads ------------------------------------------------------------------


@dataclass(slots=True)
class Upload:
    """A multipart upload in progress; ``template`` is the object it will become."""

    upload_id: str
    bucket: str
    key: str
    initiated: float
    template: ObjectVersion
    checksum_algorithm: str | None = None
    row_id: int = 0

    @property
    def initiated_at(self) -> datetime:
        return datetime.fromtimestamp(self.initiated, UTC)


@dataclass(slots=True)
class Part:
    number: int
    blob_id: str
    size: int
    etag: str  # quoted
    last_modified: float
    checksums: dict[str, str] = field(default_factory=dict)

    @property
    def modified(self) -> datetime:
        return datetime.fromtimestamp(self.last_modified, UTC)


def check_part_list(requested: list[dict[str, Any]], stored: Mapping[int, Part]) -> list[Part]:
    """The parts a CompleteMultipartUpload names, checked as S3 checks them."""
    if not requested:
        raise exc.MalformedXML(
            "The XML you provided was not well-formed or did not validate against our "
            "published schema"
        )
    chosen: list[Part] = []
    previous = 0
    for item in requested:
        number = int(item.get("PartNumber", 0))
        if number <= previous:
            raise exc.InvalidPartOrder(fields={"UploadId": ""})
        previous = number
        part = stored.get(number)
        wanted = str(item.get("ETag", "")).strip('"')
        if part is None or part.etag.strip('"') != wanted:
            raise exc.InvalidPart(fields={"PartNumber": number, "ETag": item.get("ETag")})
        chosen.append(part)
    for part in chosen[:-1]:
        if part.size < MIN_PART_SIZE:
            raise exc.EntityTooSmall(
                fields={"ProposedSize": part.size, "MinSizeAllowed": MIN_PART_SIZE,
                        "PartNumber": part.number, "ETag": part.etag}
            )
    return chosen
