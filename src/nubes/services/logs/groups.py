"""Log group operations: create, describe, delete, retention, tags (both tag APIs)."""

from __future__ import annotations

from typing import Any

from nubes.errors import ServiceError
from nubes.services.base import RequestContext
from nubes.services.logs import exceptions as exc
from nubes.services.logs import paging
from nubes.services.logs.core import LogsCore, bounded, required
from nubes.services.logs.models import (
    check_group_name,
    check_log_class,
    check_retention,
    check_tags,
    group_name_from_arn,
)


def _identified_name(ctx: RequestContext, identifier: str) -> str:
    """A group name, or the name in a group ARN ('' for another account's or region's)."""
    if not identifier.startswith("arn:"):
        return identifier
    try:
        return group_name_from_arn(identifier, ctx.account_id, ctx.region)
    except ServiceError:
        return ""


class GroupOps(LogsCore):
    def create_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = required(params, "logGroupName")
        check_group_name(name)
        log_class = params.get("logGroupClass", "STANDARD")
        check_log_class(log_class)
        tags = params.get("tags") or {}
        check_tags(tags)
        self.store.create_group(ctx.account_id, ctx.region, name, log_class=log_class,
                                kms_key_id=params.get("kmsKeyId"), tags=tags)
        return {}

    def describe_log_groups(self, ctx: RequestContext, params: dict[str, Any]
                            ) -> dict[str, Any]:
        prefix, pattern = params.get("logGroupNamePrefix"), params.get("logGroupNamePattern")
        if prefix and pattern:
            raise exc.InvalidParameterException(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive "
                "parameters.")
        limit = bounded(params, "limit", 1, 50, 50)
        token = params.get("nextToken")
        after = str(paging.decode(token, [str])[0]) if token else None
        identifiers = params.get("logGroupIdentifiers")
        groups = self.store.list_groups(
            ctx.account_id, ctx.region, prefix=prefix, contains=pattern,
            log_class=params.get("logGroupClass"), after=after, limit=limit + 1,
            names=None if identifiers is None else [
                _identified_name(ctx, identifier) for identifier in identifiers])
        page = groups[:limit]
        out: dict[str, Any] = {"logGroups": [group.describe() for group in page]}
        if len(groups) > limit:
            out["nextToken"] = paging.encode([page[-1].name])
        return out

    def delete_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = required(params, "logGroupName")
        check_group_name(name)
        self.store.delete_group(ctx.account_id, ctx.region, name)
        return {}

    def put_retention_policy(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        days = int(required(params, "retentionInDays"))
        check_retention(days)
        group = self.group(ctx, required(params, "logGroupName"))
        self.store.set_retention(group, days)
        return {}

    def delete_retention_policy(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        group = self.group(ctx, required(params, "logGroupName"))
        self.store.set_retention(group, None)
        return {}

    # Tags: the resource-ARN API and the legacy log-group-name API ------------------------

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = group_name_from_arn(required(params, "resourceArn"), ctx.account_id, ctx.region)
        self._tag(ctx, name, required(params, "tags"))
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = group_name_from_arn(required(params, "resourceArn"), ctx.account_id, ctx.region)
        self._untag(ctx, name, required(params, "tagKeys"))
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]
                               ) -> dict[str, Any]:
        name = group_name_from_arn(required(params, "resourceArn"), ctx.account_id, ctx.region)
        return {"tags": self.group(ctx, name).tags}

    def tag_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._tag(ctx, required(params, "logGroupName"), required(params, "tags"))
        return {}

    def untag_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._untag(ctx, required(params, "logGroupName"), required(params, "tags"))
        return {}

    def list_tags_log_group(self, ctx: RequestContext, params: dict[str, Any]
                            ) -> dict[str, Any]:
        return {"tags": self.group(ctx, required(params, "logGroupName")).tags}

    def _tag(self, ctx: RequestContext, name: str, tags: dict[str, str]) -> None:
        self.store.update_tags(self.group(ctx, name), tags, (), check_tags)

    def _untag(self, ctx: RequestContext, name: str, keys: list[str]) -> None:
        self.store.update_tags(self.group(ctx, name), {}, keys, lambda add, current: None)
