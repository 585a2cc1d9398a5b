"""Functions: create, read, update (code and configuration), delete, list."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.arns import LATEST, FunctionRef
from nubes.services.lambda_.core import LambdaCore
from nubes.services.lambda_.invoke_config_store import InvokeConfigStore
from nubes.services.lambda_.models import (
    FunctionVersion,
    State,
    UpdateStatus,
    check_config,
    configuration,
    initial_config,
    merge_config,
    new_revision,
)
from nubes.services.lambda_.runtimes import check_runtime

MAX_ITEMS = 50


class FunctionOps(LambdaCore):
    invoke_configs: InvokeConfigStore  # deleted with the function or version

    def create_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        if ref.qualifier:
            raise exc.InvalidParameterValue("Unsupported function name: qualifiers are not "
                                            "allowed in CreateFunction.")
        check_config(params, creating=True)
        self._check_runtime_and_layers(params)
        package = self.package(ctx, params.get("Code") or {}, "CreateFunction")
        fv = FunctionVersion(
            ctx.account_id, ctx.region, ref.name, LATEST,
            initial_config({**params, "FunctionName": ref.name}),
            package.sha, package.size, time.time())
        if not self.store.create_function(fv, params.get("Tags") or {}):
            raise exc.ResourceConflict(f"Function already exist: {ref.name}")
        if params.get("Publish"):
            fv = self.store.publish(fv, None, fv.last_modified)
        created = FunctionRef(ctx.account_id, ctx.region, ref.name)
        self.background.spawn(self.settle(created, package.sha))
        return configuration(fv, self.layer_sizes(fv))

    def _check_runtime_and_layers(self, params: dict[str, Any]) -> None:
        if params.get("Runtime"):
            check_runtime(params["Runtime"], self.options.runtimes)
        for arn in params.get("Layers") or []:
            if self.layer_by_arn(arn) is None:
                raise exc.InvalidParameterValue(f"Layer version {arn} does not exist.")

    def get_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        fv = self.resolve(ref)
        row = self.store.function(ref.account_id, ref.region, ref.name)
        out: dict[str, Any] = {
            "Configuration": configuration(fv, self.layer_sizes(fv), bool(ref.qualifier)),
            "Code": self.code_location(ctx, fv.code_sha),
        }
        if row is not None and row.tags:
            out["Tags"] = row.tags
        if row is not None and row.reserved is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": row.reserved}
        return out

    def get_function_configuration(self, ctx: RequestContext, params: dict[str, Any]
                                   ) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        fv = self.resolve(ref)
        return configuration(fv, self.layer_sizes(fv), bool(ref.qualifier))

    def _latest_for_update(self, ref: FunctionRef, revision_id: str | None) -> FunctionVersion:
        if ref.qualifier and ref.qualifier != LATEST:
            raise exc.InvalidParameterValue("Only $LATEST can be updated.")
        fv = self.latest(ref)
        if revision_id and revision_id != fv.revision_id:
            raise exc.PreconditionFailed(exc.REVISION_MISMATCH)
        if fv.state is State.PENDING or fv.update_status is UpdateStatus.IN_PROGRESS:
            raise exc.update_in_progress(fv.arn)
        return fv

    def update_function_code(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        fv = self._latest_for_update(ref, params.get("RevisionId"))
        if params.get("ImageUri"):
            raise exc.InvalidParameterValue("Nubes runs deployment packages only; "
                                            "container images are not supported.")
        check_config({"Architectures": params.get("Architectures")}, creating=False)
        package = self.package(ctx, params, "UpdateFunctionCode")
        if params.get("DryRun"):
            self.collect_code([package.sha])
            return configuration(fv, self.layer_sizes(fv))
        old_sha = fv.code_sha
        fv.code_sha, fv.code_size = package.sha, package.size
        if params.get("Architectures"):
            fv.config = {**fv.config, "Architectures": params["Architectures"]}
        self._begin_update(fv)
        if params.get("Publish"):
            published = self.store.publish(fv, None, fv.last_modified)
            fv = published
        self.collect_code([old_sha])
        self.background.spawn(self.settle(ref, package.sha))
        return configuration(fv, self.layer_sizes(fv))

    def _begin_update(self, fv: FunctionVersion) -> None:
        fv.update_status = UpdateStatus.IN_PROGRESS
        fv.update_reason = "The function is being created."
        fv.update_reason_code = "Creating"
        fv.revision_id = new_revision()
        fv.last_modified = time.time()
        self.store.put_version(fv)

    def update_function_configuration(self, ctx: RequestContext, params: dict[str, Any]
                                      ) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        fv = self._latest_for_update(ref, params.get("RevisionId"))
        check_config(params, creating=False)
        self._check_runtime_and_layers(params)
        fv.config = merge_config(fv.config, params)
        if "Environment" in params and not (params["Environment"] or {}).get("Variables"):
            fv.config.pop("Environment", None)
        self._begin_update(fv)
        self.background.spawn(self.settle(ref, fv.code_sha))
        return configuration(fv, self.layer_sizes(fv))

    def delete_function(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        if ref.qualifier == LATEST:
            raise exc.InvalidParameterValue(
                "$LATEST version cannot be deleted without deleting the function.")
        if ref.qualifier:
            self._delete_version(ref)
        else:
            self.latest(ref)
            self.collect_code(self.store.delete_function(ref.account_id, ref.region, ref.name))
            self.invoke_configs.delete(ref.account_id, ref.region, ref.name)
        self.background.spawn(self.invoker.evict((ref.account_id, ref.region, ref.name)))
        ctx.status = 204
        return {}

    def _delete_version(self, ref: FunctionRef) -> None:
        if not (ref.qualifier or "").isdigit():
            raise exc.InvalidParameterValue("Deletion of aliases is not supported. Use "
                                            "DeleteAlias instead.")
        fv = self.resolve(ref)
        users = [a.name for a in self.store.aliases(ref.account_id, ref.region, ref.name)
                 if a.version == fv.version or fv.version in a.weights]
        if users:
            raise exc.ResourceConflict(
                f"Unable to delete version because the following aliases reference it: "
                f"[{', '.join(users)}]")
        self.store.delete_version(fv)
        self.invoke_configs.delete(ref.account_id, ref.region, ref.name, fv.version)
        self.collect_code([fv.code_sha])

    def list_functions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        all_versions = params.get("FunctionVersion") == "ALL"
        if params.get("FunctionVersion") not in (None, "ALL"):
            raise exc.Validation(params["FunctionVersion"], "functionVersion",
                                 "Member must satisfy enum value set: [ALL]")
        limit = min(max(params.get("MaxItems") or MAX_ITEMS, 1), 10000)
        after = _marker(params.get("Marker"))
        found = self.store.list_functions(ctx.account_id, ctx.region, after, limit + 1,
                                          all_versions)
        out: dict[str, Any] = {"Functions": [
            configuration(fv, self.layer_sizes(fv), all_versions) for fv in found[:limit]]}
        if len(found) > limit:
            last = found[limit - 1]
            out["NextMarker"] = _make_marker(last)
        return out


def _make_marker(fv: FunctionVersion) -> str:
    seq = 0 if fv.version == LATEST else int(fv.version)
    return base64.urlsafe_b64encode(json.dumps([fv.name, seq]).encode()).decode()


def _marker(marker: str | None) -> tuple[str, int]:
    if not marker:
        return ("", -1)
    try:
        name, seq = json.loads(base64.urlsafe_b64decode(marker.encode()))
        return (str(name), int(seq))
    except (ValueError, TypeError):
        raise exc.InvalidParameterValue("Invalid marker.") from None
