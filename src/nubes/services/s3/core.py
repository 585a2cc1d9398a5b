"""What every part of the S3 provider shares: the stores, the blob store, the bucket cache
and the access check, plus the output shapes several operations return."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from nubes.protocol.http import BodyStream
from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.models import (
    NULL_VERSION,
    Bucket,
    ObjectVersion,
    Versioning,
    md5_from_content_md5,
)
from nubes.services.s3.notifications import Notifier
from nubes.services.s3.store import AfterWrite, S3Store
from nubes.services.s3.upload_store import UploadStore
from nubes.storage.blobs import BlobInfo, BlobStore

# Checksums the blob store computes itself (CRC32 always; SHA1/SHA256 on request).
VERIFIED_CHECKSUMS = ("CRC32", "SHA1", "SHA256")
CHECKSUM_MEMBERS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")


def owner(account_id: str) -> dict[str, str]:
    """The Owner element of an account (a canonical id derived from the account id)."""
    return {"DisplayName": account_id, "ID": hashlib.sha256(account_id.encode()).hexdigest()}


def timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class S3Core:
    """State shared by the operation groups the provider is assembled from.

    Buckets are cached by name: a bucket's name, owner and region never change, so the
    cache only saves the lookup. Writes re-read the versioning state inside their
    transaction, so a stale ``versioning`` here only affects how a response looks.
    """

    def __init__(self, store: S3Store, uploads: UploadStore, blobs: BlobStore,
                 notifier: Notifier | None = None) -> None:
        self.store = store
        self.uploads = uploads
        self.blobs = blobs
        self.notifier = notifier  # None: no event bus, notifications are not delivered
        self._buckets: dict[str, Bucket] = {}

    def bucket(self, ctx: RequestContext, params: dict[str, Any], member: str = "Bucket"
               ) -> Bucket:
        """The bucket a request names, if it exists and the caller's account owns it."""
        name = params[member]
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = self.store.get_bucket(name)
            if bucket is None:
                raise exc.NoSuchBucket(fields={"BucketName": name})
            self._buckets[name] = bucket
        expected = params.get("ExpectedBucketOwner")
        if bucket.account_id != ctx.account_id or (expected and expected != bucket.account_id):
            raise exc.AccessDenied(headers={"x-amz-bucket-region": bucket.region})
        return bucket

    def events(self, ctx: RequestContext, bucket: Bucket, event_name: str | None = None
               ) -> AfterWrite | None:
        """The hook publishing a write's notifications (``event_name`` None: removals)."""
        return None if self.notifier is None else self.notifier.after(ctx, bucket, event_name)

    def forget_bucket(self, name: str) -> None:
        self._buckets.pop(name, None)

    def collect(self, blob_ids: Iterable[str | None]) -> None:
        """Delete blobs a committed write no longer references."""
        self.blobs.delete_many(blob_ids)

    # -- reading versions ---------------------------------------------------------------

    def read_version(self, bucket: Bucket, key: str, version_id: str | None
                     ) -> ObjectVersion:
        """The version a GET/HEAD/copy names, or the error S3 answers with."""
        if version_id is None:
            found = self.store.latest(bucket.name, key)
            if found is None:
                raise exc.NoSuchKey(fields={"Key": key})
            if found.delete_marker:
                raise exc.NoSuchKey(fields={"Key": key}, headers=_marker_headers(found))
            return found
        check_version_id(version_id)
        found = self.store.version(bucket.name, key, version_id)
        if found is None:
            raise exc.NoSuchVersion(fields={"Key": key, "VersionId": version_id})
        if found.delete_marker:
            headers = _marker_headers(found)
            headers["Last-Modified"] = found.modified.strftime("%a, %d %b %Y %H:%M:%S GMT")
            raise exc.MethodNotAllowed(
                fields={"Method": "GET", "ResourceType": "DeleteMarker"}, headers=headers
            )
        return found

    def version_id_out(self, bucket: Bucket, version: ObjectVersion) -> dict[str, str]:
        """The VersionId member, which S3 only sends once versioning was ever enabled."""
        if version.version_id == NULL_VERSION and bucket.versioning is Versioning.UNVERSIONED:
            return {}
        return {"VersionId": version.version_id}

    # -- writing blobs ------------------------------------------------------------------

    async def write_body(self, params: dict[str, Any]) -> BlobInfo:
        """Store a request body as a blob, checked against Content-MD5 and checksums."""
        algorithm = _checksum_algorithm(params)
        body = params.get("Body")
        if body is None or isinstance(body, bytes | bytearray):
            info = self.blobs.write_bytes(bytes(body or b""), checksum=algorithm)
        else:
            stream: BodyStream = body
            info = await self.blobs.write(stream, checksum=algorithm)
        try:
            verify_body(params, info)
        except exc.S3Error:
            self.blobs.delete(info.id)
            raise
        return info


def check_version_id(version_id: str) -> None:
    if version_id != NULL_VERSION and (
        len(version_id) != 32 or any(c not in "0123456789abcdef" for c in version_id)
    ):
        raise exc.InvalidArgument(
            "Invalid version id specified",
            fields={"ArgumentName": "versionId", "ArgumentValue": version_id},
        )


def _marker_headers(marker: ObjectVersion) -> dict[str, str]:
    return {"x-amz-delete-marker": "true", "x-amz-version-id": marker.version_id}


def _checksum_algorithm(params: dict[str, Any]) -> str | None:
    for name in ("SHA256", "SHA1"):
        if params.get(f"Checksum{name}") or params.get("ChecksumAlgorithm") == name:
            return name
    return None


def verify_body(params: dict[str, Any], info: BlobInfo) -> None:
    """BadDigest unless the body matches its Content-MD5 and x-amz-checksum-* headers."""
    content_md5 = params.get("ContentMD5")
    if content_md5 and md5_from_content_md5(content_md5) != info.md5:
        raise exc.BadDigest(fields={"ExpectedDigest": content_md5})
    for name in VERIFIED_CHECKSUMS:
        claimed = params.get(f"Checksum{name}")
        if claimed and info.checksums.get(name) not in (None, claimed):
            raise exc.BadDigest(f"The {name} you specified did not match the calculated "
                                "checksum.")


def body_checksums(params: dict[str, Any], info: BlobInfo) -> dict[str, str]:
    """The checksums to keep with an object: the one the client asked for (verified when
    we can compute it, else as the client gave it), else our CRC32."""
    for name in CHECKSUM_MEMBERS:
        claimed = params.get(f"Checksum{name}")
        if claimed:
            return {name: info.checksums.get(name, claimed)}
    algorithm = (params.get("ChecksumAlgorithm") or "CRC32").upper()
    if algorithm in info.checksums:
        return {algorithm: info.checksums[algorithm]}
    return {"CRC32": info.checksums["CRC32"]} if "CRC32" in info.checksums else {}
