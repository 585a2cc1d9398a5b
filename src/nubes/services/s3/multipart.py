"""Multipart uploads: create, upload (and copy) parts, complete, abort, list."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any
from urllib.parse import quote

from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.copy import CopyOps
from nubes.services.s3.core import owner
from nubes.services.s3.models import (
    MAX_PARTS,
    MAX_PUT_SIZE,
    Part,
    Upload,
    check_part_list,
    multipart_etag,
    new_object,
    quote_etag,
    validate_key,
)
from nubes.services.s3.objects import check_put_size, object_tags, write_check
from nubes.services.s3.paging import DEFAULT_MAX_KEYS, paginate, start_after, url_encode
from nubes.storage.blobs import BlobInfo

_COPY_RANGE = re.compile(r"^bytes=(\d+)-(\d+)$")


def _part_number(params: dict[str, Any]) -> int:
    number = params.get("PartNumber")
    if not isinstance(number, int) or not 1 <= number <= MAX_PARTS:
        raise exc.InvalidArgument(
            "Part number must be an integer between 1 and 10000, inclusive",
            fields={"ArgumentName": "partNumber", "ArgumentValue": number},
        )
    return number


def _copy_range(header: str | None, size: int) -> tuple[int, int]:
    if header is None:
        return 0, size
    match = _COPY_RANGE.match(header.strip())
    if not match:
        raise exc.InvalidArgument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where "
            "first and last are the zero-based offsets of the first and last bytes to copy",
            fields={"ArgumentName": "x-amz-copy-source-range", "ArgumentValue": header},
        )
    start, last = int(match.group(1)), int(match.group(2))
    if last < start or last >= size:
        raise exc.InvalidRange(fields={"RangeRequested": header, "ActualObjectSize": size})
    return start, last + 1


class MultipartOps(CopyOps):
    def create_multipart_upload(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        key = params["Key"]
        validate_key(key)
        now = round(time.time(), 3)
        template = new_object(bucket.name, key, params, now)
        template.tags = object_tags(params)
        algorithm = params.get("ChecksumAlgorithm")
        upload = Upload(uuid.uuid4().hex, bucket.name, key, now, template, algorithm)
        self.uploads.create(upload)
        out = {"Bucket": bucket.name, "Key": key, "UploadId": upload.upload_id}
        if algorithm:
            out["ChecksumAlgorithm"] = algorithm
        return out

    async def upload_part(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        number = _part_number(params)
        check_put_size(params)
        self.uploads.get(bucket.name, params["Key"], params["UploadId"])
        info = await self.write_body(params)
        self._record_part(params["UploadId"], number, info)
        out: dict[str, Any] = {"ETag": quote_etag(info.md5 or "")}
        algorithm = (params.get("ChecksumAlgorithm") or "").upper()
        if algorithm in info.checksums:
            out[f"Checksum{algorithm}"] = info.checksums[algorithm]
        return out

    def _record_part(self, upload_id: str, number: int, info: BlobInfo) -> Part:
        part = Part(number, info.id, info.size, quote_etag(info.md5 or ""),
                    round(time.time(), 3), info.checksums)
        try:
            garbage = self.uploads.put_part(upload_id, part)
        except BaseException:
            self.blobs.delete(info.id)
            raise
        self.collect(garbage)
        return part

    async def upload_part_copy(self, ctx: RequestContext, params: dict[str, Any]
                               ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        number = _part_number(params)
        self.uploads.get(bucket.name, params["Key"], params["UploadId"])
        source_bucket, source = self.copy_source(ctx, params)
        start, end = _copy_range(params.get("CopySourceRange"), source.size)
        if end - start > MAX_PUT_SIZE:
            raise exc.EntityTooLarge(fields={"ProposedSize": end - start})
        if source.blob_id is None:
            info = self.blobs.write_bytes(b"")
        else:
            info = await self.blobs.copy_range(source.blob_id, start, end)
        part = self._record_part(params["UploadId"], number, info)
        out: dict[str, Any] = {
            "CopyPartResult": {"ETag": part.etag, "LastModified": part.modified}
        }
        if source_bucket.versioning.value:
            out["CopySourceVersionId"] = source.version_id
        return out

    async def complete_multipart_upload(self, ctx: RequestContext, params: dict[str, Any]
                                        ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        upload = self.uploads.get(bucket.name, params["Key"], params["UploadId"])
        requested = (params.get("MultipartUpload") or {}).get("Parts") or []
        stored = {part.number: part for part in self.uploads.parts(upload.upload_id)}
        chosen = check_part_list(requested, stored)
        check = write_check(params)
        if check is not None:
            check(self.store.latest(bucket.name, upload.key))
        if len(chosen) == 1:
            blob_id = self.blobs.link(chosen[0].blob_id)
        else:
            blob_id = (await self.blobs.concat(p.blob_id for p in chosen)).id
        version = upload.template
        version.blob_id, version.size = blob_id, sum(p.size for p in chosen)
        version.etag = multipart_etag([p.etag for p in chosen])
        version.parts = [p.size for p in chosen]
        version.last_modified = round(time.time(), 3)
        try:
            garbage = self.uploads.complete(
                upload, version, check,
                self.events(ctx, bucket, "ObjectCreated:CompleteMultipartUpload"))
        except BaseException:
            self.blobs.delete(blob_id)
            raise
        self.collect(garbage)
        return {
            "Location": f"{ctx.endpoint}/{bucket.name}/{quote(upload.key)}",
            "Bucket": bucket.name,
            "Key": upload.key,
            "ETag": version.etag,
            **self.version_id_out(bucket, version),
        }

    def abort_multipart_upload(self, ctx: RequestContext, params: dict[str, Any]
                               ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        self.collect(self.uploads.abort(bucket.name, params["Key"], params["UploadId"]))
        ctx.status = 204
        return {}

    def list_parts(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        upload = self.uploads.get(bucket.name, params["Key"], params["UploadId"])
        marker = int(params.get("PartNumberMarker") or 0)
        limit = min(int(params.get("MaxParts", 1000)), 1000)
        parts = self.uploads.parts(upload.upload_id, marker, limit + 1)
        truncated = len(parts) > limit
        parts = parts[:limit]
        out: dict[str, Any] = {
            "Bucket": bucket.name,
            "Key": upload.key,
            "UploadId": upload.upload_id,
            "PartNumberMarker": marker,
            "MaxParts": limit,
            "IsTruncated": truncated,
            "Parts": [
                {"PartNumber": p.number, "LastModified": p.modified, "ETag": p.etag,
                 "Size": p.size}
                for p in parts
            ],
            "Initiator": owner(bucket.account_id),
            "Owner": owner(bucket.account_id),
            "StorageClass": upload.template.storage_class,
        }
        if parts:
            out["NextPartNumberMarker"] = parts[-1].number
        if upload.checksum_algorithm:
            out["ChecksumAlgorithm"] = upload.checksum_algorithm
        return out

    def list_multipart_uploads(self, ctx: RequestContext, params: dict[str, Any]
                               ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or None
        key_marker = params.get("KeyMarker") or ""
        upload_marker = params.get("UploadIdMarker") or None
        limit = min(int(params.get("MaxUploads", DEFAULT_MAX_KEYS)), DEFAULT_MAX_KEYS)
        after = None
        start = start_after(key_marker, prefix, delimiter)
        if key_marker and upload_marker:
            row_id = self.uploads.upload_row_id(upload_marker)
            if row_id is not None:
                after, start = (key_marker, row_id), key_marker
        scan = self.uploads.scan(bucket.name, limit + 1, after=after)
        page = paginate(scan, lambda u: u.key, prefix=prefix, delimiter=delimiter,
                        start=start, max_keys=limit)
        enc = params.get("EncodingType")
        out: dict[str, Any] = {
            "Bucket": bucket.name,
            "KeyMarker": url_encode(key_marker, enc),
            "UploadIdMarker": upload_marker or "",
            "Prefix": url_encode(prefix, enc),
            "MaxUploads": limit,
            "IsTruncated": page.truncated,
            "Uploads": [
                {"UploadId": u.upload_id, "Key": url_encode(u.key, enc),
                 "Initiated": u.initiated_at, "StorageClass": u.template.storage_class,
                 "Owner": owner(bucket.account_id), "Initiator": owner(bucket.account_id)}
                for u in page.entries
            ],
            "CommonPrefixes": [{"Prefix": url_encode(p, enc)} for p in page.prefixes],
        }
        if delimiter:
            out["Delimiter"] = url_encode(delimiter, enc)
        if enc:
            out["EncodingType"] = enc
        if page.truncated:
            out["NextKeyMarker"] = url_encode(page.last_key, enc)
            if page.last_entry is not None:
                out["NextUploadIdMarker"] = page.last_entry.upload_id
        return out
