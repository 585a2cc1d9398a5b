"""The S3 provider: the operation groups assembled into one class for the edge.

Each group lives in its own module (buckets, objects, copy, multipart, listing, acl,
attributes, defaults, post) and shares the state of ``core.S3Core``. The writes that can
carry an ACL (PutObject, CopyObject, CreateMultipartUpload) have it checked here, before
anything is read or written. Construct with the metadata ``Database`` and a ``BlobStore``
that belongs to S3 alone: at start-up, blobs no metadata row references are orphans of a
crash between blob rename and commit, and are deleted. With an ``EventBus``, bucket
notifications are published on it (``notifications.py``).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from nubes.events.bus import EventBus
from nubes.services.base import Provider, RequestContext
from nubes.services.s3.acl import AclOps
from nubes.services.s3.attributes import AttributesOps
from nubes.services.s3.buckets import BucketOps
from nubes.services.s3.core import S3Core
from nubes.services.s3.defaults import DefaultsOps
from nubes.services.s3.listing import ListingOps
from nubes.services.s3.multipart import MultipartOps
from nubes.services.s3.notifications import Notifier
from nubes.services.s3.objects import ObjectOps
from nubes.services.s3.post import PostOps
from nubes.services.s3.store import S3Store
from nubes.services.s3.upload_store import UploadStore
from nubes.storage.blobs import BlobStore
from nubes.storage.sqlite import Database

log = logging.getLogger(__name__)


class S3Provider(BucketOps, PostOps, ObjectOps, MultipartOps, ListingOps, AclOps,
                 AttributesOps, DefaultsOps, Provider):
    service_name: ClassVar[str] = "s3"

    def __init__(self, db: Database, blobs: BlobStore, bus: EventBus | None = None) -> None:
        Provider.__init__(self)
        notifier = Notifier(bus) if bus is not None else None
        S3Core.__init__(self, S3Store(db), UploadStore(db), blobs, notifier)
        removed = self.collect_orphans()
        if removed:
            log.info("s3: removed %d orphan blobs", removed)

    async def put_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self.check_write_acl(ctx, params)
        return await super().put_object(ctx, params)

    async def copy_object(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        self.check_write_acl(ctx, params)
        return await super().copy_object(ctx, params)

    def create_multipart_upload(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        self.check_write_acl(ctx, params)
        return super().create_multipart_upload(ctx, params)

    def cors_rules(self, bucket: str) -> list[dict[str, Any]] | None:
        """The CORS rules of a bucket (of any account: browsers send no credentials)."""
        rules: list[dict[str, Any]] | None = self.store.get_config(bucket, "cors")
        return rules

    def collect_orphans(self) -> int:
        """Delete blobs no object version or part references; returns how many.

        Only safe while no write is in flight (at start-up)."""
        referenced = self.store.referenced_blobs()
        orphans = [blob_id for blob_id in self.blobs.ids() if blob_id not in referenced]
        self.blobs.delete_many(orphans)
        return len(orphans)
