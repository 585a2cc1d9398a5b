"""Bucket operations: create, delete, list, head, location, and the configurations a bucket
carries (versioning, tags, CORS, event notifications)."""

from __future__ import annotations

import base64
import time
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.acl import ownership_for_new_bucket
from nubes.services.s3.configs import (
    MAX_BUCKET_TAGS,
    dict_to_tag_set,
    parse_versioning,
    tag_set_to_dict,
    validate_cors,
    validate_notification,
)
from nubes.services.s3.core import S3Core, owner, timestamp
from nubes.services.s3.models import Bucket, is_region_name, validate_bucket_name

LEGACY_REGION = "us-east-1"


def location_region(ctx: RequestContext, config: dict[str, Any]) -> str:
    """The region a CreateBucket asks for, refused as S3 refuses it.

    us-east-1 (the legacy global endpoint) takes no constraint, or any other region's;
    every other region takes only its own name.
    """
    constraint = config.get("LocationConstraint") or ""
    if constraint == "EU":
        constraint = "eu-west-1"
    if not constraint:
        if ctx.region != LEGACY_REGION:
            raise exc.IllegalLocationConstraintException()
        return LEGACY_REGION
    if not is_region_name(constraint) or constraint == LEGACY_REGION:
        raise exc.InvalidLocationConstraint(fields={"LocationConstraint": constraint})
    if ctx.region not in (LEGACY_REGION, constraint):
        raise exc.IllegalLocationConstraintException(
            f"The {constraint} location constraint is incompatible for the region specific "
            "endpoint this request was sent to."
        )
    return constraint


class BucketOps(S3Core):
    def create_bucket(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Bucket"]
        validate_bucket_name(name)
        region = location_region(ctx, params.get("CreateBucketConfiguration") or {})
        ownership = ownership_for_new_bucket(params, ctx.account_id)
        bucket = Bucket(name, ctx.account_id, region, round(time.time(), 3))
        existing = self.store.create_bucket(bucket, ownership)
        if existing is not bucket:
            if existing.account_id != ctx.account_id:
                raise exc.BucketAlreadyExists(fields={"BucketName": name})
            if ctx.region != LEGACY_REGION or existing.region != LEGACY_REGION:
                raise exc.BucketAlreadyOwnedByYou(fields={"BucketName": name})
            # us-east-1 answers 200 to re-creating your own bucket, for legacy reasons.
        self._buckets[name] = existing
        location = f"/{name}" if region == LEGACY_REGION else f"{ctx.endpoint}/{name}/"
        return {"Location": location, "BucketArn": f"arn:aws:s3:::{name}"}

    def delete_bucket(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        garbage = self.store.delete_bucket(bucket.name)
        self.forget_bucket(bucket.name)
        self.collect(garbage)
        ctx.status = 204
        return {}

    def list_buckets(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        prefix, region = params.get("Prefix") or "", params.get("BucketRegion")
        after = params.get("ContinuationToken")
        start = base64.urlsafe_b64decode(after).decode() if after else ""
        buckets = [
            b for b in self.store.list_buckets(ctx.account_id)
            if b.name.startswith(prefix) and (region is None or b.region == region)
            and b.name > start
        ]
        limit = params.get("MaxBuckets")
        out: dict[str, Any] = {"Owner": owner(ctx.account_id)}
        if limit is not None and len(buckets) > limit:
            buckets = buckets[:limit]
            out["ContinuationToken"] = base64.urlsafe_b64encode(
                buckets[-1].name.encode()).decode()
        out["Buckets"] = [
            {"Name": b.name, "CreationDate": timestamp(b.created), "BucketRegion": b.region}
            for b in buckets
        ]
        if prefix:
            out["Prefix"] = prefix
        return out

    def head_bucket(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        return {"BucketRegion": bucket.region, "AccessPointAlias": False,
                "BucketArn": f"arn:aws:s3:::{bucket.name}"}

    def get_bucket_location(self, ctx: RequestContext, params: dict[str, Any]
                            ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        # us-east-1 is the empty (null) location constraint.
        return {"LocationConstraint": None if bucket.region == LEGACY_REGION else bucket.region}

    # -- versioning ---------------------------------------------------------------------

    def put_bucket_versioning(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        state = parse_versioning(params.get("VersioningConfiguration") or {})
        if state is not None:
            self.store.set_versioning(bucket.name, state)
            bucket.versioning = state
        return {}

    def get_bucket_versioning(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        fresh = self.store.get_bucket(bucket.name)
        if fresh is None:
            raise exc.NoSuchBucket(fields={"BucketName": bucket.name})
        bucket.versioning = fresh.versioning
        return {"Status": fresh.versioning.value} if fresh.versioning.value else {}

    # -- tags, CORS, notifications ------------------------------------------------------

    def put_bucket_tagging(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        tag_set = (params.get("Tagging") or {}).get("TagSet") or []
        self.store.set_config(bucket.name, "tags",
                              tag_set_to_dict(tag_set, limit=MAX_BUCKET_TAGS))
        ctx.status = 204
        return {}

    def get_bucket_tagging(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        tags = self.store.get_config(bucket.name, "tags")
        if tags is None:
            raise exc.NoSuchTagSet(fields={"BucketName": bucket.name})
        return {"TagSet": dict_to_tag_set(tags)}

    def delete_bucket_tagging(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        self.store.set_config(bucket.name, "tags", None)
        ctx.status = 204
        return {}

    def put_bucket_cors(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        rules = validate_cors(params.get("CORSConfiguration") or {})
        self.store.set_config(bucket.name, "cors", rules)
        return {}

    def get_bucket_cors(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        rules = self.store.get_config(bucket.name, "cors")
        if rules is None:
            raise exc.NoSuchCORSConfiguration(fields={"BucketName": bucket.name})
        return {"CORSRules": rules}

    def delete_bucket_cors(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        self.store.set_config(bucket.name, "cors", None)
        ctx.status = 204
        return {}

    def put_bucket_notification_configuration(self, ctx: RequestContext,
                                              params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        config = validate_notification(params.get("NotificationConfiguration") or {})
        if self.notifier is not None and not params.get("SkipDestinationValidation"):
            self.notifier.check(bucket, config)
        self.store.set_config(bucket.name, "notification", config or None)
        if self.notifier is not None:
            self.notifier.test_events(ctx, bucket, config)
        return {}

    def get_bucket_notification_configuration(self, ctx: RequestContext,
                                              params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        config: dict[str, Any] = self.store.get_config(bucket.name, "notification") or {}
        return config

    def bucket_notification(self, name: str) -> dict[str, Any]:
        """The stored notification configuration of a bucket (for event delivery)."""
        config: dict[str, Any] = self.store.get_config(name, "notification") or {}
        return config
