"""Bucket configurations Nubes does not offer, read as AWS reads a bucket that has none.

Tools (the AWS CLI, Terraform, CDK, SDK helpers) read these to learn a bucket's state. The
answers are true: Nubes has no bucket policies, lifecycle rules, website hosting,
replication, object lock, server access logging or transfer acceleration, so none is
configured; the bucket owner pays; and Nubes does not encrypt objects at rest, so there is
no default encryption configuration (AWS has applied SSE-S3 to new buckets since 2023:
this is a documented departure). The matching Put operations are not implemented: they
would store configuration Nubes does not act on.
"""

from __future__ import annotations

from typing import Any

from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.core import S3Core


class DefaultsOps(S3Core):
    def get_bucket_policy(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        raise exc.NoSuchBucketPolicy(fields={"BucketName": bucket.name})

    def get_bucket_policy_status(self, ctx: RequestContext, params: dict[str, Any]
                                 ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        raise exc.NoSuchBucketPolicy(fields={"BucketName": bucket.name})

    def get_bucket_lifecycle_configuration(self, ctx: RequestContext, params: dict[str, Any]
                                           ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        raise exc.NoSuchLifecycleConfiguration(fields={"BucketName": bucket.name})

    def get_bucket_website(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        raise exc.NoSuchWebsiteConfiguration(fields={"BucketName": bucket.name})

    def get_bucket_replication(self, ctx: RequestContext, params: dict[str, Any]
                               ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        raise exc.ReplicationConfigurationNotFound(fields={"BucketName": bucket.name})

    def get_object_lock_configuration(self, ctx: RequestContext, params: dict[str, Any]
                                      ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        raise exc.ObjectLockConfigurationNotFound(fields={"BucketName": bucket.name})

    def get_bucket_encryption(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        raise exc.ServerSideEncryptionConfigurationNotFound(fields={"BucketName": bucket.name})

    def get_bucket_logging(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        self.bucket(ctx, params)
        return {}  # an empty BucketLoggingStatus: logging is off

    def get_bucket_accelerate_configuration(self, ctx: RequestContext, params: dict[str, Any]
                                            ) -> dict[str, Any]:
        self.bucket(ctx, params)
        return {}  # no Status: acceleration was never configured

    def get_bucket_request_payment(self, ctx: RequestContext, params: dict[str, Any]
                                   ) -> dict[str, Any]:
        self.bucket(ctx, params)
        return {"Payer": "BucketOwner"}
