"""Object operations: PutObject, GetObject, HeadObject, DeleteObject(s) and object tags."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.configs import (
    MAX_OBJECT_TAGS,
    dict_to_tag_set,
    tag_set_to_dict,
    validate_tags,
)
from nubes.services.s3.core import CHECKSUM_MEMBERS, S3Core, body_checksums, check_version_id
from nubes.services.s3.models import (
    MAX_PUT_SIZE,
    Bucket,
    Conditions,
    ObjectVersion,
    check_write_conditions,
    content_range,
    headers_out,
    new_object,
    parse_range,
    parse_tagging_header,
    part_range,
    quote_etag,
    validate_key,
)
from nubes.services.s3.store import WriteCheck

MAX_DELETE_KEYS = 1000
_OVERRIDES = {
    "ResponseCacheControl": "CacheControl",
    "ResponseContentDisposition": "ContentDisposition",
    "ResponseContentEncoding": "ContentEncoding",
    "ResponseContentLanguage": "ContentLanguage",
    "ResponseContentType": "ContentType",
    "ResponseExpires": "Expires",
}


class _Empty:
    """The body of an empty object (or range): no file to open."""

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        return
        yield b""  # an async generator that yields nothing

    async def aclose(self) -> None:
        return None


def write_check(params: dict[str, Any]) -> WriteCheck | None:
    """The conditional-write check a PutObject/CompleteMultipartUpload/CopyObject asks for."""
    if_match, if_none_match = params.get("IfMatch"), params.get("IfNoneMatch")
    if if_match is None and if_none_match is None:
        return None

    def check(current: ObjectVersion | None) -> None:
        check_write_conditions(if_match, if_none_match, current)

    return check


def object_tags(params: dict[str, Any]) -> dict[str, str]:
    """The tags of an x-amz-tagging header, checked."""
    header = params.get("Tagging")
    if not header:
        return {}
    return validate_tags(parse_tagging_header(header), limit=MAX_OBJECT_TAGS)


def check_put_size(params: dict[str, Any]) -> None:
    length = params.get("ContentLength")
    if length is not None and length > MAX_PUT_SIZE:
        raise exc.EntityTooLarge(fields={"ProposedSize": length, "MaxSizeAllowed": MAX_PUT_SIZE})


class ObjectOps(S3Core):
    async def put_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self.write_object(ctx, params, "ObjectCreated:Put")

    async def write_object(self, ctx: RequestContext, params: dict[str, Any], event_name: str
                           ) -> dict[str, Any]:
        """PutObject, notifying ``event_name`` (a POST upload is ObjectCreated:Post)."""
        bucket = self.bucket(ctx, params)
        key = params["Key"]
        validate_key(key)
        check_put_size(params)
        version = new_object(bucket.name, key, params, 0.0)
        version.tags = object_tags(params)
        check = write_check(params)
        if check is not None:
            check(self.store.latest(bucket.name, key))  # fail before reading the body
        info = await self.write_body(params)
        version.blob_id, version.size = info.id, info.size
        version.etag = quote_etag(info.md5 or "")
        version.checksums = body_checksums(params, info)
        version.last_modified = round(time.time(), 3)
        try:
            garbage = self.store.put(version, check, self.events(ctx, bucket, event_name))
        except BaseException:
            self.blobs.delete(info.id)
            raise
        self.collect(garbage)
        out: dict[str, Any] = {"ETag": version.etag, **self.version_id_out(bucket, version)}
        if params.get("ChecksumAlgorithm") or any(
            params.get(f"Checksum{name}") for name in CHECKSUM_MEMBERS
        ):
            out.update({f"Checksum{k}": v for k, v in version.checksums.items()})
            out["ChecksumType"] = "FULL_OBJECT"
        return out

    def get_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        version = self.read_version(bucket, params["Key"], params.get("VersionId"))
        out, (start, end) = self._describe(ctx, bucket, version, params)
        if end > start and version.blob_id:
            out["Body"] = self.blobs.open_range(version.blob_id, start, end)
        else:
            out["Body"] = _Empty()
        return out

    def head_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        version = self.read_version(bucket, params["Key"], params.get("VersionId"))
        return self._describe(ctx, bucket, version, params)[0]

    def _describe(self, ctx: RequestContext, bucket: Bucket, version: ObjectVersion,
                  params: dict[str, Any]) -> tuple[dict[str, Any], tuple[int, int]]:
        """The output members of a GET/HEAD, and the byte range it sends."""
        conditions = Conditions.of(params)
        if conditions:
            conditions.check(version.etag, version.last_modified)
        out: dict[str, Any] = {
            "AcceptRanges": "bytes",
            "ETag": version.etag,
            "LastModified": version.modified,
            "ContentType": version.content_type,
            "Metadata": version.metadata,
            **headers_out(version),
            **self.version_id_out(bucket, version),
        }
        if version.storage_class != "STANDARD":
            out["StorageClass"] = version.storage_class
        if version.tags:
            out["TagCount"] = len(version.tags)
        if version.parts and params.get("PartNumber") is not None:
            out["PartsCount"] = len(version.parts)  # AWS answers it only when a part is asked
        for member, target in _OVERRIDES.items():
            if params.get(member) is not None:
                out[target] = params[member]
        start, end = self._range(ctx, version, params, out)
        out["ContentLength"] = end - start
        if params.get("ChecksumMode") == "ENABLED" and (start, end) == (0, version.size):
            out.update({f"Checksum{k}": v for k, v in version.checksums.items()})
            if version.checksums:
                out["ChecksumType"] = "FULL_OBJECT"
        return out, (start, end)

    def _range(self, ctx: RequestContext, version: ObjectVersion, params: dict[str, Any],
               out: dict[str, Any]) -> tuple[int, int]:
        size = version.size
        part_number, header = params.get("PartNumber"), params.get("Range")
        if part_number is not None and header:
            raise exc.InvalidRequest("Cannot specify both Range header and partNumber query "
                                     "parameter")
        if part_number is not None:
            selected: tuple[int, int] | None = part_range(version.parts, size, part_number)
        else:
            selected = parse_range(header, size) if header else None
        if selected is None:
            return 0, size
        ctx.status = 206
        out["ContentRange"] = content_range(*selected, size)
        return selected

    # -- deleting -----------------------------------------------------------------------

    def delete_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        out = self._delete_one(ctx, bucket, params["Key"], params.get("VersionId"))
        ctx.status = 204
        return out

    def _delete_one(self, ctx: RequestContext, bucket: Bucket, key: str,
                    version_id: str | None) -> dict[str, Any]:
        after = self.events(ctx, bucket)
        if version_id is None:
            marker, garbage = self.store.delete(bucket.name, key, after)
            self.collect(garbage)
            return {"DeleteMarker": True, "VersionId": marker.version_id} if marker else {}
        check_version_id(version_id)
        removed, garbage = self.store.delete_version(bucket.name, key, version_id, after)
        self.collect(garbage)
        out: dict[str, Any] = {"VersionId": version_id}
        if removed is not None and removed.delete_marker:
            out["DeleteMarker"] = True
        return out

    def delete_objects(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        request = params.get("Delete") or {}
        objects = request.get("Objects") or []
        if not objects or len(objects) > MAX_DELETE_KEYS:
            raise exc.MalformedXML()
        deleted: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for item in objects:
            key, version_id = item["Key"], item.get("VersionId")
            try:
                result = self._delete_one(ctx, bucket, key, version_id)
            except exc.S3Error as error:
                errors.append(_delete_error(key, version_id, error))
                continue
            if not request.get("Quiet"):
                deleted.append(_deleted(key, version_id, result))
        out: dict[str, Any] = {}
        if deleted:
            out["Deleted"] = deleted
        if errors:
            out["Errors"] = errors
        return out

    # -- tags ---------------------------------------------------------------------------

    def get_object_tagging(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        version = self.read_version(bucket, params["Key"], params.get("VersionId"))
        return {"TagSet": dict_to_tag_set(version.tags), **self.version_id_out(bucket, version)}

    def put_object_tagging(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        tag_set = (params.get("Tagging") or {}).get("TagSet") or []
        tags = tag_set_to_dict(tag_set, limit=MAX_OBJECT_TAGS)
        return self._set_tags(bucket, params, tags)

    def delete_object_tagging(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        out = self._set_tags(bucket, params, {})
        ctx.status = 204
        return out

    def _set_tags(self, bucket: Bucket, params: dict[str, Any], tags: dict[str, str]
                  ) -> dict[str, Any]:
        version_id = params.get("VersionId")
        if version_id is not None:
            check_version_id(version_id)
        version = self.store.set_tags(bucket.name, params["Key"], version_id, tags)
        return self.version_id_out(bucket, version)


def _deleted(key: str, version_id: str | None, result: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"Key": key}
    if version_id is not None:
        entry["VersionId"] = version_id
    if result.get("DeleteMarker"):
        entry["DeleteMarker"] = True
        entry["DeleteMarkerVersionId"] = result["VersionId"]
    return entry


def _delete_error(key: str, version_id: str | None, error: exc.S3Error) -> dict[str, Any]:
    entry: dict[str, Any] = {"Key": key, "Code": error.code, "Message": error.message}
    if version_id is not None:
        entry["VersionId"] = version_id
    return entry
