"""GetObjectAttributes: what HeadObject and ListParts would say about an object, in one call.

Only the attributes asked for (x-amz-object-attributes) are answered. The ETag comes without
its quotes, as AWS sends it here. A multipart object reports its part count; AWS lists the
parts themselves only for objects uploaded with additional checksums, and Nubes keeps no
per-part checksums of a completed upload, so (as AWS does for such objects) the list is
left out and ``MaxParts`` / ``PartNumberMarker`` have nothing to page.
"""

from __future__ import annotations

from typing import Any

from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.core import S3Core
from nubes.services.s3.models import ObjectVersion

ATTRIBUTES = frozenset({"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"})


def requested_attributes(names: list[str] | None) -> set[str]:
    """The attributes an x-amz-object-attributes header names, checked."""
    wanted = {name.strip() for name in names or [] if name.strip()}
    if not wanted:
        raise exc.InvalidArgument(
            "The x-amz-object-attributes header specifying the attributes to be retrieved "
            "is either missing or empty",
            fields={"ArgumentName": "x-amz-object-attributes", "ArgumentValue": ""},
        )
    unknown = sorted(wanted - ATTRIBUTES)
    if unknown:
        raise exc.InvalidArgument(
            "Invalid attribute name specified.",
            fields={"ArgumentName": "x-amz-object-attributes", "ArgumentValue": unknown[0]},
        )
    return wanted


def attributes_of(version: ObjectVersion, wanted: set[str]) -> dict[str, Any]:
    """The body members of a GetObjectAttributes answer for one version."""
    out: dict[str, Any] = {}
    if "ETag" in wanted:
        out["ETag"] = version.etag.strip('"')
    if "ObjectSize" in wanted:
        out["ObjectSize"] = version.size
    if "StorageClass" in wanted:
        out["StorageClass"] = version.storage_class
    if "Checksum" in wanted and version.checksums:
        checksum = {f"Checksum{name}": value for name, value in version.checksums.items()}
        out["Checksum"] = {**checksum, "ChecksumType": "FULL_OBJECT"}
    if "ObjectParts" in wanted and version.parts:
        out["ObjectParts"] = {"TotalPartsCount": len(version.parts)}
    return out


class AttributesOps(S3Core):
    def get_object_attributes(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        wanted = requested_attributes(params.get("ObjectAttributes"))
        version = self.read_version(bucket, params["Key"], params.get("VersionId"))
        return {
            "LastModified": version.modified,
            **self.version_id_out(bucket, version),
            **attributes_of(version, wanted),
        }
