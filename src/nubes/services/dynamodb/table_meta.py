"""Per-table settings beside the schema: Time to Live and tags; and the account-wide
DescribeLimits and DescribeEndpoints."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlsplit

from nubes.services.base import RequestContext
from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.core import DynamoCore, required
from nubes.services.dynamodb.schema import Table

MAX_TAGS = 50
ENDPOINT_CACHE_MINUTES = 1440


class TableMetaOps(DynamoCore):
    # -- Time to Live -------------------------------------------------------------------

    def update_time_to_live(self, ctx: RequestContext, params: dict[str, Any]
                            ) -> dict[str, Any]:
        table = self.described_table(ctx, params)
        spec = required(params, "TimeToLiveSpecification")
        enabled, attribute = bool(spec.get("Enabled")), required(spec, "AttributeName")
        current = table.ttl_attribute
        if enabled and current is not None:
            raise exc.ValidationException("TimeToLive is already enabled")
        if not enabled and current is None:
            raise exc.ValidationException("TimeToLive is already disabled")
        if not enabled and current != attribute:
            raise exc.ValidationException(
                "TimeToLive is active on a different AttributeName: current AttributeName is "
                f"{current}")
        self.remember(self.store.set_ttl(table, attribute if enabled else None))
        return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}

    def describe_time_to_live(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        table = self.described_table(ctx, params)
        if table.ttl_attribute is None:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED",
                                          "AttributeName": table.ttl_attribute}}

    # -- tags ---------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> Table:
        prefix = f"arn:aws:dynamodb:{ctx.region}:{ctx.account_id}:table/"
        if not arn.startswith("arn:aws:dynamodb:") or ":table/" not in arn:
            raise exc.ValidationException(
                f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
        name = arn.split(":table/", 1)[1].split("/", 1)[0]
        table = self.find_table(ctx, name) if arn.startswith(prefix) else None
        if table is None:
            raise exc.ResourceNotFoundException(
                f"Requested resource not found: ResourcArn: {arn} not found")
        return table

    def _save_tags(self, table: Table, tags: list[dict[str, str]]) -> None:
        changed = dataclasses.replace(table, extra={**table.extra, "Tags": tags})
        self.remember(self.store.save_table(changed))

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table = self._tagged(ctx, required(params, "ResourceArn"))
        tags = {tag["Key"]: tag["Value"] for tag in table.extra.get("Tags") or ()}
        for tag in required(params, "Tags"):
            tags[tag["Key"]] = tag["Value"]
        if len(tags) > MAX_TAGS:
            raise exc.LimitExceededException(
                "One or more parameter values were invalid: The number of tags on the table "
                f"exceeds the limit of {MAX_TAGS}")
        self._save_tags(table, [{"Key": key, "Value": value} for key, value in tags.items()])
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table = self._tagged(ctx, required(params, "ResourceArn"))
        gone = set(required(params, "TagKeys"))
        kept = [tag for tag in table.extra.get("Tags") or () if tag["Key"] not in gone]
        self._save_tags(table, kept)
        return {}

    def list_tags_of_resource(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        table = self._tagged(ctx, required(params, "ResourceArn"))
        return {"Tags": list(table.extra.get("Tags") or ())}

    # -- account ------------------------------------------------------------------------

    def describe_limits(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
                "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}

    def describe_endpoints(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        address = urlsplit(ctx.endpoint).netloc or ctx.endpoint
        return {"Endpoints": [{"Address": address,
                               "CachePeriodInMinutes": ENDPOINT_CACHE_MINUTES}]}
