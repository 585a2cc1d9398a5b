"""The bucket configurations Nubes does not offer read as AWS reads a bucket without them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

ABSENT = [
    ("get_bucket_policy", "NoSuchBucketPolicy"),
    ("get_bucket_policy_status", "NoSuchBucketPolicy"),
    ("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration"),
    ("get_bucket_website", "NoSuchWebsiteConfiguration"),
    ("get_bucket_replication", "ReplicationConfigurationNotFoundError"),
    ("get_object_lock_configuration", "ObjectLockConfigurationNotFoundError"),
    ("get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError"),
]
EMPTY = ["get_bucket_logging", "get_bucket_accelerate_configuration"]


def error_of(call: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize(("method", "code"), ABSENT)
def test_absent_configurations(s3: Any, other_s3: Any, bucket: str, method: str,
                               code: str) -> None:
    assert error_of(lambda: getattr(s3, method)(Bucket=bucket)) == (code, 404)
    assert error_of(lambda: getattr(other_s3, method)(Bucket=bucket)) == ("AccessDenied", 403)
    missing = f"none-{uuid.uuid4().hex[:12]}"
    assert error_of(lambda: getattr(s3, method)(Bucket=missing)) == ("NoSuchBucket", 404)


@pytest.mark.parametrize("method", EMPTY)
def test_empty_configurations(s3: Any, other_s3: Any, bucket: str, method: str) -> None:
    out = getattr(s3, method)(Bucket=bucket)
    assert set(out) <= {"ResponseMetadata"}
    assert error_of(lambda: getattr(other_s3, method)(Bucket=bucket)) == ("AccessDenied", 403)


def test_request_payment(s3: Any, other_s3: Any, bucket: str) -> None:
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    assert error_of(lambda: other_s3.get_bucket_request_payment(Bucket=bucket)) == (
        "AccessDenied", 403)


def test_puts_of_unoffered_configurations_are_not_implemented(s3: Any, bucket: str) -> None:
    assert error_of(lambda: s3.put_bucket_policy(Bucket=bucket, Policy="{}")) == (
        "NotImplemented", 501)
    assert error_of(lambda: s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})) == (
        "NotImplemented", 501)
