"""Published versions and aliases (with weighted routing between two versions)."""

from __future__ import annotations

import time
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.arns import ALIAS_NAME, LATEST, FunctionRef
from nubes.services.lambda_.core import LambdaCore
from nubes.services.lambda_.models import (
    Alias,
    State,
    UpdateStatus,
    alias_output,
    code_sha_b64,
    configuration,
    new_revision,
)

MAX_ITEMS = 50


class VersionOps(LambdaCore):
    def publish_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        latest = self.latest(ref)
        if params.get("RevisionId") and params["RevisionId"] != latest.revision_id:
            raise exc.PreconditionFailed(exc.REVISION_MISMATCH)
        sha = params.get("CodeSha256")
        if sha and sha != code_sha_b64(latest.code_sha):
            raise exc.InvalidParameterValue(
                f"CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST "
                f"({code_sha_b64(latest.code_sha)}). Please try again with the CodeSHA256 "
                "in $LATEST.")
        if latest.state is State.PENDING or latest.update_status is UpdateStatus.IN_PROGRESS:
            raise exc.update_in_progress(latest.arn)
        fv = self.store.publish(latest, params.get("Description") or "", time.time())
        ctx.status = 201
        return configuration(fv, self.layer_sizes(fv), qualified=True)

    def list_versions_by_function(self, ctx: RequestContext, params: dict[str, Any]
                                  ) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        self.latest(ref)
        versions = self.store.versions(ref.account_id, ref.region, ref.name)
        page, marker = _page(versions, params, lambda fv: fv.version)
        out: dict[str, Any] = {"Versions": [
            configuration(fv, self.layer_sizes(fv), qualified=True) for fv in page]}
        if marker:
            out["NextMarker"] = marker
        return out

    # -- aliases ------------------------------------------------------------------------

    def _alias(self, ref: FunctionRef, name: str) -> Alias:
        self.latest(ref)
        alias = self.alias_of(ref, name)
        if alias is None:
            arn = FunctionRef(ref.account_id, ref.region, ref.name, name).qualified_arn
            raise exc.ResourceNotFound(f"Cannot find alias arn: {arn}")
        return alias

    def _check_target(self, ref: FunctionRef, version: str, weights: dict[str, float]) -> None:
        for target in (version, *weights):
            if target != LATEST and self.store.version(ref.account_id, ref.region, ref.name,
                                                       target) is None:
                raise exc.ResourceNotFound(f"Function not found: {ref.arn}:{target}")
        if len(weights) > 1:
            raise exc.InvalidParameterValue("Number of items in AdditionalVersionWeights "
                                            "cannot be greater than 1")
        for target, weight in weights.items():
            if not 0.0 <= weight <= 1.0:
                raise exc.Validation(weight, "routingConfig.additionalVersionWeights",
                                     "Member must have value less than or equal to 1.0")
            if target == version:
                raise exc.InvalidParameterValue(
                    f"Invalid function version {target}. Function version {target} is "
                    "already included in routing configuration.")
            if LATEST in (target, version):
                raise exc.InvalidParameterValue(
                    "$LATEST is not supported for an alias pointing to more than 1 version")

    def create_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        name = params["Name"]
        if not ALIAS_NAME.match(name):
            raise exc.Validation(name, "name", "Member must satisfy regular expression "
                                 "pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
        self.latest(ref)
        weights = _weights(params)
        self._check_target(ref, params["FunctionVersion"], weights)
        alias = Alias(ref.account_id, ref.region, ref.name, name, params["FunctionVersion"],
                      params.get("Description") or "", weights)
        if not self.store.put_alias(alias, create=True):
            raise exc.ResourceConflict(f"Alias already exists: {alias.arn}")
        ctx.status = 201
        return alias_output(alias)

    def get_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return alias_output(self._alias(self.ref(ctx, params), params["Name"]))

    def update_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        alias = self._alias(ref, params["Name"])
        if params.get("RevisionId") and params["RevisionId"] != alias.revision_id:
            raise exc.PreconditionFailed(exc.REVISION_MISMATCH)
        alias.version = params.get("FunctionVersion") or alias.version
        if params.get("Description") is not None:
            alias.description = params["Description"]
        if "RoutingConfig" in params:
            alias.weights = _weights(params)
        self._check_target(ref, alias.version, alias.weights)
        alias.revision_id = new_revision()
        self.store.put_alias(alias, create=False)
        return alias_output(alias)

    def delete_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        self.latest(ref)
        alias = self.alias_of(ref, params["Name"])
        if alias is not None:
            self.store.delete_alias(alias)
        ctx.status = 204
        return {}

    def list_aliases(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        self.latest(ref)
        aliases = self.store.aliases(ref.account_id, ref.region, ref.name)
        if params.get("FunctionVersion"):
            aliases = [a for a in aliases if a.version == params["FunctionVersion"]]
        page, marker = _page(aliases, params, lambda a: a.name)
        out: dict[str, Any] = {"Aliases": [alias_output(a) for a in page]}
        if marker:
            out["NextMarker"] = marker
        return out


def _weights(params: dict[str, Any]) -> dict[str, float]:
    routing = params.get("RoutingConfig") or {}
    return {str(k): float(v) for k, v in (routing.get("AdditionalVersionWeights") or {}).items()}


def _page(items: list[Any], params: dict[str, Any], key: Any) -> tuple[list[Any], str | None]:
    """One page after Marker (an item's key), MaxItems long, and the next marker."""
    limit = min(max(params.get("MaxItems") or MAX_ITEMS, 1), 10000)
    start = 0
    if params.get("Marker"):
        keys = [key(item) for item in items]
        start = keys.index(params["Marker"]) + 1 if params["Marker"] in keys else len(items)
    page = items[start:start + limit]
    more = start + limit < len(items)
    return page, (key(page[-1]) if more and page else None)
