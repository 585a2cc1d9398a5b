"""ACLs, Object Ownership and the public access block, as boto3 sees them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

NOT_SUPPORTED = ("AccessControlListNotSupported", 400)


def error_of(call: Callable[[], Any]) -> tuple[str, int]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def new_name() -> str:
    return f"acl-{uuid.uuid4().hex[:16]}"


def only_owner_full_control(acl: dict[str, Any], owner_id: str) -> None:
    assert acl["Owner"]["ID"] == owner_id
    assert len(acl["Grants"]) == 1
    grant = acl["Grants"][0]
    assert grant["Permission"] == "FULL_CONTROL"
    assert grant["Grantee"]["Type"] == "CanonicalUser"
    assert grant["Grantee"]["ID"] == owner_id


def test_acls_read_as_the_owner_with_full_control(s3: Any, bucket: str) -> None:
    owner_id = s3.list_buckets()["Owner"]["ID"]
    only_owner_full_control(s3.get_bucket_acl(Bucket=bucket), owner_id)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    only_owner_full_control(s3.get_object_acl(Bucket=bucket, Key="k"), owner_id)
    assert error_of(lambda: s3.get_object_acl(Bucket=bucket, Key="nope")) == ("NoSuchKey", 404)


def test_bucket_acls_that_grant_only_the_owner_are_accepted(s3: Any, bucket: str) -> None:
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_bucket_acl(Bucket=bucket, ACL="bucket-owner-full-control")
    acl = s3.get_bucket_acl(Bucket=bucket)
    policy = {"Owner": acl["Owner"], "Grants": acl["Grants"]}
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy)
    owner_id = acl["Owner"]["ID"]
    s3.put_bucket_acl(Bucket=bucket, GrantFullControl=f'id="{owner_id}"')


def test_other_bucket_acls_are_refused_with_acls_disabled(s3: Any, bucket: str) -> None:
    assert error_of(lambda: s3.put_bucket_acl(Bucket=bucket, ACL="public-read")) == NOT_SUPPORTED
    assert error_of(lambda: s3.put_bucket_acl(
        Bucket=bucket, GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"'
    )) == NOT_SUPPORTED
    with pytest.raises(ClientError) as info:
        s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    assert info.value.response["Error"]["Message"] == "The bucket does not allow ACLs"


def test_object_acls(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="private")
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="private")
    assert error_of(lambda: s3.put_object_acl(Bucket=bucket, Key="k", ACL="public-read")
                    ) == NOT_SUPPORTED
    assert error_of(lambda: s3.put_object_acl(Bucket=bucket, Key="gone", ACL="private")
                    ) == ("NoSuchKey", 404)


def test_writes_with_acls_beyond_the_owner_are_refused(s3: Any, bucket: str) -> None:
    put = lambda: s3.put_object(Bucket=bucket, Key="p", Body=b"x",  # noqa: E731
                                ACL="public-read")
    assert error_of(put) == NOT_SUPPORTED
    assert error_of(lambda: s3.head_object(Bucket=bucket, Key="p")) == ("404", 404)
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    assert error_of(lambda: s3.copy_object(
        Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "src"},
        ACL="public-read-write")) == NOT_SUPPORTED
    assert error_of(lambda: s3.create_multipart_upload(
        Bucket=bucket, Key="m", GrantRead='id="someone-else"')) == NOT_SUPPORTED
    assert error_of(lambda: s3.put_object(Bucket=bucket, Key="p", Body=b"x", ACL="nonsense")
                    ) == ("InvalidArgument", 400)


def test_create_bucket_with_acls(s3: Any) -> None:
    name = new_name()
    assert error_of(lambda: s3.create_bucket(Bucket=name, ACL="public-read")) == (
        "InvalidBucketAclWithObjectOwnership", 400)
    assert error_of(lambda: s3.head_bucket(Bucket=name)) == ("404", 404)
    s3.create_bucket(Bucket=name, ACL="private")
    controls = s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]
    assert controls["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    other = new_name()
    assert error_of(lambda: s3.create_bucket(
        Bucket=other, ACL="public-read", ObjectOwnership="ObjectWriter")) == (
        "NotImplemented", 501)


def test_ownership_controls(s3: Any) -> None:
    name = new_name()
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    rules = s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]
    # ACLs enabled: owner-only ACLs work, others are refused as not implemented.
    s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="private")
    assert error_of(lambda: s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="public-read")
                    ) == ("NotImplemented", 501)
    s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert error_of(lambda: s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="public-read")
                    ) == NOT_SUPPORTED
    s3.delete_bucket_ownership_controls(Bucket=name)
    assert error_of(lambda: s3.get_bucket_ownership_controls(Bucket=name)) == (
        "OwnershipControlsNotFoundError", 404)
    assert error_of(lambda: s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "Nobody"}]})) == (
        "MalformedXML", 400)


def test_public_access_is_always_blocked(s3: Any, bucket: str) -> None:
    config = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert config == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                      "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=config)
    off = {**config, "BlockPublicPolicy": False}
    assert error_of(lambda: s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration=off)) == ("NotImplemented", 501)


def test_acls_of_other_accounts_buckets(s3: Any, other_s3: Any, bucket: str) -> None:
    assert error_of(lambda: other_s3.get_bucket_acl(Bucket=bucket)) == ("AccessDenied", 403)
    assert error_of(lambda: other_s3.get_public_access_block(Bucket=bucket)) == (
        "AccessDenied", 403)
    assert error_of(lambda: s3.get_bucket_acl(Bucket=new_name())) == ("NoSuchBucket", 404)
