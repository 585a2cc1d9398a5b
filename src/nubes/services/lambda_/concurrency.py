"""Reserved concurrency per function, the account's settings and usage, and tags."""

from __future__ import annotations

from typing import Any

from nubes.services.base import RequestContext
from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.arns import parse_resource_arn
from nubes.services.lambda_.core import LambdaCore
from nubes.services.lambda_.models import (
    MAX_UNZIPPED,
    MAX_ZIP_DIRECT,
    MIN_UNRESERVED,
    TOTAL_CODE_SIZE,
)


class ConcurrencyOps(LambdaCore):
    def put_function_concurrency(self, ctx: RequestContext, params: dict[str, Any]
                                 ) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        self.latest(ref)
        wanted = params["ReservedConcurrentExecutions"]
        if wanted < 0:
            raise exc.Validation(wanted, "reservedConcurrentExecutions",
                                 "Member must have value greater than or equal to 0")
        others = self.store.reserved_total(ref.account_id, ref.region, excluding=ref.name)
        if self.options.account_concurrency - others - wanted < MIN_UNRESERVED:
            raise exc.InvalidParameterValue(
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}].")
        self.store.set_reserved(ref.account_id, ref.region, ref.name, wanted)
        return {"ReservedConcurrentExecutions": wanted}

    def get_function_concurrency(self, ctx: RequestContext, params: dict[str, Any]
                                 ) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        self.latest(ref)
        row = self.store.function(ref.account_id, ref.region, ref.name)
        if row is None or row.reserved is None:
            return {}
        return {"ReservedConcurrentExecutions": row.reserved}

    def delete_function_concurrency(self, ctx: RequestContext, params: dict[str, Any]
                                    ) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        self.latest(ref)
        self.store.set_reserved(ref.account_id, ref.region, ref.name, None)
        ctx.status = 204
        return {}

    def get_account_settings(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        count, size = self.store.usage(ctx.account_id, ctx.region)
        size += self.layers.total_size(ctx.account_id, ctx.region)
        limit = self.options.account_concurrency
        reserved = self.store.reserved_total(ctx.account_id, ctx.region)
        return {
            "AccountLimit": {
                "TotalCodeSize": TOTAL_CODE_SIZE, "CodeSizeUnzipped": MAX_UNZIPPED,
                "CodeSizeZipped": MAX_ZIP_DIRECT, "ConcurrentExecutions": limit,
                "UnreservedConcurrentExecutions": limit - reserved,
            },
            "AccountUsage": {"TotalCodeSize": size, "FunctionCount": count},
        }

    # -- tags (they belong to the function, whichever qualifier an ARN carries) ---------

    def _tagged(self, params: dict[str, Any]) -> tuple[str, str, str, dict[str, str]]:
        ref = parse_resource_arn(params["Resource"])
        row = self.store.function(ref.account_id, ref.region, ref.name)
        if row is None:
            raise exc.function_not_found(ref.arn)
        return ref.account_id, ref.region, ref.name, row.tags

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account, region, name, tags = self._tagged(params)
        self.store.set_tags(account, region, name, {**tags, **(params.get("Tags") or {})})
        ctx.status = 204
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account, region, name, tags = self._tagged(params)
        removed = set(params.get("TagKeys") or [])
        self.store.set_tags(account, region, name,
                            {k: v for k, v in tags.items() if k not in removed})
        ctx.status = 204
        return {}

    def list_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"Tags": self._tagged(params)[3]}
