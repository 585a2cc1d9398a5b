"""CopyObject, and the copy-source handling UploadPartCopy shares with it."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.core import S3Core
from nubes.services.s3.models import (
    MAX_PUT_SIZE,
    Bucket,
    Conditions,
    ObjectVersion,
    Versioning,
    new_object,
    parse_copy_source,
    validate_key,
)
from nubes.services.s3.objects import object_tags, write_check


class CopyOps(S3Core):
    def copy_source(self, ctx: RequestContext, params: dict[str, Any]
                    ) -> tuple[Bucket, ObjectVersion]:
        """The bucket and version x-amz-copy-source names, its conditions checked."""
        source = parse_copy_source(params["CopySource"])
        bucket = self.bucket(ctx, {"Bucket": source.bucket,
                                   "ExpectedBucketOwner": params.get("ExpectedSourceBucketOwner")})
        try:
            version = self.read_version(bucket, source.key, source.version_id)
        except exc.MethodNotAllowed as error:
            raise exc.InvalidRequest(
                "The source of a copy request may not specifically refer to a delete marker "
                "by version id."
            ) from error
        Conditions.of(params, "CopySource").check(version.etag, version.last_modified,
                                                  copy=True)
        return bucket, version

    async def copy_object(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        key = params["Key"]
        validate_key(key)
        source_bucket, source = self.copy_source(ctx, params)
        if source.size > MAX_PUT_SIZE:
            raise exc.InvalidRequest(
                "The specified copy source is larger than the maximum allowable size for a "
                f"copy source: {MAX_PUT_SIZE}"
            )
        version = _copied(source, bucket.name, key, params)
        if (source.bucket, source.key) == (bucket.name, key) and not _changes(params, source):
            raise exc.InvalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself"
                " without changing the object's metadata, storage class, website redirect "
                "location or encryption attributes."
            )
        check = write_check(params)
        version.blob_id = self.blobs.link(source.blob_id) if source.blob_id else None
        try:
            garbage = self.store.put(version, check,
                                     self.events(ctx, bucket, "ObjectCreated:Copy"))
        except BaseException:
            self.blobs.delete_many([version.blob_id])
            raise
        self.collect(garbage)
        out: dict[str, Any] = {
            "CopyObjectResult": {"ETag": version.etag, "LastModified": version.modified},
            **self.version_id_out(bucket, version),
        }
        if source_bucket.versioning is not Versioning.UNVERSIONED:
            out["CopySourceVersionId"] = source.version_id
        return out


def _copied(source: ObjectVersion, bucket: str, key: str, params: dict[str, Any]
            ) -> ObjectVersion:
    """The new object a copy makes: the source's data, with metadata and tags copied or
    replaced as the directives say."""
    now = round(time.time(), 3)
    if params.get("MetadataDirective", "COPY") == "REPLACE":
        version = new_object(bucket, key, params, now)
    else:
        version = dataclasses.replace(
            source, bucket=bucket, key=key, last_modified=now,
            headers=dict(source.headers), metadata=dict(source.metadata),
            storage_class=params.get("StorageClass") or source.storage_class,
        )
    version.tags = (
        object_tags(params) if params.get("TaggingDirective") == "REPLACE" else
        dict(source.tags)
    )
    version.size, version.etag = source.size, source.etag
    version.parts, version.checksums = list(source.parts), dict(source.checksums)
    version.delete_marker, version.version_id, version.row_id = False, "", 0
    return version


def _changes(params: dict[str, Any], source: ObjectVersion) -> bool:
    """Whether a copy onto itself changes something S3 counts as a change."""
    return (
        params.get("MetadataDirective") == "REPLACE"
        or (params.get("StorageClass") or source.storage_class) != source.storage_class
        or params.get("WebsiteRedirectLocation") is not None
        or params.get("ServerSideEncryption") is not None
        or params.get("SSEKMSKeyId") is not None
    )
