"""Object Ownership, ACLs and the public access block, as S3 has them for new buckets.

The truth Nubes answers with: only the account that owns a bucket can reach the bucket or
its objects (there are no grants to other accounts, no bucket policies, no anonymous
access), and every object in a bucket was written by that account. So every ACL reads as
the owner holding FULL_CONTROL, and the only ACLs a request may set are those saying
exactly that: none, ``private``, ``bucket-owner-full-control``, or FULL_CONTROL granted
to the owner alone. Any other ACL is refused:

- with ACLs disabled (``BucketOwnerEnforced``, the default since 2023), as S3 refuses it:
  ``AccessControlListNotSupported`` (``InvalidBucketAclWithObjectOwnership`` on CreateBucket);
- with ACLs enabled (``ObjectWriter``, ``BucketOwnerPreferred``, or no ownership controls),
  with ``NotImplemented``: Nubes does not evaluate grants to others, so it does not store them.

Since the owner is the only writer, the three ownership settings give every object the same
owner; the setting decides which of those two refusals an ACL gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.core import S3Core, owner

ENFORCED = "BucketOwnerEnforced"
OWNERSHIPS = frozenset({ENFORCED, "BucketOwnerPreferred", "ObjectWriter"})
CANNED_ACLS = frozenset({
    "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
    "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write",
})
OWNER_ONLY_CANNED = frozenset({"private", "bucket-owner-full-control"})
GRANT_MEMBERS = ("GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP")
PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                       "RestrictPublicBuckets")
_NOT_EVALUATED = (
    "Nubes does not evaluate ACL grants: only the bucket owner can reach a bucket and its "
    "objects, so the only ACLs accepted are those granting the owner full control "
    "(private, bucket-owner-full-control)."
)
_NOT_PUBLIC = (
    "Nubes serves no public access, so every bucket blocks public ACLs and policies; the "
    "public access block cannot be turned off."
)


def owner_acl(account_id: str) -> dict[str, Any]:
    """The AccessControlPolicy every bucket and object has: the owner, FULL_CONTROL."""
    who = owner(account_id)
    grantee = {**who, "Type": "CanonicalUser"}
    return {"Owner": who, "Grants": [{"Grantee": grantee, "Permission": "FULL_CONTROL"}]}


def _grant_ids(header: str) -> list[tuple[str, str]]:
    """The grantees of an x-amz-grant-* header: ``id="…", uri="…"`` as (kind, value)."""
    grantees = []
    for item in header.split(","):
        kind, _, value = item.strip().partition("=")
        grantees.append((kind.strip().lower(), value.strip().strip('"')))
    return grantees


def _headers_owner_only(params: Mapping[str, Any], canonical_id: str) -> bool:
    if any(params.get(m) for m in GRANT_MEMBERS if m != "GrantFullControl"):
        return False
    grantees = _grant_ids(params["GrantFullControl"])
    return all(grantee == ("id", canonical_id) for grantee in grantees)


def _policy_owner_only(policy: Mapping[str, Any], canonical_id: str) -> bool:
    stated_owner = (policy.get("Owner") or {}).get("ID")
    if stated_owner not in (None, canonical_id):
        return False
    grants = policy.get("Grants") or []
    return bool(grants) and all(
        grant.get("Permission") == "FULL_CONTROL"
        and (grant.get("Grantee") or {}).get("Type") == "CanonicalUser"
        and (grant.get("Grantee") or {}).get("ID") == canonical_id
        for grant in grants
    )


def acl_owner_only(params: Mapping[str, Any], account_id: str) -> bool | None:
    """Whether the ACL a request sets grants the owner full control and nothing else;
    None when it sets no ACL. Malformed requests raise S3's error."""
    canned = params.get("ACL")
    grants = any(params.get(m) for m in GRANT_MEMBERS)
    policy = params.get("AccessControlPolicy")
    if canned is not None and canned not in CANNED_ACLS:
        raise exc.InvalidArgument(fields={"ArgumentName": "x-amz-acl", "ArgumentValue": canned})
    if canned is not None and grants:
        raise exc.InvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
    canonical_id = owner(account_id)["ID"]
    if canned is not None:
        return canned in OWNER_ONLY_CANNED
    if grants:
        return _headers_owner_only(params, canonical_id)
    if policy:
        return _policy_owner_only(policy, canonical_id)
    return None


def check_acl(params: Mapping[str, Any], account_id: str, ownership: str) -> None:
    """Refuse an ACL that grants anything beyond the owner's full control."""
    if acl_owner_only(params, account_id) is False:
        if ownership == ENFORCED:
            raise exc.AccessControlListNotSupported()
        raise exc.NotImplementedFeature(_NOT_EVALUATED)


def ownership_for_new_bucket(params: Mapping[str, Any], account_id: str) -> str:
    """The Object Ownership a CreateBucket asks for, its ACL checked against it."""
    ownership = params.get("ObjectOwnership") or ENFORCED
    if ownership not in OWNERSHIPS:
        raise exc.InvalidArgument(
            f"Invalid x-amz-object-ownership header: {ownership}",
            fields={"ArgumentName": "x-amz-object-ownership", "ArgumentValue": ownership},
        )
    if acl_owner_only(params, account_id) is False:
        if ownership == ENFORCED:
            raise exc.InvalidBucketAclWithObjectOwnership()
        raise exc.NotImplementedFeature(_NOT_EVALUATED)
    return ownership


def _ownership_rule(config: Mapping[str, Any]) -> str:
    rules = config.get("Rules") or []
    if len(rules) != 1 or rules[0].get("ObjectOwnership") not in OWNERSHIPS:
        raise exc.MalformedXML()
    return str(rules[0]["ObjectOwnership"])


class AclOps(S3Core):
    """ACLs, Object Ownership and the public access block of buckets and objects."""

    def check_write_acl(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        """Refuse the x-amz-acl / x-amz-grant-* of a write the bucket cannot honour."""
        if params.get("ACL") is None and not any(params.get(m) for m in GRANT_MEMBERS):
            return  # the common case: no ACL, no query
        bucket = self.bucket(ctx, params)
        check_acl(params, bucket.account_id, self.store.get_ownership(bucket.name))

    def get_bucket_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        return owner_acl(bucket.account_id)

    def put_bucket_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        if acl_owner_only(params, bucket.account_id) is None:
            raise exc.MissingSecurityHeader(fields={"MissingHeaderName": "x-amz-acl"})
        check_acl(params, bucket.account_id, self.store.get_ownership(bucket.name))
        return {}

    def get_object_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        self.read_version(bucket, params["Key"], params.get("VersionId"))
        return owner_acl(bucket.account_id)

    def put_object_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        if acl_owner_only(params, bucket.account_id) is None:
            raise exc.MissingSecurityHeader(fields={"MissingHeaderName": "x-amz-acl"})
        check_acl(params, bucket.account_id, self.store.get_ownership(bucket.name))
        self.read_version(bucket, params["Key"], params.get("VersionId"))
        return {}

    # -- Object Ownership ---------------------------------------------------------------

    def get_bucket_ownership_controls(self, ctx: RequestContext, params: dict[str, Any]
                                      ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        ownership = self.store.get_ownership(bucket.name)
        if not ownership:
            raise exc.OwnershipControlsNotFound(fields={"BucketName": bucket.name})
        return {"OwnershipControls": {"Rules": [{"ObjectOwnership": ownership}]}}

    def put_bucket_ownership_controls(self, ctx: RequestContext, params: dict[str, Any]
                                      ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        ownership = _ownership_rule(params.get("OwnershipControls") or {})
        # No stored ACL can grant others anything, so enforcing is always allowed.
        self.store.set_ownership(bucket.name, ownership)
        return {}

    def delete_bucket_ownership_controls(self, ctx: RequestContext, params: dict[str, Any]
                                         ) -> dict[str, Any]:
        bucket = self.bucket(ctx, params)
        self.store.set_ownership(bucket.name, "")
        ctx.status = 204
        return {}

    # -- public access block ------------------------------------------------------------

    def get_public_access_block(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        self.bucket(ctx, params)
        return {"PublicAccessBlockConfiguration": dict.fromkeys(PUBLIC_ACCESS_FLAGS, True)}

    def put_public_access_block(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        self.bucket(ctx, params)
        config = params.get("PublicAccessBlockConfiguration") or {}
        if not all(config.get(flag) is True for flag in PUBLIC_ACCESS_FLAGS):
            raise exc.NotImplementedFeature(_NOT_PUBLIC)
        return {}
