"""Listing objects: ListObjects (v1), ListObjectsV2 and ListObjectVersions."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.core import S3Core, check_version_id, owner
from nubes.services.s3.models import Bucket, ObjectVersion
from nubes.services.s3.paging import (
    DEFAULT_MAX_KEYS,
    Page,
    paginate,
    start_after,
    url_encode,
)


def _max_keys(params: dict[str, Any]) -> int:
    value = params.get("MaxKeys")
    if value is None:
        return DEFAULT_MAX_KEYS
    if value < 0:
        raise exc.InvalidArgument(
            "Provided max-keys not an integer or within integer range",
            fields={"ArgumentName": "max-keys", "ArgumentValue": value},
        )
    return min(int(value), DEFAULT_MAX_KEYS)


def encode_token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8", "surrogatepass")).decode()


def decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode("utf-8", "surrogatepass")
    except (binascii.Error, ValueError) as error:
        raise exc.InvalidArgument(
            "The continuation token provided is incorrect",
            fields={"ArgumentName": "continuation-token"},
        ) from error


def _content(version: ObjectVersion, enc: str | None, with_owner: dict[str, str] | None
             ) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Key": url_encode(version.key, enc),
        "LastModified": version.modified,
        "ETag": version.etag,
        "Size": version.size,
        "StorageClass": version.storage_class,
    }
    if version.checksums:
        entry["ChecksumAlgorithm"] = list(version.checksums)
        entry["ChecksumType"] = "FULL_OBJECT"
    if with_owner is not None:
        entry["Owner"] = with_owner
    return entry


class ListingOps(S3Core):
    def _list(self, bucket: Bucket, params: dict[str, Any], start: str
              ) -> tuple[Page[ObjectVersion], int]:
        max_keys = _max_keys(params)
        scan = self.store.scan_live(bucket.name, min(max_keys + 1, DEFAULT_MAX_KEYS + 1))
        page = paginate(scan, lambda v: v.key, prefix=params.get("Prefix") or "",
                        delimiter=params.get("Delimiter") or None, start=start,
                        max_keys=max_keys)
        return page, max_keys

    def _common(self, bucket: Bucket, params: dict[str, Any], page: Page[ObjectVersion],
                max_keys: int) -> dict[str, Any]:
        enc = params.get("EncodingType")
        out: dict[str, Any] = {
            "Name": bucket.name,
            "Prefix": url_encode(params.get("Prefix") or "", enc),
            "MaxKeys": max_keys,
            "IsTruncated": page.truncated,
            "CommonPrefixes": [{"Prefix": url_encode(p, enc)} for p in page.prefixes],
        }
        if params.get("Delimiter"):
            out["Delimiter"] = url_encode(params["Delimiter"], enc)
        if enc:
            out["EncodingType"] = enc
        return out

    def list_objects(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        marker = params.get("Marker") or ""
        start = start_after(marker, params.get("Prefix") or "", params.get("Delimiter"))
        page, max_keys = self._list(bucket, params, start)
        enc = params.get("EncodingType")
        who = owner(bucket.account_id)
        out = self._common(bucket, params, page, max_keys)
        out["Marker"] = url_encode(marker, enc)
        out["Contents"] = [_content(v, enc, who) for v in page.entries]
        if page.truncated and params.get("Delimiter"):
            out["NextMarker"] = url_encode(page.last_key, enc)
        return out

    def list_objects_v2(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        token = params.get("ContinuationToken")
        after = params.get("StartAfter") or ""
        if token:
            start = decode_token(token)
        else:
            start = start_after(after, params.get("Prefix") or "", params.get("Delimiter"))
        page, max_keys = self._list(bucket, params, start)
        enc = params.get("EncodingType")
        who = owner(bucket.account_id) if params.get("FetchOwner") else None
        out = self._common(bucket, params, page, max_keys)
        out["Contents"] = [_content(v, enc, who) for v in page.entries]
        out["KeyCount"] = page.count
        if token:
            out["ContinuationToken"] = token
        if after:
            out["StartAfter"] = url_encode(after, enc)
        resume = page.resume_key()
        if page.truncated and resume is not None:
            out["NextContinuationToken"] = encode_token(resume)
        return out

    def list_object_versions(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or None
        key_marker = params.get("KeyMarker") or ""
        version_marker = params.get("VersionIdMarker") or ""
        start, after = start_after(key_marker, prefix, delimiter), None
        if version_marker:
            if not key_marker:
                raise exc.InvalidArgument(
                    "A version-id marker cannot be specified without a key marker.",
                    fields={"ArgumentName": "version-id-marker",
                            "ArgumentValue": version_marker},
                )
            check_version_id(version_marker)
            found = self.store.version(bucket.name, key_marker, version_marker)
            if found is not None:
                start, after = key_marker, (key_marker, found.row_id)
        max_keys = _max_keys(params)
        scan = self.store.scan_versions(bucket.name, min(max_keys + 1, DEFAULT_MAX_KEYS + 1),
                                        after_id=after)
        page = paginate(scan, lambda v: v.key, prefix=prefix, delimiter=delimiter,
                        start=start, max_keys=max_keys)
        return self._versions_out(bucket, params, page, max_keys)

    def _versions_out(self, bucket: Bucket, params: dict[str, Any],
                      page: Page[ObjectVersion], max_keys: int) -> dict[str, Any]:
        enc = params.get("EncodingType")
        who = owner(bucket.account_id)
        out = self._common(bucket, params, page, max_keys)
        out["KeyMarker"] = url_encode(params.get("KeyMarker") or "", enc)
        out["VersionIdMarker"] = params.get("VersionIdMarker") or ""
        out["Versions"] = [
            {**_content(v, enc, who), "VersionId": v.version_id, "IsLatest": v.is_latest}
            for v in page.entries if not v.delete_marker
        ]
        out["DeleteMarkers"] = [
            {"Owner": who, "Key": url_encode(v.key, enc), "VersionId": v.version_id,
             "IsLatest": v.is_latest, "LastModified": v.modified}
            for v in page.entries if v.delete_marker
        ]
        if page.truncated:
            out["NextKeyMarker"] = url_encode(page.last_key, enc)
            if page.last_entry is not None:
                out["NextVersionIdMarker"] = page.last_entry.version_id
        return out
